// rescore-orders: N array children score every order exactly once; the ledger refuses a shard done twice; exit codes.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BatchArrayChild, createPool, migrate, runTask } from '@hello-fargate/runtime';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../tools/testing/postgres-server.js';
import { backends, captureLogger, type TestDatabases } from '../../../tools/testing/test-databases.js';
import { orderScore } from '../apps/order-score.js';
import { createRescoreCommand } from '../apps/rescore-command.js';
import { rescoreShard, ShardAlreadyDoneError } from '../apps/rescore-shard.js';

const migrationsDir = new URL('../../oneoff/migrations/', import.meta.url);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('../apps/rescore-orders.ts', import.meta.url));
const ORDERS = 500;

/** 500 orders with 1 to 3 lines each and totals spread from 0 to 1,250.00. */
async function seed(pool: pg.Pool): Promise<void> {
  await pool.query(`INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann')`);
  await pool.query(
    `INSERT INTO products (sku, name, price_cents) VALUES ('TEA-1', 'Tea', 450), ('MUG-1', 'Mug', 1299), ('BAG-1', 'Bag', 999)`,
  );
  await pool.query(
    `INSERT INTO orders (customer_id, status, total_cents)
     SELECT c.id, 'confirmed', (g * 7919) % 125000 FROM customers c, generate_series(1, $1) g`,
    [ORDERS],
  );
  await pool.query(
    `INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents, line_total_cents)
     SELECT o.id, p.id, 1, p.price_cents, p.price_cents FROM orders o JOIN products p
       ON p.sku = 'TEA-1' OR (p.sku = 'MUG-1' AND o.total_cents % 2 = 0) OR (p.sku = 'BAG-1' AND o.total_cents % 3 = 0)`,
  );
}

function child(jobId: string, index: number, size: number, attempt = 1): BatchArrayChild {
  return { jobId: `${jobId}:${index}`, parentJobId: jobId, index, size, attempt };
}

interface Run {
  readonly code: number | null;
  readonly stderr: string;
}

/** `node --import tsx usecases/batchjobs/apps/rescore-orders.ts` with the AWS Batch variables, as Batch starts it. */
function runEntry(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: repoRoot,
      env: { ...process.env, HF_WORKLOAD: 'rescore-orders', LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    process_.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    process_.once('error', reject);
    process_.once('close', (code) => resolve({ code, stderr }));
  });
}

const arrayEnv = (jobId: string, index: number, size: number, attempt = 1) => ({
  AWS_BATCH_JOB_ID: `${jobId}:${index}`,
  AWS_BATCH_JOB_ARRAY_INDEX: String(index),
  AWS_BATCH_JOB_ARRAY_SIZE: String(size),
  AWS_BATCH_JOB_ATTEMPT: String(attempt),
});

describe.each(backends)('rescore-orders on $name', (backend) => {
  let databases: TestDatabases;
  let url: string;
  let pool: pg.Pool;

  beforeAll(async () => {
    databases = await backend.start();
    url = await databases.fresh();
    await migrate({ dir: migrationsDir, url, logger: captureLogger('error').logger });
    pool = createPool({ url, max: 8 });
    await seed(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await databases?.stop();
  });

  it('scores every order exactly once over 7 shards, with one ledger row per shard', async () => {
    const jobId = `job-seven-${backend.name}`;

    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => rescoreShard(pool, child(jobId, i, 7))));

    expect(results.every((result) => result.outcome === 'scored')).toBe(true);
    expect(results.reduce((sum, result) => sum + result.ordersScored, 0)).toBe(ORDERS);
    // Every shard gets some orders: the hash spreads them.
    expect(results.every((result) => result.ordersScored > 30)).toBe(true);
    const ledger = await pool.query<{ shard_index: number; orders_scored: number; attempt: number }>(
      'SELECT shard_index, orders_scored, attempt, array_size FROM rescore_shards WHERE job_id = $1 ORDER BY shard_index',
      [jobId],
    );
    expect(ledger.rows.map((row) => row.shard_index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(ledger.rows.map((row) => row.orders_scored)).toEqual(results.map((result) => result.ordersScored));
    const scores = await pool.query<{ job_id: string; score: number; total_cents: number; lines: number }>(
      `SELECT s.job_id, s.score, o.total_cents, (SELECT count(*)::int FROM order_lines l WHERE l.order_id = o.id) AS lines
       FROM orders o LEFT JOIN order_scores s ON s.order_id = o.id`,
    );
    expect(scores.rows).toHaveLength(ORDERS);
    expect(scores.rows.every((row) => row.job_id === jobId)).toBe(true);
    expect(scores.rows.every((row) => row.score === orderScore(row.total_cents, row.lines))).toBe(true);
  });

  it('refuses a shard run twice in the same attempt, changing nothing, and records the attempt', async () => {
    const jobId = `job-twice-${backend.name}`;
    await rescoreShard(pool, child(jobId, 1, 3, 2));
    const before = await pool.query(
      'SELECT order_id, scored_at FROM order_scores WHERE job_id = $1 ORDER BY order_id',
      [jobId],
    );

    const again = rescoreShard(pool, child(jobId, 1, 3, 2));

    await expect(again).rejects.toThrow(ShardAlreadyDoneError);
    await expect(rescoreShard(pool, child(jobId, 1, 3, 1))).rejects.toThrow(
      /^shard 1 of job job-twice-\S+ was already scored by attempt 2 at .*; this run \(attempt 1\) changed nothing/,
    );
    const after = await pool.query('SELECT order_id, scored_at FROM order_scores WHERE job_id = $1 ORDER BY order_id', [
      jobId,
    ]);
    expect(after.rows).toEqual(before.rows);
    const ledger = await pool.query('SELECT attempt, array_size FROM rescore_shards WHERE job_id = $1', [jobId]);
    expect(ledger.rows).toEqual([{ attempt: 2, array_size: 3 }]);
  });

  it('treats a later attempt of a shard an earlier attempt committed as done, without scoring again', async () => {
    const jobId = `job-retried-${backend.name}`;
    await rescoreShard(pool, child(jobId, 0, 2, 1));

    const retried = await rescoreShard(pool, child(jobId, 0, 2, 2));

    expect(retried).toEqual({ outcome: 'already-done', ordersScored: 0 });
    const ledger = await pool.query('SELECT attempt FROM rescore_shards WHERE job_id = $1', [jobId]);
    expect(ledger.rows).toEqual([{ attempt: 1 }]);
  });

  it('runs the real entry as array children: exit 0 per shard, 1 for a shard run twice', async () => {
    const jobId = `job-process-${backend.name}`;

    const runs = await Promise.all(
      [0, 1].map((index) => runEntry({ DATABASE_URL: url, ...arrayEnv(jobId, index, 2) })),
    );
    const twice = await runEntry({ DATABASE_URL: url, ...arrayEnv(jobId, 1, 2) });

    expect(runs.map((run) => [run.code, run.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(
      new RegExp(`^error: rescore: shard 1 of job ${jobId} was already scored by attempt 1`),
    );
    const ledger = await pool.query('SELECT sum(orders_scored)::int AS n FROM rescore_shards WHERE job_id = $1', [
      jobId,
    ]);
    expect(ledger.rows[0].n).toBe(ORDERS);
  });
});

describe('rescore-orders exit codes without a database', () => {
  it('exits 75 (retry) when the database is unreachable', async () => {
    const port = await freePort(); // free a moment ago: nothing listens there

    const run = await runEntry({ DATABASE_URL: `postgres://app@127.0.0.1:${port}/app`, ...arrayEnv('job-down', 0, 2) });

    expect(run.code).toBe(75);
    expect(run.stderr).toMatch(
      /^error: rescore: temporary database failure, nothing of shard 0 was kept: cannot reach/,
    );
    expect(run.stderr).toMatch(/exiting 75 so AWS Batch retries the attempt\n$/);
  });

  it('exits 1 naming the variable when the array index is not below the size', async () => {
    const run = await runEntry({ DATABASE_URL: 'postgres://127.0.0.1:1/unused', ...arrayEnv('job-bad', 3, 3) });

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: rescore: environment variable AWS_BATCH_JOB_ARRAY_INDEX="3" must be below AWS_BATCH_JOB_ARRAY_SIZE="3" (indexes count from 0)\n',
    );
  });

  it('exits 1 when DATABASE_URL is missing, and 2 for arguments it does not take', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const logger = captureLogger('error').logger;

    const missing = await runTask({ rescore: createRescoreCommand({ env: {} }) }, { argv: ['rescore'], logger });
    const extra = await runTask({ rescore: createRescoreCommand({ env: {} }) }, { argv: ['rescore', 'x'], logger });

    const written = stderr.mock.calls.map((call) => String(call[0])).join('');
    stderr.mockRestore();
    expect([missing, extra]).toEqual([1, 2]);
    expect(written).toContain('error: rescore: environment variable DATABASE_URL is not set');
  });
});
