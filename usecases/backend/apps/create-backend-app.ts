// The backend's HTTP app: the platform's createHttpApp with the customers, products and orders routes.

import { createHttpApp, type Logger } from '@hello-fargate/runtime';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { customerRoutes } from './customer-routes.js';
import { orderRoutes } from './order-routes.js';
import { productRoutes } from './product-routes.js';

export interface BackendAppOptions {
  /** The database; the caller owns it (main.ts ends it when the app closes). */
  readonly pool: pg.Pool;
  /** @default createLogger() */
  readonly logger?: Logger;
}

/** The orders API. GET /health runs `select 1`, so a task that lost its database is replaced. */
export function createBackendApp(options: BackendAppOptions): FastifyInstance {
  const { pool } = options;
  const app = createHttpApp({
    ...(options.logger ? { logger: options.logger } : {}),
    health: { check: () => pool.query('SELECT 1') },
  });
  customerRoutes(app, pool);
  productRoutes(app, pool);
  orderRoutes(app, pool);
  return app;
}
