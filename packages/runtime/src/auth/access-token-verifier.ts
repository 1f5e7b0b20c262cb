// Verifies Cognito-shaped access tokens (RS256) in the app, caching each verified token until it expires.

import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { AuthError } from './auth-error.js';
import { createKeyFetcher } from './key-fetcher.js';

export interface AccessTokenClaims {
  readonly sub: string;
  readonly client_id: string;
  readonly scope: string;
  readonly token_use: 'access';
  readonly exp: number;
  readonly username?: string;
  readonly 'cognito:groups'?: readonly string[];
}

export interface AccessTokenVerifierOptions {
  /** Token issuer. In AWS `https://cognito-idp.<region>.amazonaws.com/<poolId>`. @default process.env.AUTH_ISSUER */
  readonly issuer?: string;
  /** JWKS URL. @default process.env.AUTH_JWKS_URI, else `<issuer>/.well-known/jwks.json` */
  readonly jwksUri?: string;
  /** Client ids allowed to call; null allows any client of the issuer. @default null */
  readonly clientIds?: readonly string[] | null;
  /** Verified tokens kept in memory (oldest evicted first). @default 10000 */
  readonly cacheSize?: number;
}

export interface AccessTokenVerifier {
  /** The token's claims; an AuthError (`invalid_token`) for anything not a valid, unexpired access token. */
  verify(token: string): Promise<AccessTokenClaims>;
  /** Verified tokens currently cached. */
  readonly cacheEntries: number;
}

/** Clock skew allowed on `iat`, the same as the local load balancer's. */
export const IAT_TOLERANCE_SECONDS = 30;

/**
 * The load balancer validated the token already; the app verifies it again (defence in depth: a request that
 * reaches the task some other way gains nothing). Verification is memoized per token string until `exp`, so a
 * client reusing its token pays for the signature check once.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions = {}): AccessTokenVerifier {
  const issuer = options.issuer ?? process.env.AUTH_ISSUER;
  if (!issuer) throw new Error('AUTH_ISSUER is not set: the access token issuer (Cognito user pool) is required');
  const jwksUri = options.jwksUri ?? process.env.AUTH_JWKS_URI ?? `${issuer}/.well-known/jwks.json`;
  const clientIds = options.clientIds ?? null;
  const cacheSize = options.cacheSize ?? 10_000;
  const verifier = JwtRsaVerifier.create(
    {
      issuer,
      jwksUri,
      audience: null,
      customJwtCheck: ({ payload }: { payload: JwtPayload }) => {
        // aws-jwt-verify checks exp only when present and never iat; ALB jwt-validation requires exp and refuses an
        // iat in the future, and the app holds tokens to the same rules so bypassing the load balancer gains nothing.
        if (typeof payload.exp !== 'number') throw new Error('it has no exp claim');
        if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + IAT_TOLERANCE_SECONDS) {
          throw new Error('its iat claim is in the future');
        }
        if (payload.token_use !== 'access')
          throw new Error(`token_use is "${String(payload.token_use)}", not "access"`);
        if (typeof payload.client_id !== 'string') throw new Error('client_id is missing');
        if (clientIds && !clientIds.includes(payload.client_id)) throw new Error('client_id is not allowed');
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: createKeyFetcher() }) },
  );
  const cache = new Map<string, AccessTokenClaims>();

  return {
    get cacheEntries() {
      return cache.size;
    },
    async verify(token: string): Promise<AccessTokenClaims> {
      const cached = cache.get(token);
      if (cached) {
        if (cached.exp * 1000 > Date.now()) return cached;
        cache.delete(token);
      }
      let payload: JwtPayload;
      try {
        payload = await verifier.verify(token);
      } catch (error) {
        throw new AuthError('invalid_token', `access token rejected: ${(error as Error).message}`, { cause: error });
      }
      const claims = { ...payload, scope: typeof payload.scope === 'string' ? payload.scope : '' } as AccessTokenClaims;
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(token, claims);
      return claims;
    },
  };
}

/** Throws `insufficient_scope` (403) unless the token grants `scope`. */
export function requireScope(claims: AccessTokenClaims, scope: string): void {
  if (!claims.scope.split(' ').includes(scope)) {
    throw new AuthError('insufficient_scope', `this request needs the scope "${scope}"`);
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive, RFC 7235 §2.1). No header,
 * another scheme or an empty token is `missing_token` (RFC 6750 §3.1: answered without an error code); a token with
 * characters no JWT has is `invalid_token`.
 */
export function bearerToken(header: string | undefined): string {
  const scheme = header === undefined ? null : /^bearer(?: +|$)/i.exec(header);
  const token = scheme && header !== undefined ? header.slice(scheme[0].length).trim() : '';
  if (token === '')
    throw new AuthError('missing_token', 'send the access token as "Authorization: Bearer <access token>"');
  if (!/^[A-Za-z0-9._~+/=-]+$/.test(token)) throw new AuthError('invalid_token', 'the bearer token is malformed');
  return token;
}
