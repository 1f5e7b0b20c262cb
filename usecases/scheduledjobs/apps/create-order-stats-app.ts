// order-stats as a service: GET /stats answers the newest snapshot (or computes one), behind an ALB that validates JWTs.

import { createHttpApp, HttpError, type Logger } from '@hello-fargate/runtime';
import { type AccessTokenVerifier, AuthError, bearerToken, requireScope } from '@hello-fargate/runtime/auth';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { latestOrderStatsSnapshot, takeOrderStatsSnapshot } from './order-stats-snapshot.js';

/** The scope a token needs for /stats: partners and staff clients that may read orders. */
export const STATS_SCOPE = 'orders/read';

export interface OrderStatsAppOptions {
  readonly pool: pg.Pool;
  /** Verifies access tokens again in the app (the ALB did first): `createAccessTokenVerifier()`. */
  readonly verifier: AccessTokenVerifier;
  /** @default createLogger() */
  readonly logger?: Logger;
  /** A stored snapshot older than this is recomputed for the request. @default 900 (the schedule's 15 minutes) */
  readonly maxSnapshotAgeSeconds?: number;
  /** Clock for the snapshot's age. @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * `GET /health` (database reachable) and `GET /stats` (a Bearer token with `orders/read`). `/stats` answers
 * `{ source: 'snapshot' | 'computed', snapshot }`: the newest stored snapshot while it is fresh, else a new one.
 */
export function createOrderStatsApp(options: OrderStatsAppOptions): FastifyInstance {
  const { pool, verifier } = options;
  const maxAgeMs = (options.maxSnapshotAgeSeconds ?? 900) * 1000;
  const now = options.now ?? (() => new Date());
  const app = createHttpApp({
    ...(options.logger ? { logger: options.logger } : {}),
    trustProxy: true,
    health: { check: () => pool.query('SELECT 1') },
  });

  app.get('/stats', async (request, reply) => {
    try {
      requireScope(await verifier.verify(bearerToken(request.headers.authorization)), STATS_SCOPE);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      void reply.header('www-authenticate', error.code === 'missing_token' ? 'Bearer' : 'Bearer error="invalid_token"');
      throw new HttpError(error.status, error.code, error.message);
    }
    const latest = await latestOrderStatsSnapshot(pool);
    if (latest && now().getTime() - Date.parse(latest.takenAt) <= maxAgeMs) {
      return { source: 'snapshot', snapshot: latest };
    }
    return { source: 'computed', snapshot: await takeOrderStatsSnapshot(pool) };
  });
  return app;
}
