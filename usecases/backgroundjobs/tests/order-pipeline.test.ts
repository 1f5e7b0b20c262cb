// End to end through the local runner: orders → outbox relay → order-events → main-job → background-jobs →
// background-job, with the background-job task SIGKILLed midway; every order ends with one invoice and one notification.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalRunner } from '@hello-fargate/local';
import { defineSystem } from '@hello-fargate/workload';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { query, withClient } from '../../../tools/testing/test-databases.js';
import { backend } from '../../backend/workload.js';
import { oneoff } from '../../oneoff/workload.js';
import { backgroundJob, backgroundJobsQueue, mainJob, orderEventsQueue } from '../workload.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const ORDERS = 200;
const CONCURRENCY = 8;
/** Processed jobs (of 2 × ORDERS) after which the background-job task is killed. */
const KILL_AT = 120;
// A killed task's in-flight messages come back after the visibility timeout: short here so the test stays short.
const fastVisibility = { JOB_VISIBILITY_TIMEOUT_SECONDS: '3' };

function post(url: string, agent: Agent, body: string, requestId: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.once('error', (error) => resolve({ status: 0, body: error.message }));
    req.end(body);
  });
}

describe('the order pipeline through the local runner', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'hf-pipeline-'));
  const lines: string[] = [];
  const database = `hf_pipeline_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;
  let runner: LocalRunner;

  beforeAll(async () => {
    const server = inject('postgresUrl');
    await withClient(server, (client) => client.query(`CREATE DATABASE ${database}`));
    const url = new URL(server);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    runner = await LocalRunner.start({
      system: defineSystem({
        name: 'pipeline',
        workloads: [
          oneoff,
          backend,
          { ...mainJob, environment: fastVisibility },
          { ...backgroundJob, environment: fastVisibility },
        ],
        queues: [orderEventsQueue, backgroundJobsQueue],
      }),
      root,
      stateDir,
      databaseUrl,
      freeListenerPorts: true,
      earlyProbeSeconds: 0.1,
      restart: { backoffBaseMs: 200 },
      output: (line) => lines.push(line),
    });
  }, 60_000);

  afterAll(async () => {
    await runner?.stop();
    await withClient(inject('postgresUrl'), (client) =>
      client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    );
    rmSync(stateDir, { recursive: true, force: true });
  });

  it(`gives each of ${ORDERS} orders exactly one invoice and one notification although background-job is killed`, async () => {
    const [customer] = await query<{ id: string }>(databaseUrl, 'SELECT id FROM customers ORDER BY email LIMIT 1');
    const ordersUrl = `${runner.status().serviceConnect.backend}/orders`;
    const body = JSON.stringify({ customerId: customer?.id, lines: [{ sku: 'KB-MECH-01', quantity: 2 }] });
    const victim = runner.service('background-job')?.currentTasks[0];
    expect(victim?.pid).toBeGreaterThan(0);

    // Orders go in from CONCURRENCY callers while the kill watcher waits for the workers to be midway.
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let next = 0;
    const failures: string[] = [];
    const creating = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ORDERS) {
          const i = next++;
          const response = await post(ordersUrl, agent, body, `pipeline-${String(i).padStart(4, '0')}`);
          if (response.status !== 201) failures.push(`${response.status} ${response.body}`);
        }
      }),
    );
    let processedAtKill = -1;
    const deadline = Date.now() + 30_000;
    while (processedAtKill < 0 && Date.now() < deadline) {
      const [row] = await query<{ n: number }>(databaseUrl, 'SELECT count(*)::int AS n FROM processed_jobs');
      if ((row?.n ?? 0) >= KILL_AT) {
        process.kill(victim?.pid as number, 'SIGKILL');
        processedAtKill = row?.n ?? 0;
      } else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await creating;
    agent.destroy();
    expect(failures).toEqual([]);
    expect(processedAtKill, 'the kill happened before every job was done').toBeGreaterThanOrEqual(KILL_AT);
    expect(processedAtKill).toBeLessThan(2 * ORDERS);

    // Bounded wait for every order to have its invoice and notification.
    const settled = `SELECT
        (SELECT count(*)::int FROM orders) AS orders,
        (SELECT count(DISTINCT order_id)::int FROM invoices) AS invoiced,
        (SELECT count(DISTINCT order_id)::int FROM notifications) AS notified`;
    let state = { orders: 0, invoiced: 0, notified: 0 };
    while (Date.now() < deadline) {
      state = (await query<typeof state>(databaseUrl, settled))[0] as typeof state;
      if (state.invoiced === ORDERS && state.notified === ORDERS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(state).toEqual({ orders: ORDERS, invoiced: ORDERS, notified: ORDERS });

    // No duplicates, nothing lost, the right amounts.
    const [totals] = await query<Record<string, number>>(
      databaseUrl,
      `SELECT
        (SELECT count(*)::int FROM invoices) AS invoices,
        (SELECT count(*)::int FROM notifications) AS notifications,
        (SELECT count(*)::int FROM processed_jobs) AS processed,
        (SELECT count(*)::int FROM outbox WHERE sent_at IS NULL) AS unsent,
        (SELECT count(*)::int FROM invoices i JOIN orders o ON o.id = i.order_id WHERE i.total_cents <> o.total_cents)
          AS wrong_totals`,
    );
    expect(totals).toEqual({
      invoices: ORDERS,
      notifications: ORDERS,
      processed: 2 * ORDERS,
      unsent: 0,
      wrong_totals: 0,
    });

    // The kill was real, the service replaced the task, and nothing went to a dead-letter queue.
    expect(lines.some((l) => l.includes(`background-job/${victim?.id.slice(0, 8)} | [runner] task stopped`))).toBe(
      true,
    );
    expect(runner.service('background-job')?.currentTasks[0]?.id).not.toBe(victim?.id);
    const sqs = new SQSClient({
      endpoint: runner.status().endpoints.sqs as string,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (const name of [orderEventsQueue.dlqName, backgroundJobsQueue.dlqName]) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(Attributes?.ApproximateNumberOfMessages, name).toBe('0');
    }
    sqs.destroy();

    // One request id followed the order through every hop: backend, main-job and background-job.
    const hops = new Set(lines.filter((l) => l.includes('pipeline-0007')).map((l) => l.split('/')[0]));
    expect(hops).toEqual(new Set(['backend', 'main-job', 'background-job']));
  }, 45_000);
});
