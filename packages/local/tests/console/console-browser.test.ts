// The local console in headless Chromium: each panel shows live data from a running system, without a reload.

import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { defineJobQueue, defineSystem, defineWorkflow, defineWorkload } from '@hello-fargate/workload';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRunner } from '../../src/local-runner.js';
import { fixtureProject } from '../helpers.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const screenshots = join(repoRoot, 'test-artifacts', 'console');
const CHROMIUM = '/usr/bin/chromium';

const system = defineSystem({
  name: 'console-test',
  resourceServers: [{ identifier: 'orders', scopes: ['read', 'write'] }],
  queues: [{ name: 'orders', maxReceiveCount: 1 }],
  jobQueues: [defineJobQueue({ name: 'rescore', maxvCpus: 2 })],
  workloads: [
    defineWorkload({
      name: 'api',
      kind: 'webapi',
      directory: fixtureProject,
      entry: 'apps/server.mjs',
      port: 8080,
      loadBalancer: { authentication: 'jwt' },
    }),
    defineWorkload({ name: 'step', kind: 'scheduledjob', directory: fixtureProject, entry: 'apps/task.mjs' }),
    defineWorkload({
      name: 'child',
      kind: 'batchjob',
      directory: fixtureProject,
      entry: 'apps/batch-child.mjs',
      batch: { jobQueue: 'rescore' },
    }),
  ],
  workflows: [
    defineWorkflow({
      name: 'report',
      steps: [
        { name: 'Extract', workload: 'step', command: ['ok', '0'] },
        { name: 'Publish', workload: 'step', command: ['ok', '0'] },
      ],
    }),
  ],
});

/** A raw request, so Host and Origin can be set as another page or a rebinding attacker would. */
function rawRequest(url: string, options: { method: string; headers: Record<string, string> }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      res.resume();
      resolve(res.statusCode as number);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the local console in a browser', () => {
  const root = mkdtempSync(join(tmpdir(), 'hf-console-'));
  let runner: LocalRunner;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;
  let sqs: SQSClient;
  const output: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  const text = (selector: string) => page.locator(selector).first().textContent({ timeout: 10_000 });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the console test needs Debian's chromium; run apt-get install -y chromium`,
      );
    }
    mkdirSync(screenshots, { recursive: true });
    mkdirSync(join(root, 'local'));
    cpSync(join(repoRoot, 'local', 'identity.json'), join(root, 'local', 'identity.json'));
    const [started, launched] = await Promise.all([
      LocalRunner.start({
        system,
        root,
        stateDir: join(root, '.hf'),
        databaseUrl: 'postgres://unused@127.0.0.1:1/unused',
        freeListenerPorts: true,
        consolePort: 0,
        earlyProbeSeconds: 0.05,
        batchMinimumAttemptDurationSeconds: 1,
        schedules: false,
        output: (line) => output.push(line),
      }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          '--disable-sync',
        ],
      }),
    ]);
    runner = started;
    browser = launched;
    consoleUrl = runner.status().endpoints.console as string;
    sqs = new SQSClient({
      endpoint: runner.status().endpoints.sqs as string,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // A new context is a fresh, throwaway profile: no cookies or storage from any earlier run.
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(consoleUrl);
  }, 60_000);

  afterAll(async () => {
    sqs?.destroy();
    await browser?.close();
    await runner?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('is printed at start, reported in status, and bound to loopback', () => {
    expect(consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output).toContain(`console    ${consoleUrl}`);
  });

  it('shows the service replicas and the load balancer targets, and counts requests through the listener', async () => {
    await page.waitForSelector('[data-service="api"] .running:text("1/1")');
    await page.waitForSelector('[data-listener="api"] [data-target]');
    const listener = runner.status().endpoints.webapi as string;
    for (let i = 0; i < 5; i++) expect((await fetch(`${listener}/env`)).status).toBe(401);
    await page.locator('[data-listener="api"] h3', { hasText: /\b([5-9]|\d\d+) requests/ }).waitFor();
    await page.waitForSelector('[data-chart="Request rate"] polyline[data-series="api"]');
    await shot('overview');
  });

  it('shows queue counts change as messages are sent, and redrives the DLQ from its button', async () => {
    const QueueUrl = `${runner.status().endpoints.sqs}/000000000000/orders`;
    for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `order ${i}` }));
    await page.waitForSelector('[data-queue="orders"] .visible:text-is("3")');
    // maxReceiveCount 1: a message received once and released is moved to the DLQ on its next receive.
    for (let i = 0; i < 6; i++) {
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }),
      );
    }
    await page.waitForSelector('[data-queue="orders"] .dlq-depth:text-is("3")');
    await page.waitForSelector('[data-chart="Queue depth"] polyline[data-series="orders-dlq"]');
    await shot('queues');
    await page.click('[data-queue="orders"] button.redrive');
    await page.waitForSelector('[data-queue="orders"] .dlq-depth:text-is("0")');
    await page.waitForSelector('[data-queue="orders"] .visible:text-is("3")');
  });

  it('runs the workflow from its button and fills its timeline state by state', async () => {
    await page.click('[data-workflow="report"] button.run-now');
    await page.waitForSelector('[data-workflow="report"] .execution');
    await page.waitForSelector('[data-workflow="report"] .execution[data-status="SUCCEEDED"]', { timeout: 15_000 });
    for (const state of ['Run Extract', 'Run Publish']) {
      await page.waitForSelector(`[data-workflow="report"] g.span[data-state="${state}"][data-status="SUCCEEDED"]`);
    }
    expect(await text('[data-workflow="report"] .execution')).toContain('by console');
    // Its steps ran as tasks: the tasks panel lists them stopped with exit code 0.
    await page.waitForSelector('#tasks-body tr:has(td:text-is("step")) .exit.ok');
    await shot('workflow');
  });

  it('draws the grid of an array job and searches the logs by its job id', async () => {
    const { jobId } = runner.batch?.submitJob({
      jobName: 'rescore-all',
      jobQueue: 'rescore',
      jobDefinition: 'child',
      arrayProperties: { size: 4 },
    }) as { jobId: string };
    await page.waitForSelector(`[data-job="${jobId}"] .grid .cell[data-index="3"]`);
    await page.waitForSelector(`[data-job="${jobId}"][data-status="SUCCEEDED"]`, { timeout: 15_000 });
    expect(await page.locator(`[data-job="${jobId}"] .cell[data-status="SUCCEEDED"]`).count()).toBe(4);
    await shot('batch');

    await page.fill('#log-query', jobId);
    await page.click('#log-search button');
    await page.waitForSelector('#logs-body .log-match');
    expect(await page.locator('#logs-body .log-match').count()).toBeGreaterThanOrEqual(4);
    expect(await text('#logs-body')).toContain(`child job=${jobId}:`);
    await shot('logs');
  });

  it('shows log lines as text, never as markup', async () => {
    await runner.runTask('step', { args: ['ok', '<img src=x onerror="document.title=`pwned`">'] });
    await page.fill('#log-query', 'onerror=');
    await page.click('#log-search button');
    await page.waitForSelector('#logs-body .log-match');
    expect(await text('#logs-body pre')).toContain('<img src=x onerror=');
    expect(await page.locator('#logs-body img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
  });

  it('refuses actions from other origins and requests naming another host', async () => {
    const redrive = `${consoleUrl}/api/queues/orders-dlq/redrive`;
    expect(await rawRequest(redrive, { method: 'POST', headers: { origin: 'http://evil.example' } })).toBe(403);
    expect(await rawRequest(redrive, { method: 'POST', headers: {} })).toBe(403);
    const run = `${consoleUrl}/api/workflows/report/executions`;
    expect(await rawRequest(run, { method: 'POST', headers: { origin: 'http://127.0.0.1:1' } })).toBe(403);
    expect(await rawRequest(`${consoleUrl}/api/snapshot`, { method: 'GET', headers: { host: 'evil.example' } })).toBe(
      403,
    );
    expect(await rawRequest(`${consoleUrl}/api/snapshot`, { method: 'GET', headers: {} })).toBe(200);
    expect(runner.executions('report')).toHaveLength(1);
  });

  it('saved non-trivial screenshots', () => {
    for (const name of ['overview', 'queues', 'workflow', 'batch', 'logs']) {
      expect(statSync(join(screenshots, `${name}.png`)).size).toBeGreaterThan(10_000);
    }
  });
});
