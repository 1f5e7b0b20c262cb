// Reading the workflow step contract: which workflow, step and execution a task runs for, and the execution input.

import { ConfigError } from './config-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What a task started as a workflow step knows about its run (the `WORKFLOW_*` variables of the contract). */
export interface WorkflowStep {
  /** WORKFLOW_NAME, e.g. `daily-sales-report`; undefined when the task was started by hand. */
  readonly workflow: string | undefined;
  /** WORKFLOW_STEP, the state name, e.g. `Extract`; undefined when the task was started by hand. */
  readonly step: string | undefined;
  /**
   * WORKFLOW_EXECUTION_ID: the Step Functions execution ARN (locally the runner's execution id). The same for every
   * step and every retry of one execution, so steps key their work by it. By hand: `manual-<ISO timestamp>`.
   */
  readonly executionId: string;
  /** WORKFLOW_INPUT parsed: the execution input, a JSON object. By hand: `{}`. */
  readonly input: Readonly<Record<string, unknown>>;
  /** True when WORKFLOW_EXECUTION_ID was not set: a person started the task (`hf run-task`). */
  readonly manual: boolean;
}

/**
 * The step's run from the environment. A WORKFLOW_INPUT that is not a JSON object is a ConfigError naming the
 * variable; missing variables get the values a hand-started run needs.
 * @param now the clock for the manual execution id. @default () => new Date()
 */
export function readWorkflowStep(env: Env = process.env, now: () => Date = () => new Date()): WorkflowStep {
  const executionId = nonEmpty(env.WORKFLOW_EXECUTION_ID);
  return {
    workflow: nonEmpty(env.WORKFLOW_NAME),
    step: nonEmpty(env.WORKFLOW_STEP),
    executionId: executionId ?? `manual-${now().toISOString()}`,
    input: parseInput(env.WORKFLOW_INPUT),
    manual: executionId === undefined,
  };
}

function parseInput(raw: string | undefined): Readonly<Record<string, unknown>> {
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(
      'WORKFLOW_INPUT',
      `environment variable WORKFLOW_INPUT is not valid JSON (${(error as Error).message}); it must be the execution input as a JSON object, e.g. {"reportDate":"2024-05-01"}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(
      'WORKFLOW_INPUT',
      `environment variable WORKFLOW_INPUT must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}`,
    );
  }
  return parsed as Record<string, unknown>;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
