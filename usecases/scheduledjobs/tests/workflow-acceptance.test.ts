// The daily sales report through the local runner: the schedule fires on an injected clock, the generated state
// machine runs three real tasks, and a failing step is retried, caught and notified — as in AWS.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type ExecutionRecord, LocalRunner, ManualClock } from '@hello-fargate/local';
import { defineSystem, defineWorkflow, TASK_EXITED_NON_ZERO } from '@hello-fargate/workload';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withClient } from '../../../tools/testing/test-databases.js';
import { oneoff } from '../../oneoff/workload.js';
import { dailySalesReport, reportEventsQueue, salesReport } from '../workload.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The report without its extract step: aggregate finds nothing extracted for the execution and exits 1, every time. */
const brokenReport = defineWorkflow({
  name: 'broken-report',
  steps: [{ name: 'Aggregate', workload: salesReport.name, command: ['aggregate'] }],
  retry: { maxAttempts: 2, intervalSeconds: 1, backoffRate: 2 },
  notifyQueue: reportEventsQueue.name,
});

async function query<Row>(url: string, text: string, params: unknown[] = []): Promise<Row[]> {
  return withClient(url, async (client) => (await client.query(text, params)).rows as Row[]);
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the daily sales report workflow in the local runner', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'hf-workflow-'));
  const database = `hf_report_${randomBytes(4).toString('hex')}`;
  const lines: string[] = [];
  // 00:00 UTC on 21 November; the report's cron(30 3 * * ? *) in Europe/Berlin (UTC+1) fires at 02:30 UTC.
  const clock = new ManualClock(new Date('2026-11-21T00:00:00Z'));
  let databaseUrl: string;
  let runner: LocalRunner;
  let sqs: SQSClient;

  beforeAll(async () => {
    const server = inject('postgresUrl');
    await withClient(server, (client) => client.query(`CREATE DATABASE ${database}`));
    const url = new URL(server);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    runner = await LocalRunner.start({
      system: defineSystem({
        name: 'reports',
        workloads: [oneoff, salesReport],
        queues: [reportEventsQueue],
        workflows: [dailySalesReport, brokenReport],
      }),
      root,
      stateDir,
      databaseUrl,
      clock,
      workflowRetryIntervalScale: 0.05,
      output: (line) => lines.push(line),
    });
    sqs = new SQSClient({
      endpoint: runner.status().endpoints.sqs as string,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await withClient(inject('postgresUrl'), (client) =>
      client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    );
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function receiveAll(): Promise<Record<string, unknown>[]> {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: reportEventsQueue.name }));
    const bodies: Record<string, unknown>[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return bodies;
      for (const message of Messages) {
        try {
          bodies.push(JSON.parse(message.Body ?? '{}') as Record<string, unknown>);
        } catch {
          throw new Error(`report-events got a message that is not JSON: ${message.Body}`);
        }
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  }

  it('fires on its schedule, runs extract → aggregate → publish as three tasks, and totals the day’s orders', async () => {
    // GIVEN orders around 20 November in Berlin: inside the day, just outside it, and a cancelled one inside.
    const [customer] = await query<{ id: string }>(databaseUrl, 'SELECT id FROM customers ORDER BY email LIMIT 1');
    const products = await query<{ id: string; price_cents: number }>(
      databaseUrl,
      'SELECT id, price_cents FROM products ORDER BY sku LIMIT 3',
    );
    const orders: [string, string, number][] = [
      ['2026-11-19T23:00:00Z', 'confirmed', 2], // 00:00 on the 20th in Berlin: inside
      ['2026-11-20T11:15:00Z', 'pending', 1],
      ['2026-11-20T22:59:59Z', 'shipped', 3], // 23:59:59 in Berlin: inside
      ['2026-11-20T23:00:00Z', 'confirmed', 1], // the 21st in Berlin: outside
      ['2026-11-19T22:59:59Z', 'confirmed', 1], // the 19th in Berlin: outside
      ['2026-11-20T12:00:00Z', 'cancelled', 5], // inside, but cancelled
    ];
    for (const [createdAt, status, quantity] of orders) {
      const product = products[quantity % products.length] as { id: string; price_cents: number };
      const total = quantity * product.price_cents;
      const [order] = await query<{ id: string }>(
        databaseUrl,
        'INSERT INTO orders (customer_id, status, total_cents, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
        [customer?.id, status, total, createdAt],
      );
      await query(
        databaseUrl,
        `INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents, line_total_cents)
         VALUES ($1, $2, $3, $4, $5)`,
        [order?.id, product.id, quantity, product.price_cents, total],
      );
    }
    const [expected] = await query<{ count: number; sum: string }>(
      databaseUrl,
      `SELECT count(*)::int AS count, sum(total_cents)::text AS sum FROM orders
        WHERE status <> 'cancelled' AND (created_at AT TIME ZONE 'Europe/Berlin')::date = '2026-11-20'`,
    );
    expect(expected?.count).toBe(3);
    expect(runner.status().workflows[0]?.schedule?.next).toBe('2026-11-21T02:30:00.000Z');

    // WHEN the clock reaches the schedule's fire time (no sleeping: the clock is injected)
    await clock.advanceTo(new Date('2026-11-21T02:30:00Z'));
    const started = await until('the scheduled execution', () => runner.executions(dailySalesReport.name)[0]);
    expect(started.startedBy).toBe(`schedule:${dailySalesReport.name}`);
    expect(started.input).toEqual({ scheduledTime: '2026-11-21T02:30:00Z' });
    const finished = await until('the execution to end', () => {
      const record = runner.executions(dailySalesReport.name)[0] as ExecutionRecord;
      return record.status === 'RUNNING' ? undefined : record;
    });

    // THEN it succeeded through three real tasks, one per step, each exit code 0
    expect(finished.status, JSON.stringify(finished)).toBe('SUCCEEDED');
    const steps = runner
      .status()
      .tasks.filter((t) => t.startedBy === `workflow:${dailySalesReport.name}`)
      .reverse();
    expect(steps.map((t) => [t.workload, t.exitCode])).toEqual([
      ['sales-report', 0],
      ['sales-report', 0],
      ['sales-report', 0],
    ]);
    const entered = runner.execution(finished.executionArn)?.history.filter((e) => e.type === 'StateEntered');
    expect(entered?.map((e) => e.state).filter((s) => s === 'Extract' || s === 'Aggregate' || s === 'Publish')).toEqual(
      ['Extract', 'Aggregate', 'Publish'],
    );
    // AND the report's totals are the sum of the day's orders in the database
    const [report] = await query<{ order_count: number; total_cents: string; published_at: Date | null }>(
      databaseUrl,
      `SELECT order_count, total_cents::text, published_at FROM daily_sales_reports WHERE report_date = '2026-11-20'`,
    );
    expect(report?.order_count).toBe(expected?.count);
    expect(report?.total_cents).toBe(expected?.sum);
    expect(report?.published_at).not.toBeNull();
    // AND publish sent report.published to report-events
    const messages = await receiveAll();
    expect(messages.some((m) => JSON.stringify(m).includes('2026-11-20'))).toBe(true);
  });

  it('retries a step that exits 1 per Retry, then records the failure through Catch and sends the notification', async () => {
    const before = runner.status().tasks.length;
    const started = runner.startWorkflow(brokenReport.name, { reportDate: '2026-11-20' });
    const finished = await until('the broken execution to end', () => {
      const record = runner.execution(started.executionArn)?.execution;
      return record && record.status !== 'RUNNING' ? record : undefined;
    });

    expect(finished.status).toBe('FAILED');
    expect(finished.error).toBe(TASK_EXITED_NON_ZERO);
    const history = runner.execution(started.executionArn)?.history ?? [];
    // Aggregate ran 1 + maxAttempts (2) times, each a real task that exited 1
    expect(history.filter((e) => e.type === 'StateRetried' && e.state === 'Aggregate').map((e) => e.attempt)).toEqual([
      1, 2,
    ]);
    const runs = runner
      .status()
      .tasks.slice(0, runner.status().tasks.length - before)
      .filter((t) => t.startedBy === `workflow:${brokenReport.name}`);
    expect(runs.map((t) => t.exitCode)).toEqual([1, 1, 1]);
    // the Catch path: recorded, notified, failed
    const states = history.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(states.slice(-3)).toEqual(['Record failure', 'Notify failure', 'Failed']);
    const failure = (await receiveAll()).find((m) => m.type === 'workflow.failed');
    expect(failure).toMatchObject({
      type: 'workflow.failed',
      workflow: 'broken-report',
      execution: started.executionArn,
      error: TASK_EXITED_NON_ZERO,
      input: { reportDate: '2026-11-20' },
    });
  });
});
