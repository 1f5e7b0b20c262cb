// The sales report's part of the workflow input: `reportDate` to report on a given day, `scheduledTime` from the schedule.

import { optionalEnv, readWorkflowStep, TaskFailure } from '@hello-fargate/runtime';
import { checkTimeZone, parseReportDate, reportDateFor } from './report-date.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What the extract step reports on, and for which execution. */
export interface ReportRequest {
  /** WORKFLOW_EXECUTION_ID; by hand `manual-<timestamp>`. */
  readonly executionId: string;
  /** The day reported on, `YYYY-MM-DD`, in `timeZone`. */
  readonly reportDate: string;
  /** REPORT_TIME_ZONE: the zone whose midnight starts and ends the day. @default 'UTC' */
  readonly timeZone: string;
  /** True when a person started the step (no WORKFLOW_EXECUTION_ID). */
  readonly manual: boolean;
}

export interface ReportRequestOptions {
  /** @default process.env */
  readonly env?: Env;
  /** Stands in for `scheduledTime` when the input has none (a run by hand). @default () => new Date() */
  readonly now?: () => Date;
  /** Report day given on the command line (`--date`); wins over the input's. @default - none */
  readonly reportDate?: string;
  /** Execution id given on the command line (`--execution`); wins over WORKFLOW_EXECUTION_ID. @default - none */
  readonly executionId?: string;
}

/**
 * Reads WORKFLOW_INPUT (`{ reportDate?: 'YYYY-MM-DD', scheduledTime?: ISO timestamp }`), WORKFLOW_EXECUTION_ID and
 * REPORT_TIME_ZONE. A malformed date or time is a TaskFailure (exit 1) saying which field; a bad zone a ConfigError.
 */
export function readReportRequest(options: ReportRequestOptions = {}): ReportRequest {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const step = readWorkflowStep(env, now);
  const timeZone = checkTimeZone(optionalEnv('REPORT_TIME_ZONE', 'UTC', env));
  const given =
    options.reportDate !== undefined
      ? parseReportDate(options.reportDate, '--date')
      : step.input.reportDate === undefined
        ? undefined
        : parseReportDate(step.input.reportDate, 'WORKFLOW_INPUT reportDate');
  const scheduledTime = step.input.scheduledTime === undefined ? now() : parseInstant(step.input.scheduledTime);
  return {
    executionId: options.executionId ?? step.executionId,
    reportDate: reportDateFor({ reportDate: given, scheduledTime, timeZone }),
    timeZone,
    manual: options.executionId === undefined && step.manual,
  };
}

function parseInstant(value: unknown): Date {
  const instant = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : undefined;
  if (!instant || Number.isNaN(instant.getTime())) {
    throw new TaskFailure(
      `WORKFLOW_INPUT scheduledTime ${JSON.stringify(value)} is not a timestamp; the schedule sets it to an ISO 8601 time such as "2024-05-02T00:30:00Z"`,
    );
  }
  return instant;
}
