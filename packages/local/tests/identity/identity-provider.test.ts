// The local identity provider answers like a Cognito user pool: discovery, JWKS, tokens, sign-in, userInfo, logout.

import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IdentityConfig,
  type IdentityProvider,
  IdentityConfigError,
  loadIdentityConfig,
  OAuthError,
  startIdentityProvider,
} from '../../src/identity/index.js';
import { tempDir } from '../helpers.js';

const identityFile = fileURLToPath(new URL('../../../../local/identity.json', import.meta.url));
const resourceServers = [{ identifier: 'orders', scopes: ['read', 'write'] }];
const webapp = {
  id: 'webapp-local',
  secret: 'webapp-local-secret',
  redirect: 'http://127.0.0.1:8080/oauth2/idpresponse',
};

let config: IdentityConfig;
let idp: IdentityProvider;

beforeAll(async () => {
  config = loadIdentityConfig(identityFile);
  idp = await startIdentityProvider({ ...config, resourceServers });
});
afterAll(() => idp.stop());

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function clientCredentials(id: string, secret: string, scope?: string) {
  const body = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  const response = await fetch(idp.endpoints.token, {
    method: 'POST',
    headers: { authorization: basic(id, secret) },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** Cookies a browser would keep: enough of a jar for one origin. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair as string).split('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name as string);
      else this.cookies.set(name as string, value.join('='));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function browse(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(new URL(url, idp.url), {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
  });
  jar.store(response);
  return response;
}

/** Drives the browser side of code + PKCE up to the login form; returns the form's action. */
async function startSignIn(jar: CookieJar, verifier: string, state = 'st-1'): Promise<string> {
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: webapp.id,
    redirect_uri: webapp.redirect,
    scope: 'openid email profile',
    state,
    nonce: 'n-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const authorize = await browse(jar, `${idp.endpoints.authorize}?${query}`);
  expect(authorize.status).toBe(303);
  const loginUrl = authorize.headers.get('location') as string;
  expect(new URL(loginUrl, idp.url).pathname).toBe('/login');
  const page = await browse(jar, loginUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('name="username"');
  const action = /action="([^"]+)"/.exec(html)?.[1] as string;
  return action.replace(/&#38;/g, '&');
}

async function signIn(username: string, password: string) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const action = await startSignIn(jar, verifier);
  const posted = await browse(jar, action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });
  expect(posted.status).toBe(303);
  let location = posted.headers.get('location') as string;
  for (let hops = 0; !location.startsWith(webapp.redirect) && hops < 5; hops++) {
    location = (await browse(jar, location)).headers.get('location') as string;
  }
  const callback = new URL(location);
  expect(callback.searchParams.get('state')).toBe('st-1');
  const code = callback.searchParams.get('code') as string;
  const exchange = await fetch(idp.endpoints.token, {
    method: 'POST',
    headers: { authorization: basic(webapp.id, webapp.secret) },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: webapp.redirect,
      code_verifier: verifier,
    }),
  });
  expect(exchange.status).toBe(200);
  return { jar, tokens: (await exchange.json()) as Record<string, string> };
}

/** aws-jwt-verify's own fetcher speaks https only; the local issuer is http on loopback. */
function awsVerifier(provider: IdentityProvider) {
  const jwksCache = new SimpleJwksCache({ fetcher: { fetch: async (uri) => (await fetch(uri)).arrayBuffer() } });
  return JwtRsaVerifier.create({ issuer: provider.issuer, audience: null, jwksUri: provider.jwksUri }, { jwksCache });
}

async function verify(token: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(idp.jwksUri));
  return (await jwtVerify(token, jwks, { issuer: idp.issuer, algorithms: ['RS256'] })).payload;
}

describe('discovery and keys', () => {
  it('serves the discovery document under the issuer with Cognito paths', async () => {
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/local_hellofargate$/);
    expect(doc).toMatchObject({
      issuer: idp.issuer,
      jwks_uri: `${idp.issuer}/.well-known/jwks.json`,
      authorization_endpoint: `${idp.url}/oauth2/authorize`,
      token_endpoint: `${idp.url}/oauth2/token`,
      userinfo_endpoint: `${idp.url}/oauth2/userInfo`,
      end_session_endpoint: `${idp.url}/logout`,
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
    });
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']),
    );
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'orders/read', 'orders/write']));
  });

  it('publishes one RSA signing key with a kid and no private parts', async () => {
    const { keys } = (await (await fetch(idp.jwksUri)).json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty('d');
  });
});

describe('client credentials', () => {
  it('issues a Cognito-shaped access token that jose and aws-jwt-verify accept', async () => {
    const { status, body } = await clientCredentials(
      'partner-writer',
      'partner-writer-secret',
      'orders/read orders/write',
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'orders/read orders/write' });
    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: expect.any(String) });
    const claims = await verify(token);
    expect(claims).toMatchObject({
      iss: idp.issuer,
      sub: 'partner-writer',
      client_id: 'partner-writer',
      token_use: 'access',
      scope: 'orders/read orders/write',
      version: 2,
      jti: expect.any(String),
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(claims.auth_time).toBe(claims.iat);
    expect(claims).not.toHaveProperty('username');

    await expect(awsVerifier(idp).verify(token)).resolves.toMatchObject({ client_id: 'partner-writer' });
  });

  it('grants all of the client’s scopes when the request names none, as Cognito does', async () => {
    const { status, body } = await clientCredentials('partner-reader', 'partner-reader-secret');
    expect(status).toBe(200);
    expect((await verify(body.access_token as string)).scope).toBe('orders/read');
  });

  it('accepts the client secret in the body (client_secret_post) too', async () => {
    const response = await fetch(idp.endpoints.token, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'partner-reader',
        client_secret: 'partner-reader-secret',
        scope: 'orders/read',
      }),
    });
    expect(response.status).toBe(200);
  });

  it('answers invalid_scope for a scope the client is not allowed, and for an unknown one', async () => {
    for (const scope of ['orders/write', 'orders/read inventory/read']) {
      const { status, body } = await clientCredentials('partner-reader', 'partner-reader-secret', scope);
      expect(status).toBe(400);
      expect(body.error).toBe('invalid_scope');
      expect(body.error_description).toEqual(expect.any(String));
    }
  });

  it('answers invalid_client with 401 for a wrong secret, even with a scope it may not have', async () => {
    for (const scope of ['orders/read', 'orders/write']) {
      const { status, body } = await clientCredentials('partner-reader', 'wrong-secret', scope);
      expect(status).toBe(401);
      expect(body.error).toBe('invalid_client');
    }
  });

  it('answers unsupported_grant_type for a grant the server does not know', async () => {
    const response = await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { authorization: basic('partner-reader', 'partner-reader-secret') },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-password' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('issues tokens programmatically and raises OAuth errors as OAuthError', async () => {
    const token = await idp.issueClientCredentialsToken('partner-reader', ['orders/read']);
    expect((await verify(token)).client_id).toBe('partner-reader');
    await expect(idp.issueClientCredentialsToken('partner-reader', ['orders/write'])).rejects.toMatchObject({
      code: 'invalid_scope',
      status: 400,
    });
    await expect(idp.issueClientCredentialsToken('nobody')).rejects.toBeInstanceOf(OAuthError);
  });
});

describe('authorization code + PKCE sign-in', () => {
  it('signs alice in through the login form and returns ID and access tokens with her claims', async () => {
    const { tokens } = await signIn('alice', 'alice-password');
    expect(tokens).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });

    const id = await verify(tokens.id_token as string);
    expect(id).toMatchObject({
      token_use: 'id',
      aud: 'webapp-local',
      'cognito:username': 'alice',
      'cognito:groups': ['admins', 'staff'],
      email: 'alice@example.com',
      email_verified: true,
      nonce: 'n-1',
    });
    expect(id.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);

    const access = await verify(tokens.access_token as string);
    expect(access).toMatchObject({
      sub: id.sub,
      token_use: 'access',
      client_id: 'webapp-local',
      username: 'alice',
      'cognito:groups': ['admins', 'staff'],
      version: 2,
      auth_time: expect.any(Number),
    });
    expect(String(access.scope).split(' ').sort()).toEqual(['email', 'openid', 'profile']);
  });

  it('shows the login page again with an error after a wrong password', async () => {
    const jar = new CookieJar();
    const action = await startSignIn(jar, randomBytes(32).toString('base64url'));
    const response = await browse(jar, action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: 'not-her-password' }).toString(),
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Incorrect username or password.');
    expect(html).toContain('name="password"');
    expect(html).toContain('value="alice"');
  });

  it('rejects a code exchanged with the wrong code_verifier', async () => {
    const jar = new CookieJar();
    const action = await startSignIn(jar, randomBytes(32).toString('base64url'));
    const posted = await browse(jar, action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'bob', password: 'bob-password' }).toString(),
    });
    let location = posted.headers.get('location') as string;
    while (!location.startsWith(webapp.redirect))
      location = (await browse(jar, location)).headers.get('location') as string;
    const response = await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { authorization: basic(webapp.id, webapp.secret) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: new URL(location).searchParams.get('code') as string,
        redirect_uri: webapp.redirect,
        code_verifier: randomBytes(32).toString('base64url'),
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('answers userInfo for the user’s access token, and 401 for a client-credentials token', async () => {
    const { tokens } = await signIn('bob', 'bob-password');
    const response = await fetch(idp.endpoints.userInfo, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(response.status).toBe(200);
    const info = (await response.json()) as Record<string, unknown>;
    expect(info).toEqual({
      sub: (await verify(tokens.id_token as string)).sub,
      username: 'bob',
      email: 'bob@example.com',
      email_verified: 'true',
    });

    const machine = await idp.issueClientCredentialsToken('partner-reader');
    const denied = await fetch(idp.endpoints.userInfo, { headers: { authorization: `Bearer ${machine}` } });
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('refreshes tokens with the refresh token', async () => {
    const { tokens } = await signIn('alice', 'alice-password');
    const response = await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { authorization: basic(webapp.id, webapp.secret) },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string }),
    });
    expect(response.status).toBe(200);
    const refreshed = (await response.json()) as Record<string, string>;
    expect(await verify(refreshed.access_token as string)).toMatchObject({ username: 'alice', token_use: 'access' });
    expect(await verify(refreshed.id_token as string)).toMatchObject({ 'cognito:username': 'alice' });
  });

  it('logs out to a registered logout_uri, so the next authorize asks for the password again', async () => {
    const { jar } = await signIn('alice', 'alice-password');
    const bad = await browse(jar, `${idp.endpoints.logout}?client_id=webapp-local&logout_uri=http://evil.example/`);
    expect(bad.status).toBe(400);
    const out = await browse(jar, `${idp.endpoints.logout}?client_id=webapp-local&logout_uri=http://127.0.0.1:8080/`);
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('http://127.0.0.1:8080/');
    await startSignIn(jar, randomBytes(32).toString('base64url'));
  });
});

describe('signing key persistence', () => {
  it('keeps the key in keyFile, so a token from before a restart still verifies', async () => {
    const dir = tempDir('hf-identity-');
    try {
      const keyFile = join(dir.path, 'identity-key.json');
      const first = await startIdentityProvider({ ...config, resourceServers, keyFile, port: 0 });
      const token = await first.issueClientCredentialsToken('partner-reader');
      const kid = decodeProtectedHeader(token).kid;
      const port = Number(new URL(first.url).port);
      await first.stop();

      const second = await startIdentityProvider({ ...config, resourceServers, keyFile, port });
      try {
        expect(second.issuer).toBe(first.issuer);
        const { keys } = (await (await fetch(second.jwksUri)).json()) as { keys: { kid: string }[] };
        expect(keys.map((k) => k.kid)).toEqual([kid]);
        await expect(awsVerifier(second).verify(token)).resolves.toMatchObject({ client_id: 'partner-reader' });
      } finally {
        await second.stop();
      }
    } finally {
      dir.remove();
    }
  });

  it('stamps access tokens with the injected clock', async () => {
    const past = Date.parse('2020-01-01T00:00:00Z');
    const clocked = await startIdentityProvider({
      ...config,
      resourceServers,
      now: () => past,
      accessTokenTtlSeconds: 60,
    });
    try {
      const token = await clocked.issueClientCredentialsToken('partner-reader');
      await expect(awsVerifier(clocked).verify(token)).rejects.toThrow(/expired/i);
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(clocked.jwksUri)), {
        currentDate: new Date(past),
      });
      expect(payload).toMatchObject({ iat: past / 1000, exp: past / 1000 + 60 });
    } finally {
      await clocked.stop();
    }
  });

  it('refuses a client scope the system does not declare, naming client and scope', async () => {
    await expect(startIdentityProvider({ ...config, resourceServers: [] })).rejects.toThrow(
      /client "partner-reader": scope "orders\/read" is not a scope of the system's resourceServers/,
    );
  });
});

describe('loadIdentityConfig', () => {
  function load(content: unknown): () => IdentityConfig {
    const dir = tempDir('hf-identity-config-');
    const file = join(dir.path, 'identity.json');
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return () => {
      try {
        return loadIdentityConfig(file);
      } finally {
        dir.remove();
      }
    };
  }

  it('reads the committed local/identity.json', () => {
    expect(config.users.map((u) => u.username)).toEqual(['alice', 'bob']);
    expect(config.clients.map((c) => c.clientId)).toEqual(['webapp-local', 'partner-reader', 'partner-writer']);
  });

  it('names the file and the field that is wrong', () => {
    const base = JSON.parse(JSON.stringify(config)) as {
      users: Record<string, unknown>[];
      clients: Record<string, unknown>[];
    };
    (base.users[1] as Record<string, unknown>).email = 'not-an-email';
    expect(load(base)).toThrow(IdentityConfigError);
    expect(load(base)).toThrow(/identity\.json: users\[1\]\.email "not-an-email" is not an email address/);

    const client = JSON.parse(JSON.stringify(config)) as typeof base;
    (client.clients[1] as Record<string, unknown>).scopes = ['read'];
    expect(load(client)).toThrow(/clients\[1\]\.scopes\[0\] "read" is not a custom scope/);

    const missing = JSON.parse(JSON.stringify(config)) as typeof base;
    delete (missing.clients[0] as Record<string, unknown>).clientSecret;
    expect(load(missing)).toThrow(/clients\[0\]\.clientSecret must be a non-empty string/);
  });

  it('reports invalid JSON with the file name', () => {
    expect(load('{ "users": [')).toThrow(/identity\.json: \(file\) is not valid JSON/);
  });
});
