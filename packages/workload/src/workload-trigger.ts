// The trigger switch of a scheduledjob: started by a schedule (RunTask), or run as an always-on service behind an ALB.

import { type ParsedSchedule, parseScheduleExpression } from './schedule-expression.js';

/** Start the task on a schedule: EventBridge Scheduler → ECS RunTask in AWS, the runner's scheduler locally. */
export interface ScheduleTrigger {
  readonly type: 'schedule';
  /** `cron(…)` (6 fields), `rate(…)` or `at(…)`, as EventBridge Scheduler takes them. */
  readonly expression: string;
  /** IANA time zone the expression is read in. @default 'UTC' */
  readonly timezone?: string;
  /** Container command of the scheduled runs. @default - the workload's command */
  readonly command?: readonly string[];
  /** Scheduler retries of a failed invocation (e.g. RunTask throttled) before it goes to the DLQ, 0–185. @default 3 */
  readonly retryAttempts?: number;
  /** Seconds an unsent invocation is kept for retries, 60–86400. @default 3600 */
  readonly maximumEventAgeSeconds?: number;
  /** Whether the schedule fires (a disabled schedule is deployed but does nothing). @default true */
  readonly enabled?: boolean;
}

/** Run the task as an always-on ECS service behind an ALB that validates JWT bearer tokens (like a webapi). */
export interface ServiceTrigger {
  readonly type: 'service';
  /** Port the app listens on in service mode (given to it as `PORT`). */
  readonly port: number;
  /** Container command in service mode. @default - the workload's command */
  readonly command?: readonly string[];
  /** Tasks the service runs. @default 1 */
  readonly desiredCount?: number;
  /** Health check path of the container and the target group. @default '/health' */
  readonly healthCheckPath?: string;
  /** Port of the local load balancer listener (AWS listens on 443). @default 8082 */
  readonly localPort?: number;
}

export type WorkloadTrigger = ScheduleTrigger | ServiceTrigger;

export interface ResolvedScheduleTrigger {
  readonly type: 'schedule';
  readonly expression: string;
  readonly timezone: string;
  /** The parsed expression, for fire times. */
  readonly schedule: ParsedSchedule;
  readonly command: readonly string[];
  readonly retryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly enabled: boolean;
}

export interface ResolvedServiceTrigger {
  readonly type: 'service';
  readonly command: readonly string[];
}

export type ResolvedWorkloadTrigger = ResolvedScheduleTrigger | ResolvedServiceTrigger;

/** Checks a schedule's retry policy numbers against EventBridge Scheduler's ranges. */
export function checkSchedulerRetry(
  retryAttempts: number,
  maximumEventAgeSeconds: number,
  field: string,
  fail: (field: string, problem: string) => never,
): void {
  if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185) {
    fail(`${field}.retryAttempts`, `${retryAttempts} is out of range; EventBridge Scheduler allows 0 to 185`);
  }
  if (!Number.isInteger(maximumEventAgeSeconds) || maximumEventAgeSeconds < 60 || maximumEventAgeSeconds > 86400) {
    fail(
      `${field}.maximumEventAgeSeconds`,
      `${maximumEventAgeSeconds} is out of range; EventBridge Scheduler allows 60 to 86400 seconds`,
    );
  }
}

/** Parses a schedule expression, turning its error into the declaration's. */
export function parseScheduleField(
  expression: unknown,
  timezone: unknown,
  field: string,
  fail: (field: string, problem: string) => never,
): ParsedSchedule {
  if (typeof expression !== 'string') return fail(`${field}.expression`, 'must be a cron(…), rate(…) or at(…) string');
  if (typeof timezone !== 'string')
    return fail(`${field}.timezone`, 'must be an IANA time zone name, e.g. Europe/Berlin');
  try {
    return parseScheduleExpression(expression, timezone);
  } catch (error) {
    return fail(`${field}.expression`, (error as Error).message);
  }
}

/** Resolves the schedule mode of a trigger; the service mode is resolved into the workload's service fields. */
export function resolveScheduleTrigger(
  trigger: ScheduleTrigger,
  defaultCommand: readonly string[],
  fail: (field: string, problem: string) => never,
): ResolvedScheduleTrigger {
  const timezone = trigger.timezone ?? 'UTC';
  const schedule = parseScheduleField(trigger.expression, timezone, 'trigger', fail);
  const retryAttempts = trigger.retryAttempts ?? 3;
  const maximumEventAgeSeconds = trigger.maximumEventAgeSeconds ?? 3600;
  checkSchedulerRetry(retryAttempts, maximumEventAgeSeconds, 'trigger', fail);
  return Object.freeze({
    type: 'schedule',
    expression: trigger.expression,
    timezone,
    schedule,
    command: [...(trigger.command ?? defaultCommand)],
    retryAttempts,
    maximumEventAgeSeconds,
    enabled: trigger.enabled ?? true,
  });
}
