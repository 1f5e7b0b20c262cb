// A local identity provider for tests (local/identity.json's clients) whose signing key the tests can read and use.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importJWK, type JWTPayload, SignJWT } from 'jose';
import {
  type IdentityProvider,
  loadIdentityConfig,
  type SigningJwk,
  startIdentityProvider,
} from '../../../../packages/local/src/identity/index.js';

export const identityFile = fileURLToPath(new URL('../../../../local/identity.json', import.meta.url));

/** The system's resource servers (what system.ts declares for the orders scopes). */
export const resourceServers = [{ identifier: 'orders', scopes: ['read', 'write'] }];

export interface TestIdentity {
  readonly idp: IdentityProvider;
  /** The IdP's own private signing key, read back from its key file. */
  readonly signingKey: SigningJwk;
  /** A real access token from the client-credentials grant at the token endpoint. */
  token(clientId: string, scope?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the IdP with its key persisted in `dir`, so tests can sign arbitrary claims with the real key. */
export async function startTestIdentity(dir: string): Promise<TestIdentity> {
  const config = loadIdentityConfig(identityFile);
  const keyFile = join(dir, 'identity-key.json');
  const idp = await startIdentityProvider({ users: config.users, clients: config.clients, resourceServers, keyFile });
  const signingKey = readSigningKey(keyFile);
  return {
    idp,
    signingKey,
    token: (clientId, scope) => clientCredentialsToken(idp.url, clientId, scope),
    stop: () => idp.stop(),
  };
}

/** The private JWK an identity provider persisted (the runner's is `<stateDir>/identity-key.json`). */
export function readSigningKey(keyFile: string): SigningJwk {
  return JSON.parse(readFileSync(keyFile, 'utf8')) as SigningJwk;
}

/** A client-credentials access token from `<origin>/oauth2/token`, as `hf token` gets one. */
export async function clientCredentialsToken(origin: string, clientId: string, scope?: string): Promise<string> {
  const config = loadIdentityConfig(identityFile);
  const client = config.clients.find((c) => c.clientId === clientId);
  if (!client) throw new Error(`no client ${clientId} in ${identityFile}`);
  const response = await fetch(`${origin}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Signs `claims` with a private JWK (RS256 unless `alg` says otherwise) under the key's kid or another. */
export async function signWith(
  key: SigningJwk,
  claims: JWTPayload,
  header: { alg?: string; kid?: string } = {},
): Promise<string> {
  const alg = header.alg ?? 'RS256';
  const privateKey = await importJWK({ ...key, alg }, alg);
  return new SignJWT(claims).setProtectedHeader({ alg, kid: header.kid ?? key.kid }).sign(privateKey);
}
