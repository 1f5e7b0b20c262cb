// The load balancer's side of the OIDC authorization code flow: discovery, code exchange, ID token, userInfo.

import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

/**
 * A failed exchange with the IdP. `status` is what ALB answers: 500 when the IdP cannot be reached (or its answer
 * is unusable), 561 when the IdP answered with an error.
 */
export class IdpError extends Error {
  override readonly name = 'IdpError';
  constructor(
    readonly status: 500 | 561,
    message: string,
  ) {
    super(message);
  }
}

interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly userinfo_endpoint: string;
  readonly jwks_uri?: string;
  readonly token_endpoint_auth_methods_supported?: string[];
}

export interface TokenSet {
  readonly accessToken: string;
  readonly idToken: string | undefined;
}

export interface OidcClientOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

const TIMEOUT_MS = 5_000;

async function call(what: string, url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new IdpError(500, `Could not reach the IdP ${what} at ${url}: ${(error as Error).message}.`);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new IdpError(561, `The IdP ${what} at ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new IdpError(500, `The IdP ${what} at ${url} did not answer JSON.`);
  }
}

export class OidcClient {
  private discovery: Promise<Discovery> | undefined;
  private idTokenKeys: JWTVerifyGetKey | undefined;

  constructor(private readonly options: OidcClientOptions) {}

  /** The discovery document, read once (retried on the next request if it failed). */
  configuration(): Promise<Discovery> {
    const url = `${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    this.discovery ??= call('discovery document', url).then((document) => {
      for (const field of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint']) {
        if (typeof document[field] !== 'string') {
          throw new IdpError(500, `The discovery document at ${url} has no ${field}.`);
        }
      }
      return document as unknown as Discovery;
    });
    this.discovery.catch(() => (this.discovery = undefined));
    return this.discovery;
  }

  /** Exchanges the code (client_secret_basic unless the IdP only supports client_secret_post). */
  async exchangeCode(code: string, redirectUri: string, codeVerifier: string): Promise<TokenSet> {
    const { token_endpoint, token_endpoint_auth_methods_supported: methods } = await this.configuration();
    const { clientId, clientSecret } = this.options;
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: codeVerifier,
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      const encode = (value: string) => encodeURIComponent(value);
      headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
    }
    const tokens = await call('token endpoint', token_endpoint, { method: 'POST', headers, body: form.toString() });
    if (typeof tokens.access_token !== 'string') {
      throw new IdpError(561, `The IdP token endpoint at ${token_endpoint} returned no access_token.`);
    }
    return {
      accessToken: tokens.access_token,
      idToken: typeof tokens.id_token === 'string' ? tokens.id_token : undefined,
    };
  }

  /** Checks the ID token's signature, iss, aud and nonce (when the IdP publishes a jwks_uri). */
  async verifyIdToken(idToken: string, nonce: string): Promise<void> {
    const { jwks_uri } = await this.configuration();
    if (!jwks_uri) return;
    this.idTokenKeys ??= createRemoteJWKSet(new URL(jwks_uri));
    try {
      const { payload } = await jwtVerify(idToken, this.idTokenKeys, {
        issuer: this.options.issuer,
        audience: this.options.clientId,
        clockTolerance: 30,
      });
      if (payload.nonce !== undefined && payload.nonce !== nonce) throw new Error('nonce does not match the request');
    } catch (error) {
      throw new IdpError(561, `The IdP returned an ID token that does not verify: ${(error as Error).message}.`);
    }
  }

  async userInfo(accessToken: string): Promise<Record<string, unknown>> {
    const { userinfo_endpoint } = await this.configuration();
    const claims = await call('userInfo endpoint', userinfo_endpoint, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (typeof claims.sub !== 'string') {
      throw new IdpError(561, `The IdP userInfo endpoint at ${userinfo_endpoint} returned no 'sub'.`);
    }
    return claims;
  }
}
