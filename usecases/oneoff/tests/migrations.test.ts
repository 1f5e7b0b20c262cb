// The oneoff migrations: create the example domain's tables with their rules, and undo cleanly, on PGlite and PostgreSQL.

import { fileURLToPath } from 'node:url';
import { migrate } from '@hello-fargate/runtime';
import { runner } from 'node-pg-migrate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, captureLogger, type TestDatabases, withClient } from '../../../tools/testing/test-databases.js';
import { migrationsDir } from '../apps/app-folders.js';

const domainTables = [
  'customers',
  'daily_sales_reports',
  'invoices',
  'notifications',
  'order_lines',
  'order_scores',
  'order_stats_snapshots',
  'orders',
  'outbox',
  'processed_jobs',
  'products',
  'rescore_shards',
  'sales_report_extracts',
  'sales_report_staged_orders',
];

async function tables(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'pgmigrations' ORDER BY table_name",
    );
    return rows.map((row) => row.table_name);
  });
}

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcome(url: string, sql: string): Promise<string> {
  return withClient(url, (client) =>
    client.query(sql).then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? 'error',
    ),
  );
}

describe.each(backends)('oneoff migrations on $name', (backend) => {
  let databases: TestDatabases;

  beforeAll(async () => {
    databases = await backend.start();
  });
  afterAll(async () => {
    await databases?.stop();
  });

  it('create customers, products, orders and order_lines, and a second run applies nothing', async () => {
    const url = await databases.fresh();
    const { logger } = captureLogger();

    const first = await migrate({ dir: migrationsDir, url, logger });
    const second = await migrate({ dir: migrationsDir, url, logger });

    expect(first.applied.map((m) => m.file)).toEqual([
      '0001_customers.sql',
      '0002_products.sql',
      '0003_orders.sql',
      '0004_outbox_and_background_jobs.sql',
      '0005_sales_reports.sql',
      '0006_order_scores.sql',
    ]);
    expect(second.applied).toEqual([]);
    expect(await tables(url)).toEqual(domainTables);
  });

  it('enforce the domain rules in the database', async () => {
    const url = await databases.fresh();
    await migrate({ dir: migrationsDir, url, logger: captureLogger().logger });
    await withClient(url, (client) =>
      client.query(`
        INSERT INTO customers (id, email, name) VALUES ('00000000-0000-0000-0000-000000000001', 'ann@example.com', 'Ann');
        INSERT INTO products (id, sku, name, price_cents) VALUES ('00000000-0000-0000-0000-000000000002', 'KB-01', 'Keyboard', 8990);
        INSERT INTO orders (id, customer_id) VALUES ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000001');
      `),
    );
    const order = "'00000000-0000-0000-0000-000000000003'";
    const product = "'00000000-0000-0000-0000-000000000002'";

    expect(await outcome(url, "INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann 2')")).toBe('23505');
    expect(await outcome(url, "INSERT INTO customers (email, name) VALUES ('Bob@example.com', 'Bob')")).toBe('23514');
    expect(await outcome(url, "INSERT INTO products (sku, name, price_cents) VALUES ('KB-02', 'Bad', -1)")).toBe(
      '23514',
    );
    expect(await outcome(url, "INSERT INTO products (sku, name, price_cents) VALUES ('kb 03', 'Bad', 1)")).toBe(
      '23514',
    );
    expect(await outcome(url, `UPDATE orders SET status = 'lost' WHERE id = ${order}`)).toBe('23514');
    expect(await outcome(url, "INSERT INTO orders (customer_id) VALUES ('00000000-0000-0000-0000-00000000dead')")).toBe(
      '23503',
    );
    expect(
      await outcome(
        url,
        `INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents, line_total_cents) VALUES (${order}, ${product}, 0, 8990, 0)`,
      ),
    ).toBe('23514');
    expect(
      await outcome(
        url,
        `INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents, line_total_cents) VALUES (${order}, ${product}, 2, 8990, 1000)`,
      ),
    ).toBe('23514');
    expect(
      await outcome(
        url,
        `INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents, line_total_cents) VALUES (${order}, ${product}, 2, 8990, 17980)`,
      ),
    ).toBe('ok');
  });

  it('move orders.updated_at forward on every update', async () => {
    const url = await databases.fresh();
    await migrate({ dir: migrationsDir, url, logger: captureLogger().logger });

    const [created, updated] = await withClient(url, async (client) => {
      await client.query("INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann')");
      const { rows } = await client.query<{ id: string; updated_at: Date }>(
        "INSERT INTO orders (customer_id, updated_at) SELECT id, now() - interval '1 hour' FROM customers RETURNING id, updated_at",
      );
      const after = await client.query<{ updated_at: Date }>(
        "UPDATE orders SET status = 'confirmed' WHERE id = $1 RETURNING updated_at",
        [rows[0]?.id],
      );
      return [rows[0]?.updated_at, after.rows[0]?.updated_at];
    });

    expect(updated?.getTime()).toBeGreaterThan(created?.getTime() ?? Number.POSITIVE_INFINITY);
  });

  it('have down sections that undo everything, after which they apply again', async () => {
    const url = await databases.fresh();
    const { logger } = captureLogger();
    await migrate({ dir: migrationsDir, url, logger });

    await withClient(url, (dbClient) =>
      runner({
        dbClient,
        dir: fileURLToPath(migrationsDir),
        migrationsTable: 'pgmigrations',
        direction: 'down',
        count: Number.POSITIVE_INFINITY,
        log: () => undefined,
      }),
    );
    const afterDown = await tables(url);
    const again = await migrate({ dir: migrationsDir, url, logger });

    expect(afterDown).toEqual([]);
    expect(again.applied).toHaveLength(6);
    expect(await tables(url)).toEqual(domainTables);
  });
});
