// The webapp's HTTP app: createHttpApp plus identity on every page, same-origin POSTs, HTML errors and the routes.

import formbody from '@fastify/formbody';
import {
  createHttpApp,
  createServiceClient,
  type Logger,
  type ServiceClient,
  ServiceError,
} from '@hello-fargate/runtime';
import { type AlbIdentityVerifier, createAlbIdentityVerifier } from '@hello-fargate/runtime/auth';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkSameOrigin } from './check-same-origin.js';
import { createOrdersApi } from './orders-api.js';
import { orderRoutes } from './order-routes.js';
import { renderErrorPage } from './render-error-page.js';
import { sendPage } from './send-page.js';
import { findSignedInUser, identifyUser } from './signed-in-user.js';
import { signOutRoute } from './sign-out-route.js';
import { STYLESHEET, STYLESHEET_PATH } from './stylesheet.js';

export interface WebAppOptions {
  /**
   * Verifies the load balancer's `x-amzn-oidc-data`.
   * @default createAlbIdentityVerifier() — from ALB_ARN, OIDC_ISSUER, OIDC_CLIENT_ID and ALB_KEYS_URL (all required)
   */
  readonly verifier?: AlbIdentityVerifier;
  /** The orders API. @default createServiceClient('backend') — from BACKEND_URL (required) */
  readonly backend?: ServiceClient;
  /** The IdP logout URL Sign out sends the browser to. @default process.env.LOGOUT_URL (required) */
  readonly logoutUrl?: string;
  /** @default createLogger() */
  readonly logger?: Logger;
  /**
   * Take the scheme from `X-Forwarded-Proto` (the ALB terminates TLS), for the same-origin check and `Secure`
   * cookies. Only the load balancer can reach the tasks (security groups), so the header is its own. @default true
   */
  readonly trustProxy?: boolean;
}

const HEALTH_PATH = '/health';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The webapp. Reads its configuration once, here, so a missing variable stops the task at start, not per request. */
export function createWebApp(options: WebAppOptions = {}): FastifyInstance {
  const logoutUrl = options.logoutUrl ?? process.env.LOGOUT_URL;
  if (!logoutUrl) throw new Error('LOGOUT_URL is not set: the webapp needs the IdP logout URL for Sign out');
  const verifier = options.verifier ?? createAlbIdentityVerifier();
  const api = createOrdersApi(options.backend ?? createServiceClient('backend'));

  const app = createHttpApp({
    ...(options.logger ? { logger: options.logger } : {}),
    trustProxy: options.trustProxy ?? true,
    health: { path: HEALTH_PATH },
  });
  // Everything but /health lives in one plugin scope, with its own hooks and an error handler answering pages
  // (createHttpApp's root handlers answer JSON, which suits the load balancer's health checks).
  void app.register(async (pages) => {
    await pages.register(formbody);

    // Pages hold personal data and work without scripts, so the policy allows no script at all. Sign out's redirect
    // goes to the IdP, which form-action must allow (browsers check a form's redirects too).
    const contentSecurityPolicy = [
      "default-src 'none'",
      "style-src 'self'",
      "img-src 'self'",
      `form-action 'self' ${new URL(logoutUrl).origin}`,
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    pages.addHook('onRequest', async (_request, reply) => {
      void reply.headers({
        'content-security-policy': contentSecurityPolicy,
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'same-origin',
      });
    });
    pages.addHook('onRequest', identifyUser(verifier, new Set([HEALTH_PATH, STYLESHEET_PATH])));
    pages.addHook('onRequest', async (request, reply) => {
      if (SAFE_METHODS.has(request.method)) return;
      const problem = checkSameOrigin(request);
      if (!problem) return;
      request.log.warn(`cross-origin ${request.method} refused: ${problem}`);
      const user = findSignedInUser(request);
      return sendPage(
        reply,
        403,
        renderErrorPage({
          title: 'Form refused',
          message:
            'This form did not come from this app’s own pages, so it was not accepted (protection against ' +
            'cross-site request forgery). Go back to the app, reload the page and send the form again.',
          requestId: request.id,
          ...(user ? { email: user.email } : {}),
        }),
      );
    });

    pages.get(STYLESHEET_PATH, async (_request, reply) =>
      reply
        .header('content-type', 'text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(STYLESHEET),
    );
    orderRoutes(pages, api);
    signOutRoute(pages, logoutUrl);

    // createHttpApp's 404 handler answers JSON; a catch-all route answers pages instead (and needs identity too).
    pages.all('/*', async (request, reply) =>
      sendPage(reply, 404, errorPage(request, 'Page not found', 'There is no page at this address.')),
    );
    pages.setErrorHandler((error: FastifyError, request, reply) => answerWithErrorPage(error, request, reply));
  });
  return app;
}

function answerWithErrorPage(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ServiceError) {
    request.log.error({ err: error, code: error.code, status: error.status }, `backend call failed: ${error.message}`);
    return sendPage(
      reply,
      502,
      errorPage(
        request,
        'Orders are unavailable',
        'The orders service did not answer as expected, so this page cannot be shown right now. Try again in a moment.',
      ),
    );
  }
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return sendPage(reply, status, errorPage(request, 'The request could not be read', `${error.message}.`));
  }
  request.log.error({ err: error }, `unexpected error: ${error.message}`);
  return sendPage(
    reply,
    500,
    errorPage(
      request,
      'Something went wrong',
      'The page failed to load. Try again; if it keeps failing, quote the request id.',
    ),
  );
}

function errorPage(request: FastifyRequest, title: string, message: string): string {
  const email = findSignedInUser(request)?.email;
  return renderErrorPage({ title, message, requestId: request.id, ...(email !== undefined ? { email } : {}) });
}
