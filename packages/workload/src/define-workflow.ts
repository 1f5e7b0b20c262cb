// defineWorkflow: a scheduled workflow of task steps (Step Functions in AWS, the runner's interpreter locally).

import { DeclarationError } from './declaration-error.js';
import type { ParsedSchedule } from './schedule-expression.js';
import { checkSchedulerRetry, parseScheduleField } from './workload-trigger.js';

/** One step: one ECS task of a workload, run to completion (`ecs:runTask.sync`) before the next step starts. */
export interface WorkflowStepProps {
  /** State name in the state machine, e.g. `Extract`: letters, digits and spaces, at most 40 characters. */
  readonly name: string;
  /** The task workload the step runs: a scheduledjob or oneoff without a service trigger. */
  readonly workload: string;
  /** Container command of the step. @default - the workload's command */
  readonly command?: readonly string[];
  /** Seconds the step's task may run before the state fails with States.Timeout (and is retried). @default 3600 */
  readonly timeoutSeconds?: number;
}

/** Retry of a failed step (non-zero exit code, task failure, timeout), as the state's Retry field. */
export interface WorkflowRetryOptions {
  /** Retries after the first attempt, 0–99 (Step Functions' MaxAttempts). @default 2 */
  readonly maxAttempts?: number;
  /** Seconds before the first retry. @default 30 */
  readonly intervalSeconds?: number;
  /** Multiplier of the interval at each retry, 1–10 (backoff). @default 2 */
  readonly backoffRate?: number;
}

/** When the workflow starts on its own: an EventBridge Scheduler schedule targeting StartExecution. */
export interface WorkflowScheduleOptions {
  /** `cron(…)` (6 fields), `rate(…)` or `at(…)`, as EventBridge Scheduler takes them. */
  readonly expression: string;
  /** IANA time zone the expression is read in. @default 'UTC' */
  readonly timezone?: string;
  /** Execution input; `scheduledTime` (the schedule's fire time) is added to it. @default {} */
  readonly input?: Readonly<Record<string, unknown>>;
  /** Whether the schedule fires. @default true */
  readonly enabled?: boolean;
  /** Scheduler retries of a failed StartExecution before it goes to the DLQ, 0–185. @default 3 */
  readonly retryAttempts?: number;
  /** Seconds an unsent invocation is kept for retries, 60–86400. @default 3600 */
  readonly maximumEventAgeSeconds?: number;
}

export interface WorkflowProps {
  /** Unique among the system's workflows: lower-case letters, digits and `-`, at most 40 characters. */
  readonly name: string;
  /** One line saying what it does. @default - none */
  readonly description?: string;
  /** The steps, run in order; each must succeed before the next starts. */
  readonly steps: readonly WorkflowStepProps[];
  /** When it starts on its own. @default - only on demand (`hf workflow run-now`, StartExecution) */
  readonly schedule?: WorkflowScheduleOptions;
  /** How failed steps are retried. @default - `{ maxAttempts: 2, intervalSeconds: 30, backoffRate: 2 }` */
  readonly retry?: WorkflowRetryOptions;
  /** System queue that gets a message when the workflow fails after its retries. @default - no notification */
  readonly notifyQueue?: string;
}

export interface WorkflowStep {
  readonly name: string;
  readonly workload: string;
  /** undefined = the workload's command. */
  readonly command: readonly string[] | undefined;
  readonly timeoutSeconds: number;
}

export interface WorkflowSchedule {
  readonly expression: string;
  readonly timezone: string;
  readonly schedule: ParsedSchedule;
  readonly input: Readonly<Record<string, unknown>>;
  readonly enabled: boolean;
  readonly retryAttempts: number;
  readonly maximumEventAgeSeconds: number;
}

/** A workflow with every default resolved and every field checked. */
export interface Workflow {
  readonly name: string;
  readonly description: string;
  readonly steps: readonly WorkflowStep[];
  readonly schedule: WorkflowSchedule | undefined;
  readonly retry: Required<WorkflowRetryOptions>;
  readonly notifyQueue: string | undefined;
}

const STEP_NAME = /^[A-Za-z][A-Za-z0-9 ]{0,39}$/;
/**
 * Execution input a workflow takes: each step gets it as WORKFLOW_INPUT in its ECS container overrides, which ECS caps
 * at 8,192 characters in all (the other overrides need some of them).
 */
export const MAX_INPUT_CHARACTERS = 7000;
/** State names the generated state machine uses itself. */
const RESERVED_STATE_NAMES = ['Prepare input', 'Record failure', 'Notify failure', 'Failed', 'Succeeded'];

/** Declares a workflow. Throws a DeclarationError naming the workflow and field when anything is invalid. */
export function defineWorkflow(props: WorkflowProps): Workflow {
  const label = typeof props?.name === 'string' && props.name !== '' ? props.name : '(unnamed)';
  const fail = (field: string, problem: string): never => {
    throw new DeclarationError(label, field, problem, 'workflow');
  };
  if (typeof props.name !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(props.name)) {
    fail('name', 'must be lower-case letters, digits and "-", start with a letter, at most 40 characters');
  }
  if (!Array.isArray(props.steps) || props.steps.length === 0) fail('steps', 'must list at least one step');
  if (props.steps.length > 50) fail('steps', `has ${props.steps.length} steps; keep a workflow to at most 50`);
  const seen = new Set<string>();
  const steps = props.steps.map((step, i): WorkflowStep => {
    const field = `steps[${i}]`;
    if (typeof step.name !== 'string' || !STEP_NAME.test(step.name)) {
      fail(`${field}.name`, 'must be letters, digits and spaces, start with a letter, at most 40 characters');
    }
    const generated =
      step.name.startsWith('Run ') || step.name.startsWith('Check ') || / (succeeded|exited non-zero)$/.test(step.name);
    if (RESERVED_STATE_NAMES.includes(step.name) || generated) {
      fail(`${field}.name`, `"${step.name}" is a state name the workflow uses itself; pick another`);
    }
    if (seen.has(step.name)) fail(`${field}.name`, `"${step.name}" is used by two steps`);
    seen.add(step.name);
    if (typeof step.workload !== 'string' || step.workload === '') fail(`${field}.workload`, 'must name a workload');
    if (
      step.command !== undefined &&
      (!Array.isArray(step.command) || step.command.some((a) => typeof a !== 'string'))
    ) {
      fail(`${field}.command`, 'must be a list of strings');
    }
    const timeoutSeconds = step.timeoutSeconds ?? 3600;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 31_536_000) {
      fail(`${field}.timeoutSeconds`, `${timeoutSeconds} must be a whole number of seconds from 1 to 31536000`);
    }
    return Object.freeze({
      name: step.name,
      workload: step.workload,
      command: step.command === undefined ? undefined : [...step.command],
      timeoutSeconds,
    });
  });

  const retry = {
    maxAttempts: props.retry?.maxAttempts ?? 2,
    intervalSeconds: props.retry?.intervalSeconds ?? 30,
    backoffRate: props.retry?.backoffRate ?? 2,
  };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 0 || retry.maxAttempts > 99) {
    fail('retry.maxAttempts', `${retry.maxAttempts} is out of range; Step Functions allows 0 to 99`);
  }
  if (!Number.isInteger(retry.intervalSeconds) || retry.intervalSeconds < 1 || retry.intervalSeconds > 99_999_999) {
    fail('retry.intervalSeconds', `${retry.intervalSeconds} must be a whole number of seconds, at least 1`);
  }
  if (typeof retry.backoffRate !== 'number' || retry.backoffRate < 1 || retry.backoffRate > 10) {
    fail('retry.backoffRate', `${retry.backoffRate} is out of range; use 1 to 10`);
  }

  let schedule: WorkflowSchedule | undefined;
  if (props.schedule !== undefined) {
    const timezone = props.schedule.timezone ?? 'UTC';
    const parsed = parseScheduleField(props.schedule.expression, timezone, 'schedule', fail);
    const retryAttempts = props.schedule.retryAttempts ?? 3;
    const maximumEventAgeSeconds = props.schedule.maximumEventAgeSeconds ?? 3600;
    checkSchedulerRetry(retryAttempts, maximumEventAgeSeconds, 'schedule', fail);
    const input = props.schedule.input ?? {};
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      fail('schedule.input', 'must be a JSON object');
    }
    if ('scheduledTime' in input) fail('schedule.input', '"scheduledTime" is added by the schedule itself');
    const size = JSON.stringify(input).length;
    if (size > MAX_INPUT_CHARACTERS) {
      fail(
        'schedule.input',
        `is ${size} characters of JSON; steps get it in ECS container overrides, so keep it under ${MAX_INPUT_CHARACTERS}`,
      );
    }
    schedule = Object.freeze({
      expression: props.schedule.expression,
      timezone,
      schedule: parsed,
      input: structuredClone(input),
      enabled: props.schedule.enabled ?? true,
      retryAttempts,
      maximumEventAgeSeconds,
    });
  }
  if (props.notifyQueue !== undefined && (typeof props.notifyQueue !== 'string' || props.notifyQueue === '')) {
    fail('notifyQueue', 'must name a queue of the system');
  }
  return Object.freeze({
    name: props.name,
    description: props.description ?? '',
    steps,
    schedule,
    retry,
    notifyQueue: props.notifyQueue,
  });
}
