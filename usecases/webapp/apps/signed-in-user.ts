// Who is signed in: only ever the claims of a verified x-amzn-oidc-data header, checked on every request.

import { AuthError, type AlbIdentityVerifier } from '@hello-fargate/runtime/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderErrorPage } from './render-error-page.js';
import { sendPage } from './send-page.js';

export interface SignedInUser {
  /** The IdP's subject (Cognito `sub`). */
  readonly sub: string;
  /** Lower-case email: the key that maps the user to a backend customer. */
  readonly email: string;
  /** Display name for a new customer: `name`, else `username`, else the email's local part. */
  readonly name: string;
}

export const IDENTITY_HEADER = 'x-amzn-oidc-data';

const users = new WeakMap<FastifyRequest, SignedInUser>();

/** The user of a request that passed `identifyUser`, or undefined (a public route, or refused before). */
export function findSignedInUser(request: FastifyRequest): SignedInUser | undefined {
  return users.get(request);
}

/** The user of a request that passed `identifyUser`; throws when a route forgot to require one. */
export function signedInUser(request: FastifyRequest): SignedInUser {
  const user = users.get(request);
  if (!user) throw new Error(`no signed-in user on ${request.method} ${request.url}: the identity hook did not run`);
  return user;
}

/**
 * An onRequest hook: verifies `x-amzn-oidc-data` (signature, signer = our ALB, client = our app client, issuer,
 * expiry) and records the user, or answers 401 before any handler or backend call runs. `x-amzn-oidc-identity` is
 * never read: it is a plain header that only the signed one vouches for. Routes whose pattern is in `publicRoutes`
 * (health check, stylesheet) pass without identity; a request that matches no route needs one too.
 */
export function identifyUser(verifier: AlbIdentityVerifier, publicRoutes: ReadonlySet<string>) {
  return async function identify(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const route = request.routeOptions.url;
    if (route !== undefined && publicRoutes.has(route)) return undefined;
    const header = request.headers[IDENTITY_HEADER];
    let claims: Record<string, unknown>;
    try {
      claims = await verifier.verify(typeof header === 'string' ? header : undefined);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      request.log.warn({ code: error.code }, `identity refused: ${error.message}`);
      return sendPage(
        reply,
        401,
        renderErrorPage({
          title: 'Sign-in required',
          message:
            'This app only serves people signed in through its load balancer, and this request did not carry a ' +
            'valid sign-in. Open the app at its public address (locally, the URL `npm start` prints for the ' +
            'webapp listener) and sign in there.',
          requestId: request.id,
        }),
      );
    }
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (email === '') {
      return sendPage(
        reply,
        403,
        renderErrorPage({
          title: 'An email address is needed',
          message:
            'Your account has no email address, and orders are kept by email. Ask an administrator to add one to ' +
            'your user, then sign in again.',
          requestId: request.id,
        }),
      );
    }
    users.set(request, { sub: String(claims.sub), email, name: displayName(claims, email) });
    return undefined;
  };
}

function displayName(claims: Record<string, unknown>, email: string): string {
  for (const claim of ['name', 'username', 'cognito:username']) {
    const value = claims[claim];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200);
  }
  return email.split('@')[0] || email;
}
