// A minimal OIDC provider for the authenticate-oidc tests: discovery, auto-approving authorize, token, userInfo, JWKS.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { closeServer, listen } from './helpers.js';

export interface FakeIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Claims userInfo returns (besides `sub`); tests may change them. */
  userClaims: Record<string, unknown>;
  /** Access tokens the token endpoint issued, in order. */
  readonly accessTokens: string[];
  /** Query of the last authorize request. */
  lastAuthorize: URLSearchParams | undefined;
  close(): Promise<void>;
}

interface Grant {
  readonly redirectUri: string;
  readonly nonce: string;
  readonly challenge: string;
}

export async function startFakeIdp(): Promise<FakeIdp> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const server: Server = createServer();
  const origin = await listen(server);
  const idp: FakeIdp = {
    issuer: `${origin}/local_pool`,
    clientId: 'webapp-client',
    clientSecret: 'webapp-secret',
    userClaims: { email: 'ada@example.com', username: 'ada' },
    accessTokens: [],
    lastAuthorize: undefined,
    close: () => closeServer(server),
  };
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/local_pool/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: idp.issuer,
        authorization_endpoint: `${origin}/oauth2/authorize`,
        token_endpoint: `${origin}/oauth2/token`,
        userinfo_endpoint: `${origin}/oauth2/userInfo`,
        jwks_uri: `${idp.issuer}/.well-known/jwks.json`,
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (url.pathname === '/local_pool/.well-known/jwks.json') return json(res, 200, { keys: [jwk] });
    if (url.pathname === '/oauth2/authorize') {
      idp.lastAuthorize = url.searchParams;
      const code = randomBytes(16).toString('hex');
      grants.set(code, {
        redirectUri: url.searchParams.get('redirect_uri') ?? '',
        nonce: url.searchParams.get('nonce') ?? '',
        challenge: url.searchParams.get('code_challenge') ?? '',
      });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', async () => {
        const form = new URLSearchParams(body);
        const basic = Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64');
        const grant = grants.get(form.get('code') ?? '');
        grants.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (req.headers.authorization !== `Basic ${basic}`) return json(res, 401, { error: 'invalid_client' });
        if (
          !grant ||
          grant.redirectUri !== form.get('redirect_uri') ||
          createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
        ) {
          return json(res, 400, { error: 'invalid_grant' });
        }
        const now = Math.floor(Date.now() / 1000);
        const sign = (claims: Record<string, unknown>) =>
          new SignJWT({ iss: idp.issuer, sub: 'user-ada', iat: now, exp: now + 3600, ...claims })
            .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
            .sign(privateKey);
        const accessToken = await sign({ token_use: 'access', client_id: idp.clientId, scope: 'openid' });
        idp.accessTokens.push(accessToken);
        json(res, 200, {
          access_token: accessToken,
          id_token: await sign({ token_use: 'id', aud: idp.clientId, nonce: grant.nonce }),
          token_type: 'Bearer',
          expires_in: 3600,
        });
      });
      return;
    }
    if (url.pathname === '/oauth2/userInfo') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!idp.accessTokens.includes(token)) return json(res, 401, { error: 'invalid_token' });
      return json(res, 200, { sub: 'user-ada', ...idp.userClaims });
    }
    json(res, 404, { error: `no route ${url.pathname}` });
  });
  return idp;
}
