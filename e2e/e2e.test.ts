// The end-to-end scenarios, run against the local runner (default) or a deployed environment (E2E_TARGET=aws).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AwsTarget } from './src/aws-target.js';
import { missingMessage, readE2eConfig } from './src/e2e-config.js';
import { LocalTarget, REPO_ROOT } from './src/local-target.js';
import type { ScenarioName, Target } from './src/target.js';

// A malformed variable throws here: the file fails to collect, it is never skipped.
const config = readE2eConfig();
const local = config.target === 'local';
const skipNote = 'missing' in config ? missingMessage(config.missing) : undefined;
if (skipNote) console.warn(`e2e: every AWS scenario is skipped: ${skipNote}`);
const title = 'aws' in config ? `aws ${config.aws.environment}` : config.target;
/** A deployed environment runs Fargate tasks for the workflow and Batch: minutes, not seconds. */
const scenarioTimeoutMs = local ? 30_000 : 15 * 60_000;
const ARRAY_SIZE = 4;

describe(`end to end against ${title}${skipNote ? ` (skipped: ${skipNote})` : ''}`, () => {
  let target: Target | undefined;

  beforeAll(
    async () => {
      if ('missing' in config) return;
      const screenshots = join(REPO_ROOT, 'test-artifacts', 'e2e', title.replace(' ', '-'));
      mkdirSync(screenshots, { recursive: true });
      target =
        'aws' in config
          ? new AwsTarget(config.aws, { screenshots })
          : await LocalTarget.start({ postgresServerUrl: inject('postgresUrl'), screenshots });
    },
    local ? 60_000 : 120_000,
  );

  afterAll(async () => {
    await target?.close();
  });

  /** One scenario; skipped with a note only when the AWS target lacks variables or cannot observe this scenario. */
  function scenario(name: ScenarioName, behaviour: string, body: (target: Target) => Promise<void>): void {
    it(
      `${name}: ${behaviour}`,
      async (context) => {
        if (skipNote) context.skip(skipNote);
        if (!target) throw new Error('the target did not start (see the beforeAll error)');
        const reason = target.unsupported[name];
        if (reason) context.skip(`${target.name} cannot check this: ${reason}`);
        await body(target);
      },
      scenarioTimeoutMs,
    );
  }

  scenario(
    'webapp order',
    'signs in through the login redirect, places an order and finds it in the list',
    async (t) => {
      const order = await t.signInAndOrder(2);
      expect(order.signedInTitle).toBe('My orders · Hello Fargate Orders');
      expect(order.account, 'the page header names the signed-in account').not.toBe('');
      expect(order.orderId).toMatch(/^[0-9a-f-]{36}$/);
      expect(order.status).toBe('pending');
      expect(order.total).toMatch(/\d/);
      expect(order.listedTotal, 'the new order is in "My orders" with the same total').toBe(order.total);
    },
  );

  scenario('partner order', 'creates an order with a client-credentials token (201) and reads it back', async (t) => {
    const result = await t.partnerOrder({ customerEmail: `e2e-${Date.now()}@example.com`, quantity: 3 });
    expect(result.createStatus, JSON.stringify(result.created)).toBe(201);
    expect(result.location).toBe(`/orders/${result.created.id}`);
    const [line] = result.created.lines;
    expect(line?.sku).toBe(t.sku);
    expect(result.created.totalCents).toBe(3 * (line?.unitPriceCents ?? Number.NaN));
    expect(result.fetchStatus).toBe(200);
    expect(result.fetched).toEqual(result.created);
  });

  scenario('background work', 'writes exactly one invoice and one notification for a new order', async (t) => {
    const { created } = await t.partnerOrder({ customerEmail: `e2e-work-${Date.now()}@example.com`, quantity: 1 });
    const work = await t.backgroundWork(created.id);
    expect(work).toEqual({ invoiceTotalsCents: [created.totalCents], notifications: 1 });
  });

  scenario('report workflow', 'runs extract → aggregate → publish as tasks and SUCCEEDS', async (t) => {
    const run = await t.runReportWorkflow();
    expect(run.status, run.executionArn).toBe('SUCCEEDED');
    expect(run.statesEntered.filter((s) => s.startsWith('Run '))).toEqual([
      'Run Extract',
      'Run Aggregate',
      'Run Publish',
    ]);
  });

  scenario('batch rescore', `runs rescore-orders as an array of ${ARRAY_SIZE} children that all SUCCEED`, async (t) => {
    const job = await t.batchRescore(ARRAY_SIZE);
    expect(job).toMatchObject({ status: 'SUCCEEDED', arraySize: ARRAY_SIZE, children: { SUCCEEDED: ARRAY_SIZE } });
  });

  scenario(
    'console',
    'follows an order through the queues in the console and runs the report from its button',
    async (t) => {
      const seen = await t.watchInConsole();
      expect(seen.queues).toEqual(['order-events', 'background-jobs', 'report-events']);
      expect(seen.workloadsInLogs).toEqual(['webapi', 'backend', 'main-job', 'background-job']);
      expect(seen.reportStatus).toBe('SUCCEEDED');
    },
  );
});
