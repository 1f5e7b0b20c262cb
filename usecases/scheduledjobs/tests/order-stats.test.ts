// order-stats both ways: `run` stores a snapshot and exits; `serve` answers /health and /stats for a valid token.

import { createPool, migrate, runTask, serveHttp } from '@hello-fargate/runtime';
import { type AccessTokenClaims, type AccessTokenVerifier, AuthError } from '@hello-fargate/runtime/auth';
import { defineWorkload } from '@hello-fargate/workload';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, captureLogger, type TestDatabases } from '../../../tools/testing/test-databases.js';
import { createOrderStatsApp } from '../apps/create-order-stats-app.js';
import { orderStatsCommands } from '../apps/order-stats-commands.js';
import { takeOrderStatsSnapshot } from '../apps/order-stats-snapshot.js';
import { orderStats, orderStatsProps } from '../workload.js';

const migrationsDir = new URL('../../oneoff/migrations/', import.meta.url);

/** Accepts the tokens `reader` (orders/read) and `writer` (orders/write); anything else is invalid. */
const verifier: AccessTokenVerifier = {
  cacheEntries: 0,
  async verify(token) {
    const scope = { reader: 'orders/read', writer: 'orders/write' }[token];
    if (scope === undefined) throw new AuthError('invalid_token', 'access token rejected: unknown test token');
    return { sub: token, client_id: token, scope, token_use: 'access', exp: 4_102_444_800 } as AccessTokenClaims;
  },
};

async function seed(pool: pg.Pool): Promise<void> {
  await pool.query(`INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann')`);
  // [status, total, hours ago]
  const orders: [string, number, number][] = [
    ['pending', 1000, 1],
    ['pending', 2000, 30],
    ['confirmed', 500, 2],
    ['cancelled', 9999, 3],
    ['delivered', 700, 23],
    ['shipped', 300, 48],
  ];
  for (const [status, total, hoursAgo] of orders) {
    await pool.query(
      `INSERT INTO orders (customer_id, status, total_cents, created_at)
       SELECT id, $1, $2, now() - make_interval(hours => $3) FROM customers`,
      [status, total, hoursAgo],
    );
  }
}

const EXPECTED = {
  ordersByStatus: { pending: 2, confirmed: 1, invoiced: 0, shipped: 1, delivered: 1, cancelled: 1 },
  ordersLast24h: 3,
  revenueLast24hCents: 1000 + 500 + 700,
};

describe('order-stats declaration', () => {
  it('is scheduled every 15 minutes, and becomes an ALB+JWT service with the service trigger', () => {
    const service = defineWorkload({
      ...orderStatsProps,
      trigger: { type: 'service', port: 8080, command: ['serve'] },
    });

    expect(orderStats.trigger).toMatchObject({ type: 'schedule', expression: 'rate(15 minutes)', command: ['run'] });
    expect(orderStats.isService).toBe(false);
    expect(service).toMatchObject({ isService: true, port: 8080, loadBalancer: { authentication: 'jwt' } });
    expect(service.trigger).toEqual({ type: 'service', command: ['serve'] });
  });

  it('`serve` without AUTH_ISSUER exits 1 saying where it comes from, before connecting', async () => {
    vi.stubEnv('AUTH_ISSUER', '');
    vi.stubEnv('DATABASE_URL', 'postgres://127.0.0.1:1/unused');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    const code = await runTask(orderStatsCommands, { argv: ['serve'], logger: captureLogger('error').logger });

    const written = stderr.mock.calls.map((call) => String(call[0])).join('');
    stderr.mockRestore();
    vi.unstubAllEnvs();
    expect(code).toBe(1);
    expect(written).toMatch(/^error: serve: environment variable AUTH_ISSUER is not set; serve verifies access tokens/);
  });
});

describe.each(backends)('order-stats on $name', (backend) => {
  let databases: TestDatabases;
  let url: string;
  let pool: pg.Pool;

  beforeAll(async () => {
    databases = await backend.start();
    url = await databases.fresh();
    await migrate({ dir: migrationsDir, url, logger: captureLogger('error').logger });
    pool = createPool({ url, max: 4 });
    await seed(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await databases?.stop();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('`run` stores a snapshot of the counts per status and the last 24 hours, and exits 0', async () => {
    vi.stubEnv('DATABASE_URL', url);
    const { logger, lines } = captureLogger('info');

    const code = await runTask(orderStatsCommands, { argv: ['run'], logger });

    expect(code).toBe(0);
    const { rows } = await pool.query(
      'SELECT orders_by_status, orders_last_24h, revenue_last_24h_cents::int AS revenue FROM order_stats_snapshots',
    );
    expect(rows).toEqual([
      {
        orders_by_status: EXPECTED.ordersByStatus,
        orders_last_24h: EXPECTED.ordersLast24h,
        revenue: EXPECTED.revenueLast24hCents,
      },
    ]);
    expect(lines.map((line) => line.msg)).toContain('order stats: 3 orders and 2200 cents in the last 24 h');
  });

  it('`serve` answers /health, and /stats with the stored snapshot while fresh and a new one after', async () => {
    await takeOrderStatsSnapshot(pool);
    let clock = new Date();
    const app = createOrderStatsApp({
      pool,
      verifier,
      logger: captureLogger('error').logger,
      maxSnapshotAgeSeconds: 900,
      now: () => clock,
    });
    const server = await serveHttp(app, { port: 0, host: '127.0.0.1', signals: [], exit: () => undefined });
    const base = `http://127.0.0.1:${server.port}`;
    const stats = (token?: string) =>
      fetch(`${base}/stats`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    try {
      const health = await fetch(`${base}/health`);
      const stored = await stats('reader');
      clock = new Date(clock.getTime() + 16 * 60_000);
      const recomputed = await stats('reader');

      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(stored.status).toBe(200);
      const storedBody = (await stored.json()) as { snapshot: { id: number } };
      expect(storedBody).toMatchObject({ source: 'snapshot', snapshot: EXPECTED });
      const recomputedBody = (await recomputed.json()) as { snapshot: { id: number } };
      expect(recomputedBody).toMatchObject({ source: 'computed', snapshot: EXPECTED });
      expect(recomputedBody.snapshot.id).toBeGreaterThan(storedBody.snapshot.id);
    } finally {
      await server.stop();
    }
  });

  it('`serve` refuses /stats without a token (401) and without the orders/read scope (403)', async () => {
    const app = createOrderStatsApp({ pool, verifier, logger: captureLogger('error').logger });

    const missing = await app.inject({ method: 'GET', url: '/stats' });
    const invalid = await app.inject({ method: 'GET', url: '/stats', headers: { authorization: 'Bearer forged' } });
    const writer = await app.inject({ method: 'GET', url: '/stats', headers: { authorization: 'Bearer writer' } });

    expect([missing.statusCode, invalid.statusCode, writer.statusCode]).toEqual([401, 401, 403]);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(writer.json().error.code).toBe('insufficient_scope');
    await app.close();
  });
});
