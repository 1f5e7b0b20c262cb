// The onRequest hook that verifies the Bearer access token and the route's scope before anything else runs.

import {
  type AccessTokenClaims,
  type AccessTokenVerifier,
  AuthError,
  bearerToken,
  requireScope,
} from '@hello-fargate/runtime/auth';
import { HttpError } from '@hello-fargate/runtime';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';

/** What a route declares in its `config` for the hook. */
export interface RouteAuthConfig {
  /** Scope the token must grant, e.g. `orders/read`. @default - none: any valid access token */
  readonly scope?: string;
}

export interface AuthHookOptions {
  /** Verifies the token's signature, issuer, expiry, token_use and client. */
  readonly verifier: AccessTokenVerifier;
  /** Route paths (as declared) answered without a token. @default ['/health', '/openapi.json'] */
  readonly publicRoutes?: readonly string[];
  /**
   * Longest Authorization header accepted, in bytes. Cognito access tokens are 1–2 KB; anything far larger is refused
   * before its signature is checked. @default 8192
   */
  readonly maxAuthorizationBytes?: number;
}

/** The verified claims of each authenticated request (a WeakMap, so fastify's request type stays untouched). */
const verifiedClaims = new WeakMap<FastifyRequest, AccessTokenClaims>();

/** The verified access token of a request that passed the hook; undefined on public routes. */
export function accessTokenOf(request: FastifyRequest): AccessTokenClaims | undefined {
  return verifiedClaims.get(request);
}

/**
 * Every route except the public ones needs `Authorization: Bearer <access token>`, verified here again although the
 * ALB validated it already: a request that reached the task some other way must gain nothing. Unknown routes need a
 * token too (deny by default), so an unauthenticated caller cannot map the API. A rejected request is answered from
 * this hook: no body is parsed and no handler runs.
 */
export function createAuthHook(options: AuthHookOptions): onRequestAsyncHookHandler {
  const publicRoutes = new Set(options.publicRoutes ?? ['/health', '/openapi.json']);
  const maxAuthorizationBytes = options.maxAuthorizationBytes ?? 8192;
  const { verifier } = options;

  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const route = request.routeOptions.url;
    if (route !== undefined && publicRoutes.has(route)) return;
    const scope = (request.routeOptions.config as RouteAuthConfig | undefined)?.scope;
    try {
      const token = tokenOf(request.headers.authorization, maxAuthorizationBytes);
      const claims = await verifier.verify(token);
      if (scope) requireScope(claims, scope);
      verifiedClaims.set(request, claims);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      // The access line has the code; the reason (which claim, which check) is for debugging a partner's client.
      request.log.debug({ reason: error.message }, `access token refused: ${error.code}`);
      void reply.header('www-authenticate', challenge(error, scope));
      throw new HttpError(error.status, error.code, error.message);
    }
  };
}

/** The bearer token, refusing a header far larger than any Cognito access token before its signature is checked. */
function tokenOf(header: string | undefined, maxBytes: number): string {
  if (header !== undefined && Buffer.byteLength(header) > maxBytes) {
    throw new AuthError('invalid_token', `the Authorization header is over ${maxBytes} bytes`);
  }
  return bearerToken(header);
}

/** RFC 6750 §3: no error code when no token was sent, else the code (and the scope that was missing). */
function challenge(error: AuthError, scope: string | undefined): string {
  if (error.code === 'missing_token') return 'Bearer';
  if (error.code === 'insufficient_scope') return `Bearer error="insufficient_scope", scope="${scope ?? ''}"`;
  return 'Bearer error="invalid_token"';
}
