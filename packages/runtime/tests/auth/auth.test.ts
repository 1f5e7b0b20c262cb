import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  bearerToken,
  createAccessTokenVerifier,
  createAlbIdentityVerifier,
  requireScope,
} from '../../src/auth/index.js';

let server: Server;
let base: string;
let fetches = 0;
const routes = new Map<string, { type: string; body: string }>();

beforeAll(async () => {
  server = createServer((req, res) => {
    fetches++;
    const route = routes.get(req.url ?? '');
    if (!route) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': route.type });
    res.end(route.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function errorOf(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected an AuthError');
}

describe('createAccessTokenVerifier', () => {
  const issuer = () => `${base}/local_pool`;
  let sign: (claims: Record<string, unknown>, header?: Record<string, unknown>) => Promise<string>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    routes.set('/local_pool/.well-known/jwks.json', {
      type: 'application/json',
      body: JSON.stringify({ keys: [jwk] }),
    });
    sign = (claims, header = {}) =>
      new SignJWT({
        token_use: 'access',
        client_id: 'partner',
        scope: 'orders/read',
        sub: 'partner',
        iss: issuer(),
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 600,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1', ...header })
        .sign(privateKey);
  });

  it('accepts a Cognito-shaped access token and verifies it only once while it is valid', async () => {
    const verifier = createAccessTokenVerifier({ issuer: issuer() });
    const token = await sign({});
    const first = await verifier.verify(token);
    expect(first).toMatchObject({ client_id: 'partner', scope: 'orders/read', token_use: 'access' });
    const before = fetches;
    routes.delete('/never'); // no-op: the cache must answer without the network
    expect(await verifier.verify(token)).toBe(first);
    expect(fetches).toBe(before);
    expect(verifier.cacheEntries).toBe(1);
  });

  it('rejects an ID token, a wrong issuer, an expired token and a client not allowed', async () => {
    const verifier = createAccessTokenVerifier({ issuer: issuer(), clientIds: ['partner'] });
    expect((await errorOf(verifier.verify(await sign({ token_use: 'id' })))).message).toMatch(/token_use is "id"/);
    const other = createAccessTokenVerifier({
      issuer: `${base}/other_pool`,
      jwksUri: `${issuer()}/.well-known/jwks.json`,
    });
    expect((await errorOf(other.verify(await sign({})))).code).toBe('invalid_token');
    const expired = await sign({ exp: Math.floor(Date.now() / 1000) - 60 });
    expect((await errorOf(verifier.verify(expired))).message).toMatch(/expired/i);
    expect((await errorOf(verifier.verify(await sign({ client_id: 'stranger' })))).message).toMatch(/client_id/);
  });

  it('holds tokens to the load balancer rules: exp is required and iat may not be in the future', async () => {
    const verifier = createAccessTokenVerifier({ issuer: issuer() });
    expect((await errorOf(verifier.verify(await sign({ exp: undefined })))).message).toMatch(/no exp claim/);
    const future = Math.floor(Date.now() / 1000) + 120;
    expect((await errorOf(verifier.verify(await sign({ iat: future })))).message).toMatch(/iat claim is in the future/);
    expect(await verifier.verify(await sign({ iat: Math.floor(Date.now() / 1000) + 10 }))).toMatchObject({
      token_use: 'access',
    });
  });

  it('drops a cached token once it has expired', async () => {
    const verifier = createAccessTokenVerifier({ issuer: issuer() });
    const token = await sign({ exp: Math.floor(Date.now() / 1000) + 1 });
    await verifier.verify(token);
    await new Promise((r) => setTimeout(r, 2100));
    await expect(verifier.verify(token)).rejects.toThrow(/expired/i);
    expect(verifier.cacheEntries).toBe(0);
  });

  it('parses Bearer headers and checks scopes with 401 and 403', async () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi'); // RFC 7235: the scheme is case-insensitive
    expect(() => bearerToken('Bearer ')).toThrow(/Authorization: Bearer/);
    expect(() => bearerToken('Bearer a"b')).toThrow(/malformed/);
    expect(
      (() => {
        try {
          bearerToken(undefined);
        } catch (error) {
          return (error as AuthError).status;
        }
      })(),
    ).toBe(401);
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(/Bearer <access token>/);
    const claims = await createAccessTokenVerifier({ issuer: issuer() }).verify(await sign({}));
    expect(() => requireScope(claims, 'orders/read')).not.toThrow();
    try {
      requireScope(claims, 'orders/write');
      throw new Error('expected insufficient_scope');
    } catch (error) {
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).status).toBe(403);
    }
  });
});

describe('createAlbIdentityVerifier', () => {
  const albArn = 'arn:aws:elasticloadbalancing:eu-west-1:000000000000:loadbalancer/app/local-webapp/0123456789abcdef';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = '9f1a4c52-6c1e-4b7a-9d43-7f1c2e3a4b5c';
  const pad = (s: string) => s + '='.repeat((4 - (s.length % 4)) % 4);

  /** An x-amzn-oidc-data value as ALB makes it: ES256, segments base64url with `=` padding. */
  function albToken(header: Record<string, unknown>, payload: Record<string, unknown>): string {
    const segment = (o: object) => pad(Buffer.from(JSON.stringify(o)).toString('base64url'));
    const input = `${segment(header)}.${segment(payload)}`;
    const signature = createSign('SHA256').update(input).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${pad(signature.toString('base64url'))}`;
  }

  beforeAll(() => {
    routes.set(`/alb-keys/${kid}`, {
      type: 'text/plain',
      body: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    });
  });

  const verifier = () =>
    createAlbIdentityVerifier({
      albArn,
      issuer: `${base}/local_pool`,
      clientId: 'webapp-local',
      keysUrl: `${base}/alb-keys`,
    });
  const header = (extra: Record<string, unknown> = {}) => ({
    alg: 'ES256',
    kid,
    signer: albArn,
    iss: `${base}/local_pool`,
    client: 'webapp-local',
    exp: Math.floor(Date.now() / 1000) + 120,
    typ: 'JWT',
    ...extra,
  });
  const claims = () => ({
    sub: 'u-1',
    email: 'alice@example.com',
    username: 'alice',
    exp: Math.floor(Date.now() / 1000) + 120,
    iss: `${base}/local_pool`,
  });

  it('accepts the header ALB signs, padding and all', async () => {
    const token = albToken(header(), claims());
    expect(token.split('.').some((s) => s.endsWith('='))).toBe(true);
    expect(await verifier().verify(token)).toMatchObject({ sub: 'u-1', email: 'alice@example.com' });
  });

  it('rejects a missing header, another signer, another client, a tampered payload and an expired one', async () => {
    expect((await errorOf(verifier().verify(undefined))).code).toBe('missing_identity');
    expect(
      (await errorOf(verifier().verify(albToken(header({ signer: albArn.replace('0123', '9999') }), claims())))).code,
    ).toBe('invalid_identity');
    expect((await errorOf(verifier().verify(albToken(header({ client: 'other' }), claims())))).code).toBe(
      'invalid_identity',
    );
    const [h, , s] = albToken(header(), claims()).split('.');
    const forged = `${h}.${pad(Buffer.from(JSON.stringify({ ...claims(), sub: 'admin' })).toString('base64url'))}.${s}`;
    expect((await errorOf(verifier().verify(forged))).message).toMatch(/signature/i);
    const past = Math.floor(Date.now() / 1000) - 10;
    const expired = albToken(header({ exp: past }), { ...claims(), exp: past });
    expect((await errorOf(verifier().verify(expired))).code).toBe('invalid_identity');
  });
});
