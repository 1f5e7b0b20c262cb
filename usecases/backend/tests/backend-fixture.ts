// Test setup for the backend: a migrated database with a small catalogue and customers, and the app on top of it.

import { createPool, migrate } from '@hello-fargate/runtime';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { captureLogger, type LogLine, type TestDatabases } from '../../../tools/testing/test-databases.js';
import { createBackendApp } from '../apps/create-backend-app.js';

const migrationsDir = new URL('../../oneoff/migrations/', import.meta.url);

/** Seeded products by sku: price in cents and whether they can be ordered. */
export const PRODUCTS = {
  'TEA-1': { name: 'Green tea', priceCents: 450, active: true },
  'MUG-1': { name: 'Mug', priceCents: 1299, active: true },
  'BAG-1': { name: 'Tote bag', priceCents: 999, active: true },
  'OLD-1': { name: 'Retired kettle', priceCents: 2500, active: false },
  'GOLD-1': { name: 'Gold bar', priceCents: 1_000_000_000, active: true },
} as const;

export interface Backend {
  readonly app: FastifyInstance;
  readonly pool: pg.Pool;
  readonly url: string;
  readonly lines: LogLine[];
  /** Ids of the seeded customers ann@example.com and bob@example.com. */
  readonly customers: { readonly ann: string; readonly bob: string };
  close(): Promise<void>;
}

/** A fresh database migrated with usecases/oneoff/migrations and seeded, and the backend app on it. */
export async function startBackend(databases: TestDatabases): Promise<Backend> {
  const url = await databases.fresh();
  await migrate({ dir: migrationsDir, url, logger: captureLogger('error').logger });
  const pool = createPool({ url, max: 10 });
  for (const [sku, product] of Object.entries(PRODUCTS)) {
    await pool.query('INSERT INTO products (sku, name, price_cents, active) VALUES ($1, $2, $3, $4)', [
      sku,
      product.name,
      product.priceCents,
      product.active,
    ]);
  }
  const { rows } = await pool.query<{ id: string; email: string }>(
    `INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann'), ('bob@example.com', 'Bob') RETURNING id, email`,
  );
  const idOf = (email: string) => rows.find((row) => row.email === email)?.id as string;
  const { logger, lines } = captureLogger('info');
  const app = createBackendApp({ pool, logger });
  await app.ready();
  return {
    app,
    pool,
    url,
    lines,
    customers: { ann: idOf('ann@example.com'), bob: idOf('bob@example.com') },
    async close() {
      await app.close();
      await pool.end();
    },
  };
}

/** A new customer of its own, so a test's orders are not mixed with other tests'. */
export async function newCustomer(backend: Backend, name: string): Promise<string> {
  const response = await backend.app.inject({
    method: 'POST',
    url: '/customers',
    payload: { email: `${name.toLowerCase()}-${Math.random().toString(36).slice(2)}@example.com`, name },
  });
  return response.json().id;
}
