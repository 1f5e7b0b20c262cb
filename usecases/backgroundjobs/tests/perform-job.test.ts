// background-job's effect happens once per job id, however often and however concurrently the job is delivered.

import type { QueueJob } from '@hello-fargate/runtime/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, captureLogger, type TestDatabases } from '../../../tools/testing/test-databases.js';
import { type Backend, startBackend } from '../../backend/tests/backend-fixture.js';
import { followUpJobId } from '../apps/background-jobs.js';
import { MalformedJobError } from '../apps/malformed-job-error.js';
import { createJobPerformer, performJob } from '../apps/perform-job.js';

function queueJob(body: unknown, attributes: Record<string, string>): QueueJob {
  return {
    id: 'm-1',
    body,
    attributes,
    receiveCount: 1,
    correlationId: 'c-1',
    logger: captureLogger().logger,
    signal: new AbortController().signal,
  };
}

describe.each(backends)('performing background jobs on $name', (database) => {
  let databases: TestDatabases;
  let backend: Backend;

  beforeAll(async () => {
    databases = await database.start();
    backend = await startBackend(databases);
  });
  afterAll(async () => {
    await backend?.close();
    await databases?.stop();
  });

  async function newOrder(): Promise<{ id: string; customerId: string; totalCents: number }> {
    const response = await backend.app.inject({
      method: 'POST',
      url: '/orders',
      payload: { customerId: backend.customers.ann, lines: [{ sku: 'MUG-1', quantity: 3 }] },
    });
    return response.json();
  }
  const count = async (table: string, orderId: string) =>
    Number((await backend.pool.query(`SELECT count(*) AS n FROM ${table} WHERE order_id = $1`, [orderId])).rows[0].n);

  it('writes one invoice with the order total when the same invoice job is handled twice', async () => {
    const order = await newOrder();
    const job = { type: 'invoice' as const, orderId: order.id, customerId: order.customerId };
    const jobId = followUpJobId(order.id, 'invoice');

    const outcomes = [await performJob(backend.pool, jobId, job), await performJob(backend.pool, jobId, job)];

    expect(outcomes).toEqual(['performed', 'skipped']);
    const invoices = await backend.pool.query('SELECT total_cents, job_id FROM invoices WHERE order_id = $1', [
      order.id,
    ]);
    expect(invoices.rows).toEqual([{ total_cents: 3 * 1299, job_id: jobId }]);
  });

  it('writes one notification when the same job is handled by five deliveries at once', async () => {
    const order = await newOrder();
    const job = { type: 'notification' as const, orderId: order.id, customerId: order.customerId };
    const jobId = followUpJobId(order.id, 'notification');

    const outcomes = await Promise.all(Array.from({ length: 5 }, () => performJob(backend.pool, jobId, job)));

    expect(outcomes.filter((outcome) => outcome === 'performed')).toHaveLength(1);
    expect(await count('notifications', order.id)).toBe(1);
    expect(await count('invoices', order.id)).toBe(0);
  });

  it('claims nothing when the order does not exist, so the job can be retried and ends in the DLQ', async () => {
    const missing = '0190a0a0-0000-4000-8000-00000000dead';
    const jobId = followUpJobId(missing, 'invoice');

    await expect(
      performJob(backend.pool, jobId, { type: 'invoice', orderId: missing, customerId: backend.customers.ann }),
    ).rejects.toThrow(`order ${missing} does not exist`);
    const claimed = await backend.pool.query('SELECT 1 FROM processed_jobs WHERE job_id = $1', [jobId]);
    expect(claimed.rowCount).toBe(0);
  });

  it('handles a queue job by its jobId attribute, and refuses one without it or with a malformed body', async () => {
    const order = await newOrder();
    const body = { type: 'invoice', orderId: order.id, customerId: order.customerId };
    const handle = createJobPerformer(backend.pool);

    await handle(queueJob(body, { jobId: followUpJobId(order.id, 'invoice') }));
    await handle(queueJob(body, { jobId: followUpJobId(order.id, 'invoice') }));
    await expect(handle(queueJob(body, {}))).rejects.toThrow(/no "jobId" message attribute/);
    await expect(handle(queueJob({ type: 'invoice' }, { jobId: 'x' }))).rejects.toThrow(MalformedJobError);

    expect(await count('invoices', order.id)).toBe(1);
  });
});
