// The order pipeline at scale through the local runner: 10,000 orders with the background-job task SIGKILLed twice,
// and a SIGTERM under load that drains without losing or redelivering a job.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalRunner } from '@hello-fargate/local';
import { defineSystem } from '@hello-fargate/workload';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { query, withClient } from '../../../tools/testing/test-databases.js';
import { backend } from '../../backend/workload.js';
import { oneoff } from '../../oneoff/workload.js';
import { backgroundJob, backgroundJobsQueue, mainJob, orderEventsQueue } from '../workload.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
/** POST /orders requests in flight at once (keep-alive sockets). */
const CONCURRENCY = 16;

interface Pipeline {
  readonly runner: LocalRunner;
  readonly databaseUrl: string;
  readonly lines: string[];
}

const started: { runner?: LocalRunner; database: string; stateDir: string }[] = [];

/** A fresh database and a runner with oneoff + backend + main-job + background-job and both queues. */
async function startPipeline(environment: Record<string, string>, keep: (line: string) => boolean): Promise<Pipeline> {
  const server = inject('postgresUrl');
  const database = `hf_scale_${randomBytes(4).toString('hex')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'hf-scale-'));
  const entry: (typeof started)[number] = { database, stateDir };
  started.push(entry);
  await withClient(server, (client) => client.query(`CREATE DATABASE ${database}`));
  const url = new URL(server);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const lines: string[] = [];
  entry.runner = await LocalRunner.start({
    system: defineSystem({
      name: 'scale',
      workloads: [oneoff, backend, { ...mainJob, environment }, { ...backgroundJob, environment }],
      queues: [orderEventsQueue, backgroundJobsQueue],
    }),
    root,
    stateDir,
    databaseUrl,
    freeListenerPorts: true,
    earlyProbeSeconds: 0.1,
    restart: { backoffBaseMs: 200 },
    output: (line) => {
      if (keep(line)) lines.push(line);
    },
  });
  return { runner: entry.runner, databaseUrl, lines };
}

afterEach(async () => {
  for (const { runner, database, stateDir } of started.splice(0)) {
    await runner?.stop();
    await withClient(inject('postgresUrl'), (client) =>
      client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    );
    rmSync(stateDir, { recursive: true, force: true });
  }
});

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

/** Creates `count` orders through the backend's POST /orders (order + outbox row in one transaction) from CONCURRENCY callers. */
async function createOrders(pipeline: Pipeline, count: number, prefix: string): Promise<string[]> {
  const [customer] = await query<{ id: string }>(
    pipeline.databaseUrl,
    'SELECT id FROM customers ORDER BY email LIMIT 1',
  );
  const ordersUrl = `${pipeline.runner.status().serviceConnect.backend}/orders`;
  const body = JSON.stringify({ customerId: customer?.id, lines: [{ sku: 'KB-MECH-01', quantity: 2 }] });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const response = await post(ordersUrl, agent, body, `${prefix}-${String(i).padStart(5, '0')}`);
        if (response.status !== 201) failures.push(`${response.status} ${response.body}`);
      }
    }),
  );
  agent.destroy();
  return failures;
}

async function processedJobs(databaseUrl: string): Promise<number> {
  const [row] = await query<{ n: number }>(databaseUrl, 'SELECT count(*)::int AS n FROM processed_jobs');
  return row?.n ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Bounded wait until every order has its invoice and notification and every job is claimed. */
async function waitSettled(databaseUrl: string, orders: number, deadline: number) {
  let state = { invoices: 0, notifications: 0, processed: 0 };
  while (Date.now() < deadline) {
    state = (
      await query<typeof state>(
        databaseUrl,
        `SELECT (SELECT count(*)::int FROM invoices) AS invoices,
                (SELECT count(*)::int FROM notifications) AS notifications,
                (SELECT count(*)::int FROM processed_jobs) AS processed`,
      )
    )[0] as typeof state;
    if (state.invoices >= orders && state.notifications >= orders && state.processed >= 2 * orders) break;
    await sleep(250);
  }
  return state;
}

/** Every order exactly one invoice (with its total) and one notification, all outbox rows sent, both DLQs empty. */
async function expectExactlyOnce(pipeline: Pipeline, orders: number): Promise<void> {
  const [totals] = await query<Record<string, number>>(
    pipeline.databaseUrl,
    `SELECT
      (SELECT count(*)::int FROM orders) AS orders,
      (SELECT count(*)::int FROM invoices) AS invoices,
      (SELECT count(DISTINCT order_id)::int FROM invoices) AS invoiced,
      (SELECT count(*)::int FROM notifications) AS notifications,
      (SELECT count(DISTINCT order_id)::int FROM notifications) AS notified,
      (SELECT count(*)::int FROM processed_jobs) AS processed,
      (SELECT count(*)::int FROM outbox) AS outbox,
      (SELECT count(*)::int FROM outbox WHERE sent_at IS NULL) AS unsent,
      (SELECT count(*)::int FROM (SELECT order_id FROM invoices GROUP BY order_id HAVING count(*) > 1) d)
        AS orders_with_two_invoices,
      (SELECT count(*)::int FROM (SELECT order_id FROM notifications GROUP BY order_id HAVING count(*) > 1) d)
        AS orders_with_two_notifications,
      (SELECT count(*)::int FROM invoices i JOIN orders o ON o.id = i.order_id WHERE i.total_cents <> o.total_cents)
        AS wrong_totals`,
  );
  expect(totals).toEqual({
    orders,
    invoices: orders,
    invoiced: orders,
    notifications: orders,
    notified: orders,
    processed: 2 * orders,
    outbox: orders,
    unsent: 0,
    orders_with_two_invoices: 0,
    orders_with_two_notifications: 0,
    wrong_totals: 0,
  });
  const sqs = new SQSClient({
    endpoint: pipeline.runner.status().endpoints.sqs as string,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    for (const name of [orderEventsQueue.dlqName, backgroundJobsQueue.dlqName]) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      expect(Attributes, name).toMatchObject({
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '0',
      });
    }
  } finally {
    sqs.destroy();
  }
}

/** The JSON fields after the message of a formatted runner line (`<workload>/<id> | hh:mm:ss level msg {…}`). */
function fields(line: string): Record<string, unknown> {
  const brace = line.indexOf(' {');
  return brace < 0 ? {} : (JSON.parse(line.slice(brace + 1)) as Record<string, unknown>);
}

describe('the order pipeline at scale through the local runner', () => {
  it("10,000 orders' events through the whole pipeline while the background job is SIGKILLed twice: every effect exactly once, nothing lost", async () => {
    const ORDERS = 10_000;
    const KILLS_AT = [3_000, 7_000];
    const testStarted = Date.now();
    // A killed task's in-flight messages come back after the visibility timeout: short, so the test stays short.
    const pipeline = await startPipeline({ JOB_VISIBILITY_TIMEOUT_SECONDS: '3' }, (line) =>
      line.startsWith('background-job/') ? line.includes('[runner]') : !line.includes(' info '),
    );
    const { runner, databaseUrl, lines } = pipeline;
    const setupMs = Date.now() - testStarted;

    // The kill watcher: SIGKILL the running background-job task at each threshold, each time a different task.
    const victims: string[] = [];
    const processedAtKill: number[] = [];
    let creatingDone = false;
    const watcher = (async () => {
      const deadline = Date.now() + 150_000;
      while (victims.length < KILLS_AT.length && Date.now() < deadline) {
        const processed = await processedJobs(databaseUrl);
        const task = runner.service('background-job')?.currentTasks[0];
        const threshold = KILLS_AT[victims.length] as number;
        if (processed >= threshold && task?.pid && task.status === 'RUNNING' && !victims.includes(task.id)) {
          process.kill(task.pid, 'SIGKILL');
          victims.push(task.id);
          processedAtKill.push(processed);
        } else await sleep(creatingDone ? 20 : 50);
      }
    })();

    const failures = await createOrders(pipeline, ORDERS, 'scale');
    creatingDone = true;
    const createdMs = Date.now() - testStarted;
    expect(failures.slice(0, 5)).toEqual([]);
    await watcher;
    expect(victims).toHaveLength(2);
    expect(processedAtKill[0]).toBeGreaterThanOrEqual(KILLS_AT[0] as number);
    expect(processedAtKill[1]).toBeGreaterThanOrEqual(KILLS_AT[1] as number);
    expect(processedAtKill[1], 'the second kill happened before every job was done').toBeLessThan(2 * ORDERS);

    const state = await waitSettled(databaseUrl, ORDERS, testStarted + 170_000);
    const settledMs = Date.now() - testStarted;
    console.log(
      `[pipeline-at-scale] setup ${setupMs} ms, ${ORDERS} orders created at ${createdMs} ms, ` +
        `kills at ${processedAtKill.join(' and ')} processed jobs, settled at ${settledMs} ms`,
    );
    expect(state).toEqual({ invoices: ORDERS, notifications: ORDERS, processed: 2 * ORDERS });
    await expectExactlyOnce(pipeline, ORDERS);

    // Both kills were real SIGKILLs, and the service replaced the task each time.
    for (const victim of victims) {
      expect(
        lines.some((l) =>
          l.startsWith(`background-job/${victim.slice(0, 8)} | [runner] task stopped: killed by SIGKILL`),
        ),
        victim,
      ).toBe(true);
    }
    const current = runner.service('background-job')?.currentTasks[0];
    expect(current?.status).toBe('RUNNING');
    expect(victims).not.toContain(current?.id);
    // No job failed or went the DLQ way (warnings and errors of every hop were kept).
    expect(lines.filter((l) => /\| \S+ (error|fatal) /.test(l)).slice(0, 5)).toEqual([]);
  }, 200_000);

  it('SIGTERM under load: the background job drains, nothing lost, nothing redelivered', async () => {
    const ORDERS = 1_000;
    const STOP_AT = 800;
    // The default visibility (30 s): a message can only be received twice here if a worker released it or died.
    const pipeline = await startPipeline({}, (line) => line.startsWith('background-job/'));
    const { runner, databaseUrl, lines } = pipeline;
    const victim = runner.service('background-job')?.currentTasks[0];
    expect(victim?.pid).toBeGreaterThan(0);

    let stopping: ReturnType<NonNullable<typeof victim>['stop']> | undefined;
    let processedAtStop = -1;
    const watcher = (async () => {
      const deadline = Date.now() + 60_000;
      while (!stopping && Date.now() < deadline) {
        const processed = await processedJobs(databaseUrl);
        if (processed >= STOP_AT) {
          processedAtStop = processed;
          stopping = victim?.stop(); // SIGTERM now, SIGKILL only after the workload's stopTimeout (30 s)
        } else await sleep(10);
      }
    })();
    const failures = await createOrders(pipeline, ORDERS, 'drain');
    expect(failures.slice(0, 5)).toEqual([]);
    await watcher;
    expect(processedAtStop, 'stopped midway').toBeGreaterThanOrEqual(STOP_AT);
    expect(processedAtStop).toBeLessThan(2 * ORDERS);
    const result = await stopping;
    expect(result).toMatchObject({ exitCode: 0, signal: null });
    const prefix = `background-job/${victim?.id.slice(0, 8)} | `;
    expect(lines.filter((l) => l.startsWith(`${prefix}[runner] task stopped:`))).toEqual([
      expect.stringContaining('task stopped: exit code 0'),
    ]);

    const state = await waitSettled(databaseUrl, ORDERS, Date.now() + 60_000);
    expect(state).toEqual({ invoices: ORDERS, notifications: ORDERS, processed: 2 * ORDERS });
    await expectExactlyOnce(pipeline, ORDERS);

    // The drain: the stopped worker finished what it had received, deleted it, released nothing.
    const stoppedLine = lines.find((l) => l.startsWith(prefix) && l.includes(' worker stopped '));
    const stats = fields(stoppedLine ?? '');
    const drainLine = lines.find((l) => l.startsWith(prefix) && l.includes(': stopping; no more messages'));
    console.log(
      `[pipeline-at-scale] SIGTERM at ${processedAtStop} processed jobs; in flight then: ${JSON.stringify(fields(drainLine ?? ''))}; ` +
        `worker stopped: ${JSON.stringify(stats)}`,
    );
    expect(stats).toMatchObject({ failed: 0, released: 0 });
    expect(stats.succeeded).toBe(stats.received);
    expect(stats.received).toBeGreaterThan(0);

    // Nothing redelivered: each of the 2 × ORDERS jobs was started once, on its first receive, and none was skipped
    // as already done. (A redelivery would show as a second "job started" of the same jobId, a receiveCount above 1,
    // or an "already written" skip.)
    const jobStarts = lines.filter((l) => l.includes(' job started ')).map(fields);
    expect(jobStarts).toHaveLength(2 * ORDERS);
    expect(new Set(jobStarts.map((f) => f.jobId)).size).toBe(2 * ORDERS);
    // This caught a drain that aborted a receive the endpoint had already answered, stranding its messages until
    // their visibility timeout (about 1 run in 7); the worker now lets a pending receive return and releases it.
    expect(
      jobStarts.filter((f) => f.receiveCount !== 1),
      'messages received twice: the SIGTERM drain must release, not strand, what a pending receive returns',
    ).toEqual([]);
    expect(lines.filter((l) => l.includes('already written by an earlier delivery'))).toEqual([]);
    // The stopped task did part of the work and its replacement the rest.
    const byVictim = lines.filter((l) => l.startsWith(prefix) && l.includes(' job started ')).length;
    expect(byVictim).toBe(stats.received);
    expect(byVictim).toBeLessThan(2 * ORDERS);
    const replacement = runner.service('background-job')?.currentTasks[0];
    expect(replacement?.id).not.toBe(victim?.id);
    expect(replacement?.status).toBe('RUNNING');
  }, 120_000);
});
