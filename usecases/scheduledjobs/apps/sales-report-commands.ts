// The sales-report task's commands, one per workflow step: extract, aggregate, publish.

import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  connectDatabase,
  databaseUrlFromEnv,
  readWorkflowStep,
  requireEnv,
  type TaskCommand,
  type TaskContext,
  TaskFailure,
} from '@hello-fargate/runtime';
import { queueUrlVariable } from '@hello-fargate/workload';
import type pg from 'pg';
import { aggregateReport } from './aggregate-report.js';
import { extractOrders } from './extract-orders.js';
import { publishReport } from './publish-report.js';
import { readReportRequest } from './workflow-input.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The queue `publish` sends to (declared in workload.ts). */
export const REPORT_EVENTS_QUEUE = 'report-events';

export interface SalesReportCommandOptions {
  /** @default process.env */
  readonly env?: Env;
  /** Clock for a run by hand (no scheduledTime). @default () => new Date() */
  readonly now?: () => Date;
  /** Makes the SQS client `publish` uses (endpoint from AWS_ENDPOINT_URL_SQS locally). @default () => new SQSClient({}) */
  readonly sqs?: () => SQSClient;
}

export const SALES_REPORT_USAGE = `usage: extract [--date YYYY-MM-DD] [--execution <id>] | aggregate [--execution <id>] | publish [--execution <id>]
  As workflow steps they read WORKFLOW_EXECUTION_ID and WORKFLOW_INPUT. By hand, give the same --execution to all three.`;

/** The commands, with what they read from outside passed in (tests give their own env, clock and SQS client). */
export function createSalesReportCommands(options: SalesReportCommandOptions = {}): Record<string, TaskCommand> {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const makeSqs = options.sqs ?? (() => new SQSClient({}));
  const executionOf = (flags: Flags) => flags.execution ?? readWorkflowStep(env, now).executionId;

  return {
    extract: async ({ args, logger }) => {
      const flags = parseFlags(args, true);
      const request = readReportRequest({
        env,
        now,
        ...(flags.date !== undefined && { reportDate: flags.date }),
        ...(flags.execution !== undefined && { executionId: flags.execution }),
      });
      const result = await withPool(env, (pool) => extractOrders(pool, request));
      logger.info(
        { ...result },
        `staged ${result.orderCount} orders of ${result.reportDate} (${result.timeZone}) for execution ${result.executionId}` +
          (request.manual ? `; run aggregate and publish with --execution ${result.executionId}` : ''),
      );
      return 0;
    },
    aggregate: async ({ args, logger }) => {
      const executionId = executionOf(parseFlags(args, false));
      const report = await withPool(env, (pool) => aggregateReport(pool, executionId));
      logger.info(
        { reportDate: report.reportDate, orderCount: report.orderCount, totalCents: report.totalCents, executionId },
        `report of ${report.reportDate}: ${report.orderCount} orders, ${report.totalCents} cents, ${report.productTotals.length} products`,
      );
      return 0;
    },
    publish: async ({ args, logger }: TaskContext) => {
      const executionId = executionOf(parseFlags(args, false));
      const queueUrl = requireEnv(queueUrlVariable(REPORT_EVENTS_QUEUE), env);
      const sqs = makeSqs();
      try {
        await withPool(env, (pool) => publishReport(pool, { executionId, sqs, queueUrl, logger }));
      } finally {
        sqs.destroy();
      }
      return 0;
    },
  };
}

interface Flags {
  readonly date?: string | undefined;
  readonly execution?: string | undefined;
}

function parseFlags(args: readonly string[], withDate: boolean): Flags {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        execution: { type: 'string' },
        ...(withDate ? { date: { type: 'string' as const } } : {}),
      },
      allowPositionals: false,
      strict: true,
    });
    return values as Flags;
  } catch (error) {
    throw new TaskFailure(`${(error as Error).message}; ${SALES_REPORT_USAGE}`, 2);
  }
}

async function withPool<T>(env: Env, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = await connectDatabase({ url: databaseUrlFromEnv(env), max: 2 });
  try {
    return await work(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
