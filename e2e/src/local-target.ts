// The local target: one LocalRunner on the real system.ts, driven the way a person and a partner would drive it.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchClient, DescribeJobsCommand, SubmitJobCommand } from '@aws-sdk/client-batch';
import { LocalRunner } from '@hello-fargate/local';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { system } from '../../system.js';
import { batchJobQueue, rescoreOrders } from '../../usecases/batchjobs/workload.js';
import { dailySalesReport } from '../../usecases/scheduledjobs/workload.js';
import { clientCredentialsToken } from './client-credentials-token.js';
import { launchBrowser } from './launch-browser.js';
import { orderThroughWebapp } from './order-through-webapp.js';
import { partnerOrder } from './partner-order.js';
import type { BackgroundWorkResult, BatchRunResult, ConsoleWatchResult, Target, WorkflowRunResult } from './target.js';
import { until } from './until.js';

/** The repository root: system.ts, local/identity.json and the workloads' folders. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The demo user of local/identity.json who signs in to the webapp. */
export const LOCAL_USER = { username: 'alice', password: 'alice-password', email: 'alice@example.com' } as const;

/** The machine client of local/identity.json allowed orders/write. */
export const LOCAL_PARTNER_CLIENT = 'partner-writer';

export interface LocalTargetOptions {
  /**
   * A PostgreSQL server (`postgres://…/postgres`): a database of its own is created for the run and dropped on close.
   * @default - the runner's embedded PGlite in the temporary state folder
   */
  readonly postgresServerUrl?: string;
  /** Folder for the webapp scenario's screenshots. @default - no screenshots */
  readonly screenshots?: string;
  /** Milliseconds a scenario waits for asynchronous work (queues, workflow, batch). @default 30_000 */
  readonly timeoutMs?: number;
  /** The chromium binary. @default '/usr/bin/chromium' (Debian) */
  readonly chromium?: string;
}

export class LocalTarget implements Target {
  readonly name = 'local';
  readonly unsupported = {};
  readonly sku = 'KB-MECH-01';
  /** Every line the runner and its tasks printed, for failure messages. */
  readonly output: string[] = [];
  private browser: Promise<Browser> | undefined;
  private batchClient: BatchClient | undefined;

  private constructor(
    private readonly options: LocalTargetOptions,
    private readonly stateDir: string,
    private readonly database: { readonly server: string; readonly name: string } | undefined,
    private runner: LocalRunner | undefined = undefined,
  ) {}

  /** Boots the whole system (migrations, seed data, services, queues, workflows, Batch) once for every scenario. */
  static async start(options: LocalTargetOptions = {}): Promise<LocalTarget> {
    const stateDir = mkdtempSync(join(tmpdir(), 'hf-e2e-'));
    const server = options.postgresServerUrl;
    const database = server ? { server, name: `hf_e2e_${randomBytes(4).toString('hex')}` } : undefined;
    const target = new LocalTarget(options, stateDir, database);
    try {
      let databaseUrl: string | undefined;
      if (database) {
        await onServer(database.server, `CREATE DATABASE ${database.name}`);
        const url = new URL(database.server);
        url.pathname = `/${database.name}`;
        databaseUrl = url.toString();
      }
      target.runner = await LocalRunner.start({
        system,
        root: REPO_ROOT,
        stateDir,
        ...(databaseUrl ? { databaseUrl } : {}),
        freeListenerPorts: true,
        earlyProbeSeconds: 0.1,
        // The scenarios start the workflow and the batch job themselves; a schedule firing mid-run would only add noise.
        schedules: false,
        output: (line) => target.output.push(line),
      });
      return target;
    } catch (error) {
      await target.close();
      throw error;
    }
  }

  private get started(): LocalRunner {
    if (!this.runner) throw new Error('the local target is not started; use LocalTarget.start()');
    return this.runner;
  }

  private endpoint(name: string): string {
    const url = this.started.status().endpoints[name];
    if (!url) throw new Error(`the local runner has no ${name} endpoint; is it declared in system.ts?`);
    return url;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 30_000;
  }

  async signInAndOrder(quantity: number) {
    this.browser ??= launchBrowser(this.options.chromium);
    return orderThroughWebapp({
      browser: await this.browser,
      webappUrl: this.endpoint('webapp'),
      signIn: signInLocally,
      sku: this.sku,
      quantity,
      ...(this.options.screenshots ? { screenshots: this.options.screenshots } : {}),
    });
  }

  async partnerOrder(order: { customerEmail: string; quantity: number }) {
    const discovery = await fetch(`${this.endpoint('identityIssuer')}/.well-known/openid-configuration`);
    const { token_endpoint: tokenUrl } = (await discovery.json()) as { token_endpoint: string };
    const token = await clientCredentialsToken({
      tokenUrl,
      clientId: LOCAL_PARTNER_CLIENT,
      clientSecret: localClientSecret(LOCAL_PARTNER_CLIENT),
      scope: 'orders/read orders/write',
    });
    return partnerOrder({ webapiUrl: this.endpoint('webapi'), token, sku: this.sku, ...order });
  }

  async backgroundWork(orderId: string): Promise<BackgroundWorkResult> {
    const databaseUrl = this.started.status().database.url;
    const read = async (): Promise<BackgroundWorkResult> => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const invoices = await client.query<{ total_cents: number }>(
          'SELECT total_cents FROM invoices WHERE order_id = $1',
          [orderId],
        );
        const notifications = await client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM notifications WHERE order_id = $1',
          [orderId],
        );
        return {
          invoiceTotalsCents: invoices.rows.map((row) => Number(row.total_cents)),
          notifications: notifications.rows[0]?.n ?? 0,
        };
      } finally {
        await client.end();
      }
    };
    // Bounded wait; at the deadline the last reading is returned, so the scenario's assertion shows what was missing.
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const found = await read();
      const done = found.invoiceTotalsCents.length > 0 && found.notifications > 0;
      if (done || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async runReportWorkflow(): Promise<WorkflowRunResult> {
    const runner = this.started;
    const { executionArn } = runner.startWorkflow(dailySalesReport.name, {}, 'e2e');
    const done = await until(
      `workflow execution ${executionArn} to end`,
      () => {
        const found = runner.execution(executionArn);
        return found && found.execution.status !== 'RUNNING' ? found : undefined;
      },
      { timeoutMs: this.timeoutMs, intervalMs: 50 },
    );
    return {
      executionArn,
      status: done.execution.status,
      statesEntered: done.history.flatMap((e) => (e.type === 'StateEntered' && e.state ? [e.state] : [])),
    };
  }

  async batchRescore(arraySize: number): Promise<BatchRunResult> {
    // The real Batch SDK client against the runner's Batch API endpoint, as `hf batch submit` or a scheduler would.
    this.batchClient ??= new BatchClient({
      endpoint: this.endpoint('batch'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const batch = this.batchClient;
    const { jobId } = await batch.send(
      new SubmitJobCommand({
        jobName: 'e2e-rescore',
        jobQueue: batchJobQueue.name,
        jobDefinition: rescoreOrders.name,
        arrayProperties: { size: arraySize },
      }),
    );
    const job = await until(
      `array job ${jobId} to end`,
      async () => {
        const { jobs = [] } = await batch.send(new DescribeJobsCommand({ jobs: [jobId as string] }));
        const found = jobs[0];
        return found?.status === 'SUCCEEDED' || found?.status === 'FAILED' ? found : undefined;
      },
      { timeoutMs: this.timeoutMs },
    );
    return {
      jobId: jobId as string,
      status: job.status as string,
      arraySize: job.arrayProperties?.size ?? 0,
      children: Object.fromEntries(
        Object.entries(job.arrayProperties?.statusSummary ?? {}).filter(([, count]) => count > 0),
      ),
    };
  }

  async watchInConsole(): Promise<ConsoleWatchResult> {
    this.browser ??= launchBrowser(this.options.chromium);
    const page = await (await this.browser).newPage({ viewport: { width: 1280, height: 1600 } });
    try {
      await page.goto(this.endpoint('console'));
      const queues = await until('the queues panel to list the system queues', async () => {
        const text = (await page.textContent('#queues-body')) ?? '';
        const names = ['order-events', 'background-jobs', 'report-events'].filter((q) => text.includes(q));
        return names.length === 3 ? names : undefined;
      });

      // An order with a request id of our own: every hop logs it (webapi, backend), and the order's events carry it
      // as their correlation id through order-events and background-jobs (main-job, background-job).
      const requestId = `e2e-console-${randomBytes(6).toString('hex')}`;
      const discovery = await fetch(`${this.endpoint('identityIssuer')}/.well-known/openid-configuration`);
      const { token_endpoint: tokenUrl } = (await discovery.json()) as { token_endpoint: string };
      const token = await clientCredentialsToken({
        tokenUrl,
        clientId: LOCAL_PARTNER_CLIENT,
        clientSecret: localClientSecret(LOCAL_PARTNER_CLIENT),
        scope: 'orders/read orders/write',
      });
      const created = await fetch(`${this.endpoint('webapi')}/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-request-id': requestId,
        },
        body: JSON.stringify({ customerEmail: 'console@example.com', lines: [{ sku: this.sku, quantity: 1 }] }),
      });
      if (created.status !== 201) throw new Error(`POST /orders answered ${created.status}: ${await created.text()}`);

      const wanted = ['webapi', 'backend', 'main-job', 'background-job'];
      const workloadsInLogs = await until(
        `the console's log search to find ${requestId} in ${wanted.join(', ')}`,
        async () => {
          await page.fill('#log-query', requestId);
          await page.click('#log-search button[type="submit"]');
          await page.waitForTimeout(300);
          const text = (await page.textContent('#logs-body')) ?? '';
          const seen = wanted.filter((w) => text.includes(`${w}/`));
          return seen.length === wanted.length ? seen : undefined;
        },
        { timeoutMs: this.timeoutMs, intervalMs: 200 },
      );
      if (this.options.screenshots) {
        await page.screenshot({ path: join(this.options.screenshots, 'console-order-logs.png'), fullPage: true });
      }

      // The report, started from the console's own button, and its timeline filling in the workflows panel.
      const before = this.started.executions(dailySalesReport.name).length;
      await page.click(`#workflows-body button.run-now`);
      const reportStatus = await until(
        'the console to show the report execution it started as finished',
        async () => {
          const executions = this.started.executions(dailySalesReport.name);
          const record = executions.length > before ? executions[0] : undefined;
          if (!record || record.status === 'RUNNING') return undefined;
          const text = (await page.textContent('#workflows-body')) ?? '';
          return text.includes(record.name) && text.includes(record.status) ? record.status : undefined;
        },
        { timeoutMs: this.timeoutMs, intervalMs: 200 },
      );
      if (this.options.screenshots) {
        await page.screenshot({ path: join(this.options.screenshots, 'console-report.png'), fullPage: true });
      }
      return { requestId, workloadsInLogs, queues, reportStatus };
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    this.batchClient?.destroy();
    await (await this.browser?.catch(() => undefined))?.close();
    await this.runner?.stop();
    if (this.database) {
      await onServer(this.database.server, `DROP DATABASE IF EXISTS ${this.database.name} WITH (FORCE)`);
    }
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** The local identity provider's sign-in form (what Cognito's hosted UI is locally). */
async function signInLocally(page: Page): Promise<void> {
  await page.fill('input[name="username"]', LOCAL_USER.username);
  await page.fill('input[name="password"]', LOCAL_USER.password);
  await page.click('button[type="submit"]');
}

function localClientSecret(clientId: string): string {
  const file = join(REPO_ROOT, 'local', 'identity.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { clients: { clientId: string; clientSecret: string }[] };
  const client = config.clients.find((c) => c.clientId === clientId);
  if (!client) throw new Error(`no client "${clientId}" in ${file}; the e2e suite uses it for partner orders`);
  return client.clientSecret;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
