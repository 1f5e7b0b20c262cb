// rescore-orders as a 1,000-child AWS Batch array job in the local runner: real child processes, real PostgreSQL,
// each shard handled exactly once (the ledger's primary key) and each order scored by exactly one shard.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchClient, DescribeJobsCommand, SubmitJobCommand } from '@aws-sdk/client-batch';
import { LocalRunner } from '@hello-fargate/local';
import { defineSystem } from '@hello-fargate/workload';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withClient } from '../../../tools/testing/test-databases.js';
import { oneoff } from '../../oneoff/workload.js';
import { batchJobQueue, rescoreOrders } from '../workload.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const CHILDREN = 1000;
const ORDERS = 3000;

async function query<Row>(url: string, text: string, params: unknown[] = []): Promise<Row[]> {
  return withClient(url, async (client) => (await client.query(text, params)).rows as Row[]);
}

describe('rescore-orders as a local AWS Batch array job', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'hf-rescore-'));
  const database = `hf_rescore_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;
  let runner: LocalRunner;
  let batch: BatchClient;

  beforeAll(async () => {
    const server = inject('postgresUrl');
    await withClient(server, (client) => client.query(`CREATE DATABASE ${database}`));
    const url = new URL(server);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    runner = await LocalRunner.start({
      system: defineSystem({ name: 'rescore', workloads: [oneoff, rescoreOrders], jobQueues: [batchJobQueue] }),
      root,
      stateDir,
      databaseUrl,
      output: () => undefined,
    });
    batch = new BatchClient({
      endpoint: runner.status().endpoints.batch as string,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await query(
      databaseUrl,
      `INSERT INTO orders (customer_id, status, total_cents)
       SELECT (SELECT id FROM customers ORDER BY email LIMIT 1), 'confirmed', (n * 37) % 50000
       FROM generate_series(1, $1) AS n`,
      [ORDERS],
    );
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await withClient(inject('postgresUrl'), (client) =>
      client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    );
    rmSync(stateDir, { recursive: true, force: true });
  });

  it(`completes ${CHILDREN} children, each shard once and each order scored by exactly one of them`, async () => {
    // WHEN an array job of 1,000 children is submitted through the Batch API (the real SDK client)
    const { jobId } = await batch.send(
      new SubmitJobCommand({
        jobName: 'rescore-all',
        jobQueue: batchJobQueue.name,
        jobDefinition: rescoreOrders.name,
        arrayProperties: { size: CHILDREN },
      }),
    );
    const parent = await runner.batch?.whenSettled(jobId as string);

    // THEN the parent and every child succeeded
    expect(parent?.status, parent?.statusReason).toBe('SUCCEEDED');
    const [described] = (await batch.send(new DescribeJobsCommand({ jobs: [jobId as string] }))).jobs ?? [];
    expect(described?.arrayProperties?.statusSummary).toMatchObject({ SUCCEEDED: CHILDREN, FAILED: 0 });
    // AND the ledger has exactly one row per shard 0…999, all of this job
    const [ledger] = await query<{ rows: number; shards: number; min: number; max: number; scored: number }>(
      databaseUrl,
      `SELECT count(*)::int AS rows, count(DISTINCT shard_index)::int AS shards, min(shard_index) AS min,
              max(shard_index) AS max, sum(orders_scored)::int AS scored
         FROM rescore_shards WHERE job_id = $1`,
      [jobId],
    );
    expect(ledger).toEqual({ rows: CHILDREN, shards: CHILDREN, min: 0, max: CHILDREN - 1, scored: ORDERS });
    // AND every order got its score from this job: the shards' counts add up to the orders, so none was scored twice
    const [scores] = await query<{ scored: number }>(
      databaseUrl,
      'SELECT count(*)::int AS scored FROM order_scores WHERE job_id = $1',
      [jobId],
    );
    expect(scores?.scored).toBe(ORDERS);
  }, 400_000);
});
