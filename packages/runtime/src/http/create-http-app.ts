// createHttpApp: a fastify instance with the platform's request ids, logging, health check, limits and JSON errors.

import fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createLogger, type Logger } from '../logger.js';
import { AccessLogController } from './access-log.js';
import { answerError, answerNotFound } from './error-answers.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';

export interface HealthOptions {
  /** Path of the health check (the workload's `healthCheck.path`). @default '/health' */
  readonly path?: string;
  /**
   * Readiness check run on every health request, e.g. `select 1` on the database; throwing or rejecting answers 503.
   * @default - none: healthy while the process answers
   */
  readonly check?: () => unknown;
  /** Milliseconds the check may take before it counts as failed. @default 2000 */
  readonly timeoutMs?: number;
}

export interface HttpAppOptions {
  /** Logger; each request logs through a child carrying `requestId`. @default createLogger() */
  readonly logger?: Logger;
  /** Largest request body in bytes; a larger one is answered 413. @default 102400 (100 KB) */
  readonly bodyLimit?: number;
  /** The health check route. @default - `GET /health` answering `{ status: 'ok' }` */
  readonly health?: HealthOptions;
  /**
   * Trust `x-forwarded-*` from the load balancer for `request.ip` and `request.protocol` (webapp, webapi behind an
   * ALB). @default false
   */
  readonly trustProxy?: boolean;
}

/**
 * A fastify instance configured the platform's way:
 * - request id from a valid `x-request-id` (else a new ULID), echoed in the response and on every log line;
 * - one access log line per request; errors answered as `{ error: { code, message, requestId, details? } }`;
 * - schema validation reports every problem with its path, and rejects fields a schema does not allow
 *   (`additionalProperties: false`) instead of silently dropping them. As fastify does by default, scalar values are
 *   coerced to the schema's type (`"2"` → `2`), which query strings and path parameters need.
 */
export function createHttpApp(options: HttpAppOptions = {}): FastifyInstance {
  const logger = options.logger ?? createLogger();
  const healthPath = options.health?.path ?? '/health';
  const healthTimeoutMs = options.health?.timeoutMs ?? 2000;
  const check = options.health?.check;

  const app = fastify({
    // Typed as fastify's base logger so apps get the plain FastifyInstance type; it is our pino logger at run time.
    loggerInstance: logger as FastifyBaseLogger,
    logController: new AccessLogController(),
    bodyLimit: options.bodyLimit ?? 100 * 1024,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: (request) => requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    // During a drain, requests arriving on open keep-alive connections are still served (with `Connection: close`)
    // rather than answered with fastify's own 503 body, which would not have our error shape.
    return503OnClosing: false,
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.setErrorHandler(answerError);
  app.setNotFoundHandler(answerNotFound);

  app.get(
    healthPath,
    {
      schema: {
        response: {
          200: { type: 'object', properties: { status: { type: 'string' } } },
          503: { type: 'object', properties: { status: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      if (!check) return { status: 'ok' };
      try {
        await withTimeout(Promise.resolve().then(check), healthTimeoutMs);
        return { status: 'ok' };
      } catch (error) {
        request.log.warn({ err: error }, `health check failed: ${(error as Error)?.message ?? String(error)}`);
        return reply.code(503).send({ status: 'unavailable' });
      }
    },
  );
  return app;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the health check took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
