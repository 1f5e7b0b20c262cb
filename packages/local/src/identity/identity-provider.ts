// The local identity provider: oidc-provider shaped like a Cognito user pool (paths, claims, errors) on loopback.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResourceServerDeclaration } from '@hello-fargate/workload';
import { importJWK, jwtVerify, type JWTPayload } from 'jose';
import type Provider from 'oidc-provider';
import type { OidcClient, OidcContext, OidcInteraction } from 'oidc-provider';
import { importOidcProvider } from './import-oidc-provider.js';
import type { IdentityClient, IdentityUser } from './load-identity-config.js';
import { renderErrorPage, renderLoginPage } from './login-page.js';
import { memoryAdapter } from './memory-adapter.js';
import { OAuthError } from './oauth-error.js';
import { loadSigningKey } from './signing-key.js';

export interface IdentityProviderOptions {
  /** Users who can sign in (from local/identity.json). */
  readonly users: readonly IdentityUser[];
  /** App clients (from local/identity.json). */
  readonly clients: readonly IdentityClient[];
  /** Resource servers of the system; clients' custom scopes must be among theirs. @default - none */
  readonly resourceServers?: readonly ResourceServerDeclaration[];
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** The user pool id: the issuer's path. @default 'local_hellofargate' */
  readonly poolId?: string;
  /** A JWK file holding the private signing key, made when missing, so tokens verify across restarts. @default - none: an in-memory key */
  readonly keyFile?: string;
  /** Lifetime of access (and ID) tokens. @default 3600 */
  readonly accessTokenTtlSeconds?: number;
  /** Clock, in epoch milliseconds, for access tokens' `iat`/`exp`/`auth_time` and userInfo's expiry check. @default Date.now */
  readonly now?: () => number;
}

export interface IdentityProvider {
  /** `http://<host>:<port>/<poolId>`: the `iss` of every token. */
  readonly issuer: string;
  /** The origin, `http://<host>:<port>`. */
  readonly url: string;
  /** `<issuer>/.well-known/jwks.json`. */
  readonly jwksUri: string;
  readonly endpoints: {
    readonly authorize: string;
    readonly token: string;
    readonly userInfo: string;
    readonly logout: string;
  };
  /** A client-credentials access token for a configured client; throws OAuthError as the token endpoint would. */
  issueClientCredentialsToken(clientId: string, scopes?: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

/** The `aud` of every access token: oidc-provider requires one on JWT access tokens, Cognito has none. */
export const ACCESS_TOKEN_AUDIENCE = 'urn:hellofargate:resource-servers';

const OIDC_SCOPES = ['openid', 'email', 'profile'];
const AUTHORIZATION_CODE_TTL = 300; // Cognito's authorization codes last 5 minutes
const REFRESH_TOKEN_TTL = 30 * 24 * 3600; // Cognito's default refresh token validity, 30 days
const SESSION_TTL = 24 * 3600;
const MAX_FORM_BODY = 56 * 1024;

/** Starts the identity provider on loopback. */
export async function startIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const host = options.host ?? '127.0.0.1';
  const poolId = options.poolId ?? 'local_hellofargate';
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const now = options.now ?? Date.now;
  const resourceServers = options.resourceServers ?? [];
  checkClientScopes(options.clients, resourceServers);

  const users = options.users.map((user) => ({ ...user, sub: user.sub ?? userSub(poolId, user.username) }));
  const userBySub = new Map(users.map((user) => [user.sub, user]));
  const userByName = new Map(users.map((user) => [user.username, user]));
  const clientById = new Map(options.clients.map((client) => [client.clientId, client]));
  const key = await loadSigningKey(options.keyFile);
  const publicKey = await importJWK({ kty: key.kty, n: key.n, e: key.e }, 'RS256');

  // The issuer needs the listening port, so requests arriving before the provider exists get a 503.
  const started: { provider?: Provider } = {};
  const server: Server = createServer((req, res) => {
    const ready = started.provider;
    if (!ready) return void sendJson(res, 503, { error: 'temporarily_unavailable' });
    route(ready, req, res).catch((error: Error) => {
      process.stderr.write(`identity provider: ${req.method} ${req.url}: ${error.stack ?? error.message}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: error.message });
      else res.end();
    });
  });
  await listen(server, options.port ?? 0, host);
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  const issuer = `${url}/${poolId}`;
  const endpoints = {
    authorize: `${url}/oauth2/authorize`,
    token: `${url}/oauth2/token`,
    userInfo: `${url}/oauth2/userInfo`,
    logout: `${url}/logout`,
  };

  const OidcProvider = await importOidcProvider();
  const provider = new OidcProvider(issuer, {
    adapter: memoryAdapter(),
    clients: options.clients.map(oidcClientMetadata),
    jwks: { keys: [key] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: [...OIDC_SCOPES, ...resourceServers.flatMap((rs) => rs.scopes.map((s) => `${rs.identifier}/${s}`))],
    claims: {
      openid: ['sub', 'token_use', 'cognito:username', 'cognito:groups'],
      email: ['email', 'email_verified'],
    },
    // Cognito puts the user's claims in the ID token even when an access token is issued too.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    findAccount: async (_ctx: OidcContext, sub: string) => {
      const user = userBySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async (use: string) => ({
          sub,
          ...(use === 'id_token' ? { token_use: 'id' } : {}),
          'cognito:username': user.username,
          ...(user.groups?.length ? { 'cognito:groups': [...user.groups] } : {}),
          email: user.email,
          email_verified: user.emailVerified ?? true,
        }),
      };
    },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Cognito has no resource indicators: every token is for the one synthetic resource covering all scopes.
        defaultResource: async () => ACCESS_TOKEN_AUDIENCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: OidcContext, _resource: string, client: OidcClient) => ({
          scope: (clientById.get(client.clientId)?.scopes ?? []).join(' '),
          audience: ACCESS_TOKEN_AUDIENCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttl,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    formats: {
      customizers: {
        jwt: async (ctx: OidcContext, token: { accountId?: string }, jwt: JwtParts) => {
          // Cognito's access token header is just { kid, alg }: drop oidc-provider's `typ: at+jwt`.
          jwt.header = { typ: undefined };
          const iat = Math.floor(now() / 1000);
          const user = token.accountId ? userBySub.get(token.accountId) : undefined;
          const authTime = ctx.oidc.entities.AuthorizationCode?.authTime ?? ctx.oidc.entities.RefreshToken?.authTime;
          Object.assign(jwt.payload, {
            token_use: 'access',
            auth_time: user ? (authTime ?? iat) : iat,
            iat,
            exp: iat + ttl,
            version: 2,
            ...(user ? { username: user.username } : {}),
            ...(user?.groups?.length ? { 'cognito:groups': [...user.groups] } : {}),
          });
        },
      },
    },
    interactions: { url: async (_ctx: OidcContext, interaction: OidcInteraction) => loginPath(interaction.uid) },
    // Every local client is first-party: consent is granted without asking, as Cognito's hosted UI does.
    loadExistingGrant: async (ctx: OidcContext) => {
      const { client, session, result } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const scopes = clientById.get(client.clientId)?.scopes ?? [];
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(scopes.filter((s) => OIDC_SCOPES.includes(s)).join(' '));
      grant.addResourceScope(ACCESS_TOKEN_AUDIENCE, scopes.join(' '));
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx: OidcContext, client: OidcClient) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: false,
    renderError: async (ctx: OidcContext, out: Record<string, string | undefined>) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage('The sign-in request cannot go on', out);
    },
    routes: {
      authorization: '/oauth2/authorize',
      token: '/oauth2/token',
      userinfo: '/oauth2/userInfo',
      end_session: '/logout',
      revocation: '/oauth2/revoke',
      jwks: `/${poolId}/.well-known/jwks.json`,
    },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      IdToken: ttl,
      AuthorizationCode: AUTHORIZATION_CODE_TTL,
      RefreshToken: REFRESH_TOKEN_TTL,
      Interaction: 3600,
      Session: SESSION_TTL,
      Grant: REFRESH_TOKEN_TTL,
    },
  });
  provider.on('server_error', (_ctx, error) => {
    process.stderr.write(`identity provider: ${(error as Error).stack ?? String(error)}\n`);
  });

  started.provider = provider;
  const callback = provider.callback();

  async function route(oidc: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
    if (path === `/${poolId}/.well-known/openid-configuration`) {
      // oidc-provider serves discovery at its mount root; Cognito serves it under the issuer path.
      req.url = '/.well-known/openid-configuration';
      return callback(req, res);
    }
    if (path === '/.well-known/openid-configuration') return sendJson(res, 404, { error: 'not_found' });
    if (path === '/oauth2/userInfo') return userInfo(req, res);
    if (path === '/logout' && req.method === 'GET') return logout(oidc, req, res);
    if (path === '/login') return login(oidc, req, res);
    if (path === '/oauth2/token' && req.method === 'POST') return token(req, res);
    return callback(req, res);
  }

  /** Cognito-compatible token requests, then oidc-provider: secrets in the body, default and unknown scopes. */
  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (raw === undefined) return sendJson(res, 413, { error: 'invalid_request', error_description: 'body too large' });
    const form = new URLSearchParams(raw.toString('utf8'));
    const headers = { ...req.headers };
    const bodySecret = form.get('client_secret');
    if (bodySecret !== null && !headers.authorization) {
      // Cognito accepts client_secret_basic and client_secret_post for the same client; oidc-provider one per client.
      const id = form.get('client_id') ?? '';
      headers.authorization = `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(bodySecret)}`).toString('base64')}`;
      form.delete('client_secret');
      form.delete('client_id');
    }
    if (form.get('grant_type') === 'client_credentials') {
      const client = clientById.get(basicClientId(headers.authorization) ?? '');
      if (client) {
        const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
        const unknown = requested.filter((s) => !client.scopes.includes(s));
        if (unknown.length > 0 && secretMatches(client, headers.authorization)) {
          return sendJson(res, 400, {
            error: 'invalid_scope',
            error_description: `scope ${unknown.join(' ')} is not allowed for client ${client.clientId}`,
          });
        }
        // Cognito grants every allowed custom scope when the request names none.
        if (requested.length === 0) form.set('scope', client.scopes.join(' '));
      }
    }
    const body = Buffer.from(form.toString());
    const forwarded = new IncomingMessage(req.socket);
    forwarded.method = req.method;
    forwarded.url = req.url;
    forwarded.httpVersion = req.httpVersion;
    forwarded.httpVersionMajor = req.httpVersionMajor;
    forwarded.httpVersionMinor = req.httpVersionMinor;
    forwarded.headers = {
      ...headers,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(body.length),
    };
    delete forwarded.headers['transfer-encoding'];
    // Marked complete so that ending this stand-in message does not destroy the shared socket.
    forwarded.complete = true;
    forwarded.push(body);
    forwarded.push(null);
    callback(forwarded, res);
  }

  /** GET/POST /oauth2/userInfo with a user's access token: `sub`, `username`, `email`, `email_verified`. */
  async function userInfo(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const deny = (description: string) => {
      res.setHeader('www-authenticate', `Bearer error="invalid_token", error_description="${description}"`);
      sendJson(res, 401, { error: 'invalid_token', error_description: description });
    };
    if (req.method !== 'GET' && req.method !== 'POST') {
      return sendJson(res, 405, { error: 'invalid_request', error_description: 'use GET or POST' });
    }
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return deny('Access token is missing: send Authorization: Bearer <access token>');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(match[1] as string, publicKey, {
        issuer,
        algorithms: ['RS256'],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      return deny(`Invalid access token: ${(error as Error).message}`);
    }
    if (claims.token_use !== 'access') return deny('Access token is not an access token (token_use)');
    const user = typeof claims.username === 'string' ? userByName.get(claims.username) : undefined;
    if (!user) return deny('Access token does not belong to a user of this pool');
    if (
      !String(claims.scope ?? '')
        .split(' ')
        .includes('openid')
    ) {
      return deny('Access token does not have the openid scope');
    }
    // Cognito's userInfo returns email_verified as a string.
    sendJson(res, 200, {
      sub: user.sub,
      email_verified: String(user.emailVerified ?? true),
      email: user.email,
      username: user.username,
    });
  }

  /** Cognito's GET /logout?client_id=…&logout_uri=…: ends the session and redirects. */
  async function logout(oidc: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = new URL(req.url ?? '/', url).searchParams;
    const clientId = query.get('client_id') ?? '';
    const client = clientById.get(clientId);
    const fail = (problem: string) =>
      sendHtml(res, 400, renderErrorPage('The sign-out request cannot go on', { error: 'invalid_request', problem }));
    if (!client) return fail(`client_id "${clientId}" is not a client in local/identity.json`);
    const logoutUri = query.get('logout_uri');
    const redirectUri = query.get('redirect_uri');
    let location: string;
    if (logoutUri !== null) {
      if (!(client.logoutUrls ?? []).includes(logoutUri)) {
        return fail(`logout_uri "${logoutUri}" is not one of ${clientId}'s logoutUrls in local/identity.json`);
      }
      location = logoutUri;
    } else if (redirectUri !== null) {
      if (!(client.callbackUrls ?? []).includes(redirectUri)) {
        return fail(`redirect_uri "${redirectUri}" is not one of ${clientId}'s callbackUrls in local/identity.json`);
      }
      // Cognito: sign out, then start a new sign-in with the same parameters.
      location = `${endpoints.authorize}?${query.toString()}`;
    } else {
      return fail('give logout_uri (or redirect_uri with response_type) as Cognito requires');
    }
    const sessionId = cookie(req, '_session');
    if (sessionId) await (await oidc.Session.find(sessionId))?.destroy();
    res.setHeader('set-cookie', [
      '_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax',
      '_session.sig=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax',
    ]);
    res.writeHead(302, { location });
    res.end();
  }

  /** The sign-in page of an interaction: GET shows the form, POST checks the password. */
  async function login(oidc: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let interaction: OidcInteraction;
    try {
      interaction = await oidc.interactionDetails(req, res);
    } catch {
      return sendHtml(
        res,
        400,
        renderErrorPage('This sign-in has expired', {
          problem: 'the sign-in session was not found (expired, or cookies are blocked)',
          'what to do': 'go back to the application and sign in again',
        }),
      );
    }
    const clientId = String(interaction.params.client_id ?? '');
    const action = loginPath(interaction.uid);
    if (req.method === 'GET') return sendHtml(res, 200, renderLoginPage({ action, clientId }));
    if (req.method !== 'POST')
      return sendJson(res, 405, { error: 'invalid_request', error_description: 'use GET or POST' });
    const raw = await readBody(req);
    const form = new URLSearchParams(raw?.toString('utf8') ?? '');
    const username = form.get('username') ?? '';
    const user = userByName.get(username);
    if (!user || !equalSecrets(user.password, form.get('password') ?? '')) {
      return sendHtml(
        res,
        200,
        renderLoginPage({ action, clientId, username, error: 'Incorrect username or password.' }),
      );
    }
    await oidc.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }

  async function issueClientCredentialsToken(clientId: string, scopes?: readonly string[]): Promise<string> {
    const client = clientById.get(clientId);
    if (!client) {
      throw new OAuthError('invalid_client', 401, `no client "${clientId}" in the identity provider's clients`);
    }
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scopes && scopes.length > 0) body.set('scope', scopes.join(' '));
    const response = await fetch(endpoints.token, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(client.clientSecret)}`).toString('base64')}`,
      },
      body,
    });
    const answer = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!response.ok || !answer.access_token) {
      throw new OAuthError(answer.error ?? 'server_error', response.status, answer.error_description ?? '');
    }
    return answer.access_token;
  }

  return {
    issuer,
    url,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    endpoints,
    issueClientCredentialsToken,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Cognito-like `sub`: a stable UUID derived from the pool and username. */
export function userSub(poolId: string, username: string): string {
  const hex = createHash('sha256').update(`${poolId}\0${username}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface JwtParts {
  header: Record<string, unknown> | undefined;
  payload: Record<string, unknown>;
}

function oidcClientMetadata(client: IdentityClient): Record<string, unknown> {
  const common = {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    scope: client.scopes.join(' '),
    token_endpoint_auth_method: 'client_secret_basic',
  };
  if (client.type === 'machine') {
    return { ...common, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
  }
  return {
    ...common,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [...(client.callbackUrls ?? [])],
    post_logout_redirect_uris: [...(client.logoutUrls ?? [])],
  };
}

function checkClientScopes(
  clients: readonly IdentityClient[],
  resourceServers: readonly ResourceServerDeclaration[],
): void {
  const declared = new Set(resourceServers.flatMap((rs) => rs.scopes.map((s) => `${rs.identifier}/${s}`)));
  for (const client of clients) {
    for (const scope of client.scopes) {
      if (!OIDC_SCOPES.includes(scope) && !declared.has(scope)) {
        throw new Error(
          `identity client "${client.clientId}": scope "${scope}" is not a scope of the system's resourceServers` +
            ` (declared: ${[...declared].join(', ') || 'none'}); declare it in system.ts or remove it from local/identity.json`,
        );
      }
    }
  }
}

function loginPath(uid: string): string {
  return `/login?interaction=${encodeURIComponent(uid)}`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? Object.assign(
              new Error(
                `identity provider: port ${port} on ${host} is in use; stop what uses it or choose another port`,
              ),
              { code: 'EADDRINUSE' },
            )
          : error,
      );
    });
    server.listen(port, host, resolve);
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** application/x-www-form-urlencoded encoding, which HTTP Basic client credentials use (RFC 6749 §2.3.1). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function basicCredentials(authorization: string | undefined): [string, string] | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const decode = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
  try {
    return [decode(decoded.slice(0, colon)), decode(decoded.slice(colon + 1))];
  } catch {
    return undefined;
  }
}

function basicClientId(authorization: string | undefined): string | undefined {
  return basicCredentials(authorization)?.[0];
}

/** True when the Basic credentials carry this client's secret (a wrong secret must answer invalid_client first). */
function secretMatches(client: IdentityClient, authorization: string | undefined): boolean {
  const credentials = basicCredentials(authorization);
  return credentials !== undefined && equalSecrets(client.clientSecret, credentials[1]);
}

function equalSecrets(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}
