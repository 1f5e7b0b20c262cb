// The daily-sales-report steps against a real database: extract → aggregate → publish, retries, zones, bad input.

import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createPool, migrate, runTask, TaskFailure } from '@hello-fargate/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, captureLogger, type TestDatabases } from '../../../tools/testing/test-databases.js';
import { aggregateReport } from '../apps/aggregate-report.js';
import { extractOrders } from '../apps/extract-orders.js';
import { publishReport } from '../apps/publish-report.js';
import { createSalesReportCommands } from '../apps/sales-report-commands.js';

const migrationsDir = new URL('../../oneoff/migrations/', import.meta.url);
const QUEUE_URL = 'http://sqs.local/000000000000/report-events';
const BERLIN = 'Europe/Berlin';
// 31 March 2024 is the day Berlin moves to summer time: its day runs 2024-03-30T23:00Z to 2024-03-31T22:00Z (23 h).
const DAY = '2024-03-31';

/** Orders around the Berlin day: [created_at, status, lines of [sku, quantity]]. */
const ORDERS: [string, string, [string, number][]][] = [
  ['2024-03-30T22:59:59Z', 'confirmed', [['TEA-1', 1]]], // 23:59:59 on the 30th in Berlin
  ['2024-03-30T23:00:00Z', 'pending', [['TEA-1', 2]]], // 00:00 on the 31st in Berlin
  [
    '2024-03-31T12:00:00Z',
    'shipped',
    [
      ['TEA-1', 1],
      ['MUG-1', 3],
    ],
  ],
  ['2024-03-31T10:00:00Z', 'cancelled', [['MUG-1', 5]]],
  ['2024-03-31T21:59:59Z', 'delivered', [['MUG-1', 1]]], // 23:59:59 CEST
  ['2024-03-31T22:00:00Z', 'invoiced', [['TEA-1', 4]]], // 00:00 on 1 April in Berlin
];
const PRICES: Record<string, number> = { 'TEA-1': 450, 'MUG-1': 1299 };

async function seed(pool: pg.Pool): Promise<void> {
  await pool.query(`INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann')`);
  await pool.query(
    `INSERT INTO products (sku, name, price_cents) VALUES ('TEA-1', 'Green tea', 450), ('MUG-1', 'Mug', 1299)`,
  );
  for (const [createdAt, status, lines] of ORDERS) {
    const total = lines.reduce((sum, [sku, quantity]) => sum + (PRICES[sku] as number) * quantity, 0);
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO orders (customer_id, status, total_cents, created_at)
       SELECT id, $2, $3, $1 FROM customers RETURNING id`,
      [createdAt, status, total],
    );
    for (const [sku, quantity] of lines) {
      await pool.query(
        `INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents, line_total_cents)
         SELECT $1, id, $3, price_cents, price_cents * $3 FROM products WHERE sku = $2`,
        [rows[0]?.id, sku, quantity],
      );
    }
  }
}

/** The day's figures computed another way than the steps do: by the order's local date. */
async function expected(pool: pg.Pool, timeZone: string, day: string) {
  const { rows } = await pool.query<{ n: number; cents: string }>(
    `SELECT count(*)::int AS n, coalesce(sum(total_cents), 0)::text AS cents FROM orders
     WHERE (created_at AT TIME ZONE $1)::date = $2::date AND status <> 'cancelled'`,
    [timeZone, day],
  );
  return { orderCount: rows[0]?.n, totalCents: Number(rows[0]?.cents) };
}

function mockedSqs() {
  const sqs = new SQSClient({ region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return { sqs, mock: mockClient(sqs) };
}

describe.each(backends)('daily sales report steps on $name', (backend) => {
  let databases: TestDatabases;
  let pool: pg.Pool;
  const logger = captureLogger('error').logger;

  beforeAll(async () => {
    databases = await backend.start();
    const url = await databases.fresh();
    await migrate({ dir: migrationsDir, url, logger });
    pool = createPool({ url, max: 4 });
    await seed(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await databases?.stop();
  });

  it('reports the Berlin day: its orders from local midnight to midnight, cancelled ones left out', async () => {
    const executionId = `exec-berlin-${backend.name}`;

    const extracted = await extractOrders(pool, { executionId, reportDate: DAY, timeZone: BERLIN });
    const report = await aggregateReport(pool, executionId);

    expect(extracted.orderCount).toBe(3);
    expect({ orderCount: report.orderCount, totalCents: report.totalCents }).toEqual(await expected(pool, BERLIN, DAY));
    expect(report.totalCents).toBe(2 * 450 + (450 + 3 * 1299) + 1299);
    expect(report.productTotals.map(({ sku, quantity, totalCents }) => ({ sku, quantity, totalCents }))).toEqual([
      { sku: 'MUG-1', quantity: 4, totalCents: 4 * 1299 },
      { sku: 'TEA-1', quantity: 3, totalCents: 3 * 450 },
    ]);
    expect(report).toMatchObject({ reportDate: DAY, executionId, timeZone: BERLIN, publishedAt: null });
  });

  it('reports the same date in UTC with the orders of the UTC day', async () => {
    const executionId = `exec-utc-${backend.name}`;

    await extractOrders(pool, { executionId, reportDate: DAY, timeZone: 'UTC' });
    const report = await aggregateReport(pool, executionId);

    expect({ orderCount: report.orderCount, totalCents: report.totalCents }).toEqual(await expected(pool, 'UTC', DAY));
    expect(report.orderCount).toBe(3);
  });

  it('gives the same staged rows and the same report when a step is retried', async () => {
    const executionId = `exec-retry-${backend.name}`;
    const staged = async () =>
      (
        await pool.query<{ order_id: string }>(
          'SELECT order_id FROM sales_report_staged_orders WHERE execution_id = $1 ORDER BY order_id',
          [executionId],
        )
      ).rows;

    await extractOrders(pool, { executionId, reportDate: DAY, timeZone: BERLIN });
    const firstStaged = await staged();
    const first = await aggregateReport(pool, executionId);
    await extractOrders(pool, { executionId, reportDate: DAY, timeZone: BERLIN });
    const second = await aggregateReport(pool, executionId);

    expect(firstStaged).toHaveLength(3);
    expect(await staged()).toEqual(firstStaged);
    expect({ ...second, createdAt: undefined }).toEqual({ ...first, createdAt: undefined });
    const reports = await pool.query('SELECT count(*)::int AS n FROM daily_sales_reports WHERE report_date = $1', [
      DAY,
    ]);
    expect(reports.rows[0].n).toBe(1);
  });

  it('publishes report.published once with a deterministic id, and not again when retried', async () => {
    const executionId = `exec-publish-${backend.name}`;
    await extractOrders(pool, { executionId, reportDate: DAY, timeZone: BERLIN });
    await aggregateReport(pool, executionId);
    const { sqs, mock } = mockedSqs();
    mock.on(SendMessageCommand).resolves({ MessageId: 'message-1' });

    const first = await publishReport(pool, { executionId, sqs, queueUrl: QUEUE_URL, logger });
    const again = await publishReport(pool, { executionId, sqs, queueUrl: QUEUE_URL, logger });

    expect([first.outcome, again.outcome]).toEqual(['published', 'already-published']);
    const sends = mock.commandCalls(SendMessageCommand);
    expect(sends).toHaveLength(1);
    const input = sends[0]?.args[0].input;
    expect(input?.QueueUrl).toBe(QUEUE_URL);
    expect(input?.MessageAttributes?.jobId?.StringValue).toBe(`report.published:${DAY}:${executionId}`);
    expect(JSON.parse(input?.MessageBody ?? '')).toEqual({
      type: 'report.published',
      eventId: `report.published:${DAY}:${executionId}`,
      reportDate: DAY,
      timeZone: BERLIN,
      executionId,
      ...(await expected(pool, BERLIN, DAY)),
    });
    expect(first.report.publishedMessageId).toBe('message-1');
    expect(first.report.publishedAt).toBeInstanceOf(Date);
  });

  it('leaves the report unpublished when the send fails, and sends the same id on the retry', async () => {
    const executionId = `exec-send-fails-${backend.name}`;
    await extractOrders(pool, { executionId, reportDate: DAY, timeZone: BERLIN });
    await aggregateReport(pool, executionId);
    const { sqs, mock } = mockedSqs();
    mock.on(SendMessageCommand).rejectsOnce(new Error('SQS is unavailable')).resolves({ MessageId: 'message-2' });

    await expect(publishReport(pool, { executionId, sqs, queueUrl: QUEUE_URL, logger })).rejects.toThrow(
      'SQS is unavailable',
    );
    const unpublished = await pool.query('SELECT published_at FROM daily_sales_reports WHERE execution_id = $1', [
      executionId,
    ]);
    const retried = await publishReport(pool, { executionId, sqs, queueUrl: QUEUE_URL, logger });

    expect(unpublished.rows).toEqual([{ published_at: null }]);
    expect(retried.outcome).toBe('published');
    const ids = mock
      .commandCalls(SendMessageCommand)
      .map((call) => call.args[0].input.MessageAttributes?.jobId?.StringValue);
    expect(ids).toEqual([retried.eventId, retried.eventId]);
  });

  it('replaces the day’s report when a later execution aggregates it; the earlier one then has nothing to publish', async () => {
    const earlier = `exec-earlier-${backend.name}`;
    const later = `exec-later-${backend.name}`;
    const { sqs, mock } = mockedSqs();
    mock.on(SendMessageCommand).resolves({ MessageId: 'message-3' });
    await extractOrders(pool, { executionId: earlier, reportDate: '2024-03-30', timeZone: BERLIN });
    await aggregateReport(pool, earlier);
    await publishReport(pool, { executionId: earlier, sqs, queueUrl: QUEUE_URL, logger });

    await extractOrders(pool, { executionId: later, reportDate: '2024-03-30', timeZone: BERLIN });
    const replaced = await aggregateReport(pool, later);

    expect(replaced).toMatchObject({ executionId: later, publishedAt: null, publishedMessageId: null });
    // the earlier execution (say, a duplicate scheduler delivery) publishing now is not a failure: the later one publishes
    const superseded = await publishReport(pool, { executionId: earlier, sqs, queueUrl: QUEUE_URL, logger });
    expect(superseded).toMatchObject({ outcome: 'superseded', report: { executionId: later } });
    expect(mock.commandCalls(SendMessageCommand)).toHaveLength(1);
    await expect(
      publishReport(pool, { executionId: 'exec-never-ran', sqs, queueUrl: QUEUE_URL, logger }),
    ).rejects.toThrow(/has no daily sales report to publish; run its aggregate step first/);
  });

  it('refuses to aggregate an execution that extracted nothing', async () => {
    await expect(aggregateReport(pool, 'exec-never-extracted')).rejects.toThrow(TaskFailure);
    await expect(aggregateReport(pool, 'exec-never-extracted')).rejects.toThrow(
      'execution exec-never-extracted has extracted nothing to aggregate; run the extract step of the same execution first',
    );
  });
});

describe('sales-report commands', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function run(env: Record<string, string>, ...argv: string[]) {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await runTask(createSalesReportCommands({ env }), { argv, logger: captureLogger('error').logger });
    const written = stderr.mock.calls.map((call) => String(call[0])).join('');
    stderr.mockRestore();
    return { code, stderr: written };
  }

  it('exits 1 with the reason for a bad report date in the workflow input, before touching the database', async () => {
    const result = await run(
      { DATABASE_URL: 'postgres://127.0.0.1:1/unused', WORKFLOW_INPUT: '{"reportDate":"2024-02-30"}' },
      'extract',
    );

    expect(result).toEqual({
      code: 1,
      stderr:
        'error: extract: WORKFLOW_INPUT reportDate "2024-02-30" is not a date; give the report day as YYYY-MM-DD, e.g. "2024-05-01"\n',
    });
  });

  it('exits 1 naming the variable when WORKFLOW_INPUT is not JSON, and 2 for an unknown flag', async () => {
    const notJson = await run({ WORKFLOW_INPUT: '{oops' }, 'extract');
    const badFlag = await run({}, 'aggregate', '--date', '2024-01-01');

    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^error: extract: environment variable WORKFLOW_INPUT is not valid JSON/);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/^error: aggregate: Unknown option '--date'; usage: /);
  });
});
