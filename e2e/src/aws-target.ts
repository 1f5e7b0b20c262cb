// The AWS target: a deployed environment's webapp, webapi, Step Functions workflow and Batch job queue.

import type { Writable } from 'node:stream';
import { BatchClient, DescribeJobsCommand } from '@aws-sdk/client-batch';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import type { Browser } from 'playwright-core';
import { submitBatchJobOnAws } from '../../packages/cli/src/aws/batch-on-aws.js';
import { runWorkflowNowOnAws } from '../../packages/cli/src/aws/workflow-on-aws.js';
import { system } from '../../system.js';
import { rescoreOrders } from '../../usecases/batchjobs/workload.js';
import { dailySalesReport } from '../../usecases/scheduledjobs/workload.js';
import { clientCredentialsToken } from './client-credentials-token.js';
import { cognitoSignIn } from './cognito-sign-in.js';
import { type AwsTargetConfig, E2eConfigError, missingMessage, readE2eConfig } from './e2e-config.js';
import { launchBrowser } from './launch-browser.js';
import { orderThroughWebapp } from './order-through-webapp.js';
import { partnerOrder } from './partner-order.js';
import type {
  BatchRunResult,
  ConsoleWatchResult,
  ScenarioName,
  Target,
  WebOrderResult,
  WorkflowRunResult,
} from './target.js';

/** The AWS clients the workflow and batch scenarios call. */
export interface AwsTargetClients {
  readonly sfn: SFNClient;
  readonly cloudformation: CloudFormationClient;
  readonly batch: BatchClient;
}

export interface AwsTargetOptions {
  /** @default - clients for `config.region` with the SDK's default credentials (env, profile, SSO, role) */
  readonly clients?: AwsTargetClients;
  /** The system's name, the first part of its stack names. @default - system.ts's name */
  readonly system?: string;
  /** Milliseconds between Step Functions and Batch polls. @default 5000 */
  readonly pollIntervalMs?: number;
  /** Folder for the webapp scenario's screenshots. @default - no screenshots */
  readonly screenshots?: string;
  /** Starts the browser for the webapp scenario. @default launchBrowser() (Debian chromium) */
  readonly launchBrowser?: () => Promise<Browser>;
}

/** Why the background work cannot be observed from outside a deployed environment. */
export const BACKGROUND_WORK_UNOBSERVABLE =
  'invoices and notifications are written to the Aurora database only; neither the webapi nor the backend exposes ' +
  'them and the database is not reachable from outside the VPC';

/** A discarding stream for the Batch progress bar: the scenario reports the final state, not the bar. */
const quiet = { isTTY: false, write: () => true } as unknown as Writable;

export class AwsTarget implements Target {
  readonly name: string;
  readonly unsupported: Readonly<Partial<Record<ScenarioName, string>>> = {
    console: 'the console is part of the local runner; in AWS use the CloudWatch and Step Functions consoles',
    'background work': BACKGROUND_WORK_UNOBSERVABLE,
  };
  readonly sku: string;
  /** What the workflow and batch building blocks printed, for failure messages. */
  readonly output: string[] = [];
  private readonly clients: AwsTargetClients;
  private readonly system: string;
  private readonly pollIntervalMs: number;
  private browser: Promise<Browser> | undefined;

  constructor(
    readonly config: AwsTargetConfig,
    private readonly options: AwsTargetOptions = {},
  ) {
    this.name = `aws ${config.environment}`;
    this.sku = config.sku;
    this.system = options.system ?? system.name;
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    const { region } = config;
    this.clients = options.clients ?? {
      sfn: new SFNClient({ region }),
      cloudformation: new CloudFormationClient({ region }),
      batch: new BatchClient({ region }),
    };
  }

  /** The target from E2E_* variables: a missing or malformed variable is an E2eConfigError naming it. */
  static fromEnv(env: Readonly<Record<string, string | undefined>>, options: AwsTargetOptions = {}): AwsTarget {
    const config = readE2eConfig({ env: { ...env, E2E_TARGET: 'aws' } });
    if ('missing' in config) throw new E2eConfigError([missingMessage(config.missing)]);
    if (!('aws' in config)) throw new E2eConfigError(['E2E_TARGET must be aws for the AWS target']);
    return new AwsTarget(config.aws, options);
  }

  async signInAndOrder(quantity: number): Promise<WebOrderResult> {
    this.browser ??= (this.options.launchBrowser ?? (() => launchBrowser()))();
    return orderThroughWebapp({
      browser: await this.browser,
      webappUrl: this.config.webappUrl,
      signIn: cognitoSignIn(this.config.user, this.config.password),
      sku: this.sku,
      quantity,
      navigationTimeoutMs: 60_000,
      ...(this.options.screenshots ? { screenshots: this.options.screenshots } : {}),
    });
  }

  async partnerOrder(order: { customerEmail: string; quantity: number }) {
    const { tokenUrl, clientId, clientSecret, scope, webapiUrl } = this.config;
    const token = await clientCredentialsToken({ tokenUrl, clientId, clientSecret, scope });
    return partnerOrder({ webapiUrl, token, sku: this.sku, ...order });
  }

  backgroundWork(): Promise<never> {
    return Promise.reject(new Error(`${this.name}: ${BACKGROUND_WORK_UNOBSERVABLE}`));
  }

  /** `hf workflow run-now daily-sales-report --env <env>`'s building block, then the states the execution entered. */
  async runReportWorkflow(): Promise<WorkflowRunResult> {
    const run = await runWorkflowNowOnAws({
      system: this.system,
      environment: this.config.environment,
      workflow: dailySalesReport.name,
      clients: this.clients,
      output: this.lines(),
      pollIntervalMs: this.pollIntervalMs,
    });
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.clients.sfn.send(
        new GetExecutionHistoryCommand({ executionArn: run.executionArn, maxResults: 1000, nextToken }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return {
      executionArn: run.executionArn,
      status: run.status,
      statesEntered: events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [])),
    };
  }

  /** `hf batch submit rescore-orders --array-size n --env <env>`'s building block, then the children's states. */
  async batchRescore(arraySize: number): Promise<BatchRunResult> {
    const run = await submitBatchJobOnAws({
      system: this.system,
      environment: this.config.environment,
      workload: rescoreOrders.name,
      clients: this.clients,
      output: this.lines(),
      arraySize,
      jobName: `e2e-rescore-${Date.now()}`,
      pollIntervalMs: this.pollIntervalMs,
      progressStream: quiet as NodeJS.WriteStream,
    });
    const { jobs = [] } = await this.clients.batch.send(new DescribeJobsCommand({ jobs: [run.jobId] }));
    const job = jobs[0];
    return {
      jobId: run.jobId,
      status: run.status,
      arraySize: job?.arrayProperties?.size ?? 0,
      children: Object.fromEntries(
        Object.entries(job?.arrayProperties?.statusSummary ?? {}).filter(([, count]) => count > 0),
      ),
    };
  }

  watchInConsole(): Promise<ConsoleWatchResult> {
    return Promise.reject(new Error(this.unsupported.console));
  }

  async close(): Promise<void> {
    await (await this.browser?.catch(() => undefined))?.close();
    if (!this.options.clients) for (const client of Object.values(this.clients)) client.destroy();
  }

  private lines() {
    return { print: (line: string) => this.output.push(line), progress: (line: string) => this.output.push(line) };
  }
}
