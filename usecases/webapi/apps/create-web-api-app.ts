// The webapi's HTTP app: createHttpApp with token verification, per-client rate limits, the order routes and OpenAPI.

import rateLimit from '@fastify/rate-limit';
import { createHttpApp, HttpError, type Logger, type ServiceClient } from '@hello-fargate/runtime';
import type { AccessTokenVerifier } from '@hello-fargate/runtime/auth';
import type { FastifyInstance } from 'fastify';
import { buildOpenApiDocument, type DocumentedRoute } from './build-open-api-document.js';
import { accessTokenOf, createAuthHook, type RouteAuthConfig } from './create-auth-hook.js';
import { orderRoutes } from './order-routes.js';

export interface WebApiAppOptions {
  /** The backend, reached through Service Connect (`createServiceClient('backend')`). */
  readonly backend: ServiceClient;
  /** Verifies access tokens (`createAccessTokenVerifier()`). */
  readonly verifier: AccessTokenVerifier;
  /** @default createLogger() */
  readonly logger?: Logger;
  /** Largest request body in bytes; larger is answered 413. @default 65536 (64 KB) */
  readonly bodyLimit?: number;
  /**
   * Requests a client (the token's `client_id`) may make per window, per task: with N tasks behind the load balancer a
   * client gets up to N times this. Fixed windows, so a burst of `rateLimitMax` is allowed at any moment. @default 100
   */
  readonly rateLimitMax?: number;
  /** Length of a rate limit window in milliseconds. @default 1000 */
  readonly rateLimitWindowMs?: number;
  /** Longest Authorization header accepted, in bytes. @default 8192 */
  readonly maxAuthorizationBytes?: number;
}

/** Paths answered without a token: the load balancer's health check and the API description. */
const PUBLIC_ROUTES = ['/health', '/openapi.json'];

/**
 * Hooks run in this order for every request: request id (createHttpApp), token and scope (rejects with 401/403),
 * rate limit by client (429), then body parsing and schema validation (400/413/415), then the handler.
 */
export function createWebApiApp(options: WebApiAppOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  const rateLimitMax = options.rateLimitMax ?? 100;
  const rateLimitWindowMs = options.rateLimitWindowMs ?? 1000;
  const app = createHttpApp({
    ...(options.logger ? { logger: options.logger } : {}),
    bodyLimit,
    trustProxy: true,
  });

  app.addHook(
    'onRequest',
    createAuthHook({
      verifier: options.verifier,
      publicRoutes: PUBLIC_ROUTES,
      ...(options.maxAuthorizationBytes !== undefined ? { maxAuthorizationBytes: options.maxAuthorizationBytes } : {}),
    }),
  );

  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (PUBLIC_ROUTES.includes(route.url)) return;
    for (const method of methods.filter((m) => m !== 'HEAD')) {
      routes.push({
        method,
        url: route.url,
        schema: route.schema as DocumentedRoute['schema'],
        scope: (route.config as RouteAuthConfig | undefined)?.scope,
      });
    }
  });

  // Added to each route registered after it, so it runs after the token hook: the key is the verified client_id.
  void app.register(rateLimit, {
    max: rateLimitMax,
    timeWindow: rateLimitWindowMs,
    keyGenerator: (request) => accessTokenOf(request)?.client_id ?? request.ip,
    allowList: (request) => accessTokenOf(request) === undefined,
    onExceeded: (request, key) => request.log.warn({ clientId: key }, `client ${key} is over its rate limit`),
    errorResponseBuilder: (_request, context) =>
      new HttpError(
        context.statusCode,
        'too_many_requests',
        `over ${context.max} requests per ${rateLimitWindowMs} ms for this client; retry in ${context.after}`,
      ),
  });

  void app.register(async (api) => {
    orderRoutes(api, options.backend);
    let document: Record<string, unknown> | undefined;
    api.get('/openapi.json', async () => {
      document ??= buildOpenApiDocument({
        routes,
        rateLimitPerSecond: Math.round((rateLimitMax * 1000) / rateLimitWindowMs),
        bodyLimit,
      });
      return document;
    });
  });
  return app;
}
