// jwt-validation: valid RS256 tokens are forwarded unchanged; every kind of bad token gets 401 before the target.

import { createServer, type Server } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LoadBalancer, startLoadBalancer } from '../../src/load-balancer/index.js';
import { closeServer, FAST_HEALTH_CHECK, listen, send, startTarget, type TestTarget } from './helpers.js';

const ISSUER = 'http://127.0.0.1/local_hellofargate';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let rsa: Keys;
let otherRsa: Keys;
let ec: Keys;
let rsaPublicPem: string;
let jwksServer: Server;
let jwksUrl: string;
let jwksFetches = 0;

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true });
  otherRsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256', { extractable: true });
  rsaPublicPem = await exportSPKI(rsa.publicKey);
  // The EC key is published too, so an ES256 token fails for its algorithm, not for a missing key.
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  jwksServer = createServer((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  jwksUrl = `${await listen(jwksServer)}/.well-known/jwks.json`;
});
afterAll(() => closeServer(jwksServer));

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: ISSUER,
    sub: 'client-1',
    token_use: 'access',
    client_id: 'client-1',
    scope: 'orders/read orders/write',
    'cognito:groups': ['users'],
    iat: now(),
    exp: now() + 600,
    jti: 'j1',
    ...overrides,
  };
}

/** Drops the claims whose override is `null`. */
function signRs256(overrides: Record<string, unknown> = {}, kid = 'rsa-1', key = rsa.privateKey): Promise<string> {
  const payload = Object.fromEntries(Object.entries(claims(overrides as JWTPayload)).filter(([, v]) => v !== null));
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
}

describe('jwt-validation', () => {
  let lb: LoadBalancer;
  let target: TestTarget;
  beforeAll(async () => {
    target = await startTarget('api');
    lb = await startLoadBalancer({
      name: 'webapi',
      targets: () => [target],
      healthCheck: FAST_HEALTH_CHECK,
      action: {
        type: 'jwt-validation',
        issuer: ISSUER,
        jwksEndpoint: jwksUrl,
        additionalClaims: [
          { format: 'single-string', name: 'token_use', values: ['access'] },
          { format: 'space-separated-values', name: 'scope', values: ['orders/read'] },
          { format: 'string-array', name: 'cognito:groups', values: ['admins', 'users'] },
        ],
      },
    });
  });
  afterAll(async () => {
    await lb.close();
    await target.close();
  });
  afterEach(() => {
    target.received.length = 0;
  });

  it('forwards a valid RS256 token unchanged', async () => {
    const token = await signRs256();
    const answer = await send(`${lb.url}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);
    expect(target.received).toHaveLength(1);
    expect(target.received[0]?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('accepts a token whose string-array claim holds any one of the configured values', async () => {
    const token = await signRs256({ 'cognito:groups': ['guests', 'admins'] });
    expect((await send(`${lb.url}/`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('accepts a token that expired within the 30 s clock tolerance', async () => {
    const token = await signRs256({ exp: now() - 10 });
    expect((await send(`${lb.url}/`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  const hs256WithPublicKey = async () =>
    new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1', typ: 'JWT' })
      .sign(new TextEncoder().encode(rsaPublicPem));
  const tamper = (token: string, part: number, edit: (segment: string) => string) =>
    token
      .split('.')
      .map((segment, index) => (index === part ? edit(segment) : segment))
      .join('.');

  const cases: {
    name: string;
    authorization: () => Promise<string | undefined>;
    reason: RegExp;
    status?: number;
    challenge?: string;
  }[] = [
    {
      name: 'no Authorization header',
      reason: /Authorization: Bearer/,
      authorization: async () => undefined,
      challenge: 'Bearer',
    },
    {
      name: 'a non-Bearer scheme',
      reason: /Authorization: Bearer/,
      authorization: async () => `Basic ${btoa('a:b')}`,
      challenge: 'Bearer',
    },
    {
      name: 'alg none',
      reason: /ALG_NOT_ALLOWED/,
      authorization: async () => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`,
    },
    {
      name: 'HS256 signed with the RSA public key PEM as the secret',
      reason: /ALG_NOT_ALLOWED/,
      authorization: async () => `Bearer ${await hs256WithPublicKey()}`,
    },
    {
      name: 'an ES256 token signed by a key in the JWKS',
      reason: /ALG_NOT_ALLOWED/,
      authorization: async () =>
        `Bearer ${await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).sign(ec.privateKey)}`,
    },
    {
      name: 'an unknown kid',
      reason: /NO_MATCHING_KEY/,
      authorization: async () => `Bearer ${await signRs256({}, 'unknown', otherRsa.privateKey)}`,
    },
    {
      name: 'a known kid signed by another key',
      reason: /SIGNATURE_VERIFICATION_FAILED/,
      authorization: async () => `Bearer ${await signRs256({}, 'rsa-1', otherRsa.privateKey)}`,
    },
    {
      name: 'an expired token',
      reason: /JWT_EXPIRED/,
      authorization: async () => `Bearer ${await signRs256({ exp: now() - 120 })}`,
    },
    {
      name: 'no exp',
      reason: /missing required "exp"/,
      authorization: async () => `Bearer ${await signRs256({ exp: null })}`,
    },
    {
      name: 'nbf in the future',
      reason: /"nbf"/,
      authorization: async () => `Bearer ${await signRs256({ nbf: now() + 300 })}`,
    },
    {
      name: 'iat in the future',
      reason: /"iat" claim is in the future/,
      authorization: async () => `Bearer ${await signRs256({ iat: now() + 300 })}`,
    },
    {
      name: 'a wrong iss',
      reason: /"iss"/,
      authorization: async () => `Bearer ${await signRs256({ iss: 'http://127.0.0.1/other' })}`,
    },
    {
      name: 'a tampered payload',
      reason: /SIGNATURE_VERIFICATION_FAILED/,
      authorization: async () => `Bearer ${tamper(await signRs256(), 1, () => b64(claims({ sub: 'admin' })))}`,
    },
    {
      name: 'a tampered signature',
      reason: /SIGNATURE_VERIFICATION_FAILED/,
      authorization: async () =>
        `Bearer ${tamper(await signRs256(), 2, (s) => s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11))}`,
    },
    { name: 'garbage base64', reason: /JWS_INVALID/, authorization: async () => 'Bearer !!!.@@@.###' },
    {
      name: 'a two-segment token',
      reason: /JWS_INVALID/,
      authorization: async () => `Bearer ${(await signRs256()).split('.').slice(0, 2).join('.')}`,
    },
    {
      name: 'an Authorization header over 16 KB (ALB answers 400)',
      reason: /16 KB/,
      authorization: async () => `Bearer ${await signRs256({ padding: 'x'.repeat(17 * 1024) })}`,
      status: 400,
      challenge: '',
    },
    {
      name: 'a missing required additional claim',
      reason: /'token_use' is missing/,
      authorization: async () => `Bearer ${await signRs256({ token_use: null })}`,
    },
    {
      name: 'a wrong single-string claim',
      reason: /'token_use' holds none/,
      authorization: async () => `Bearer ${await signRs256({ token_use: 'id' })}`,
    },
    {
      name: 'a space-separated scope without the required value',
      reason: /'scope' holds none/,
      authorization: async () => `Bearer ${await signRs256({ scope: 'orders/write orders/readonly' })}`,
    },
    {
      name: 'a string-array claim with none of the values',
      reason: /'cognito:groups' holds none/,
      authorization: async () => `Bearer ${await signRs256({ 'cognito:groups': ['guests'] })}`,
    },
  ];

  it.each(cases)(
    'rejects $name before the target sees anything',
    async ({ authorization, reason, status, challenge }) => {
      const value = await authorization();
      const answer = await send(`${lb.url}/orders`, {
        method: 'POST',
        headers: { ...(value === undefined ? {} : { authorization: value }), 'content-type': 'application/json' },
        body: '{"order":1}',
      });
      expect(answer.status).toBe(status ?? 401);
      expect(JSON.parse(answer.body).message).toMatch(reason);
      if (challenge !== '') {
        expect(answer.headers['www-authenticate']).toBe(challenge ?? 'Bearer error="invalid_token"');
        expect(answer.headers['content-type']).toBe('application/json');
      }
      expect(target.received).toHaveLength(0);
    },
  );
});

describe('jwt-validation JWKS cache', () => {
  it('fetches the JWKS once for many tokens and refetches at most once per cooldown for unknown kids', async () => {
    const target = await startTarget('api');
    const lb = await startLoadBalancer({
      name: 'webapi',
      targets: () => [target],
      healthCheck: FAST_HEALTH_CHECK,
      action: { type: 'jwt-validation', issuer: ISSUER, jwksEndpoint: jwksUrl },
    });
    try {
      const before = jwksFetches;
      for (let i = 0; i < 3; i++) {
        const token = await signRs256();
        expect((await send(lb.url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      }
      expect(jwksFetches - before).toBe(1);
      for (let i = 0; i < 3; i++) {
        const token = await signRs256({}, `unknown-${i}`, otherRsa.privateKey);
        expect((await send(lb.url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      }
      expect(jwksFetches - before).toBeLessThanOrEqual(2);
    } finally {
      await lb.close();
      await target.close();
    }
  });
});
