// `hf workflow run-now|history <name> --env <env>`: a deployed workflow's Step Functions executions and their history.

import { randomBytes } from 'node:crypto';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  type DescribeExecutionCommandOutput,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { stackName, WORKFLOW_STACK_OUTPUTS, workflowStackPart } from '@hello-fargate/workload';
import { formatEvent } from '../commands/workflow.js';
import { AwsCommandError, toAwsCommandError } from './aws-command-error.js';
import { HistoryEventConverter, isShownOnAws } from './history-event-converter.js';
import { readDeployedOutputs } from './read-deployed-outputs.js';
import { sleep } from './sleep.js';
import { INTERRUPTED_EXIT_CODE } from './task-exit-code.js';

/** Milliseconds between DescribeExecution (and GetExecutionHistory) calls while following. */
export const DEFAULT_WORKFLOW_POLL_INTERVAL_MS = 2000;

/** Executions `hf workflow history` lists. */
export const DEFAULT_HISTORY_LIMIT = 10;

/** The AWS clients to use, configured by the caller (region, credentials, endpoints). */
export interface WorkflowOnAwsClients {
  readonly sfn: SFNClient;
  readonly cloudformation: CloudFormationClient;
}

/** Where the commands write. The CLI sends `print` to stdout and `progress` to stderr. */
export interface WorkflowOnAwsOutput {
  /** What the command reports: the execution started, its events, its result (the local command's lines). */
  print(line: string): void;
  /** Notes about the command itself: the stack read, an interruption. */
  progress(line: string): void;
}

interface WorkflowOnAwsTarget {
  /** The system's name, the first part of every stack name. */
  readonly system: string;
  /** The deployed environment, e.g. `staging`. */
  readonly environment: string;
  /** The workflow's name; its stack is `stackName(system, environment, workflowStackPart(workflow))`. */
  readonly workflow: string;
  readonly clients: WorkflowOnAwsClients;
  readonly output: WorkflowOnAwsOutput;
  /** Print every history event (Step Functions' task scheduling, Parallel branches, Choice states). @default false */
  readonly verbose?: boolean;
}

export interface RunWorkflowNowOnAwsOptions extends WorkflowOnAwsTarget {
  /** The execution input as JSON text; checked before any AWS call. @default '{}' */
  readonly input?: string;
  /** Return once the execution is started instead of following it. @default false */
  readonly noWait?: boolean;
  /** The execution's name (1–80 letters, digits, `-`, `_`). @default newExecutionName() */
  readonly executionName?: string;
  /** Milliseconds between polls while following; must be above 0. @default 2000 */
  readonly pollIntervalMs?: number;
  /**
   * Aborting it (Ctrl-C) while following stops following and leaves the execution running in AWS; the exit code
   * is then 130. Aborted before StartExecution, nothing starts and INTERRUPTED is thrown.
   * @default - cannot be interrupted
   */
  readonly signal?: AbortSignal;
}

export interface RunWorkflowNowOnAwsResult {
  /** 0 when the execution SUCCEEDED (or was not followed), 1 when it ended otherwise, 130 when interrupted. */
  readonly exitCode: number;
  readonly executionArn: string;
  /** The last status seen: `RUNNING` when not followed or interrupted. */
  readonly status: string;
}

export interface WorkflowHistoryOnAwsOptions extends WorkflowOnAwsTarget {
  /** The execution whose events are shown, by name or ARN. @default - the newest */
  readonly execution?: string;
  /** Executions listed, 1–1000. @default 10 */
  readonly limit?: number;
}

/** A readable, unique execution name: `hf-run-now-20250101T020000Z-3fa2c1` (UTC time, then 24 random bits). */
export function newExecutionName(now: Date = new Date(), random: string = randomBytes(3).toString('hex')): string {
  return `hf-run-now-${now.toISOString().replace(/[-:]|\.\d+/g, '')}-${random}`;
}

/** `arn:aws:states:<region>:<account>:stateMachine:<m>` + `<name>` → `…:execution:<m>:<name>`. */
export function executionArnOf(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

/**
 * Starts an execution of the workflow's state machine and, unless `noWait`, follows its history until it is no
 * longer RUNNING. Throws AwsCommandError (with a stable `code`) when it cannot start or follow; an execution that
 * ran and failed is a result with exit code 1.
 */
export async function runWorkflowNowOnAws(options: RunWorkflowNowOnAwsOptions): Promise<RunWorkflowNowOnAwsResult> {
  const { environment, workflow, clients, output, signal } = options;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_WORKFLOW_POLL_INTERVAL_MS;
  const name = options.executionName ?? newExecutionName();
  const input = normalizeInput(options.input ?? '{}');
  if (!(pollIntervalMs > 0)) throw new RangeError(`pollIntervalMs must be above 0, got ${pollIntervalMs}`);
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
    throw new AwsCommandError('INVALID_ARGUMENT', `execution name "${name}" must be 1–80 letters, digits, "-" or "_"`);
  }

  const stateMachineArn = await readStateMachineArn(options);
  if (signal?.aborted)
    throw new AwsCommandError('INTERRUPTED', 'interrupted before the execution was started; nothing runs');

  const started = await sfnCall(options, 'states:StartExecution', () =>
    clients.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input })),
  );
  const executionArn = started.executionArn ?? executionArnOf(stateMachineArn, name);
  output.print(`started ${workflow} execution ${name}`);
  output.print(`  ${executionArn}`);
  if (options.noWait) return { exitCode: 0, executionArn, status: 'RUNNING' };

  const converter = new HistoryEventConverter();
  let lastEventId = 0;
  for (;;) {
    if (signal?.aborted) {
      output.progress(`interrupted: execution ${name} keeps running in AWS (${executionArn})`);
      output.progress(`stop it with \`aws stepfunctions stop-execution --execution-arn ${executionArn}\``);
      output.progress(
        `see how it went with \`hf workflow history ${workflow} --env ${environment} --execution ${name}\``,
      );
      return { exitCode: INTERRUPTED_EXIT_CODE, executionArn, status: 'RUNNING' };
    }
    // Describe before reading history: once the status is final, the history read after it holds every event.
    const execution = await describeExecution(options, executionArn);
    const start = (execution.startDate ?? new Date()).toISOString();
    const events = await readHistory(options, executionArn, lastEventId);
    for (const event of events) {
      lastEventId = Math.max(lastEventId, event.id ?? 0);
      const view = converter.convert(event);
      if (isShownOnAws(view, options.verbose ?? false)) output.print(`  ${formatEvent(view, start)}`);
    }
    const status = execution.status ?? 'UNKNOWN';
    if (status !== 'RUNNING') {
      output.print(`${name} ${status} in ${duration(execution.startDate, execution.stopDate)}`);
      if (execution.error || execution.cause)
        output.print(`  ${execution.error ?? 'no error'}: ${execution.cause ?? ''}`);
      return { exitCode: status === 'SUCCEEDED' ? 0 : 1, executionArn, status };
    }
    await sleep(pollIntervalMs, signal);
  }
}

/** Lists the workflow's newest executions and prints the events of one of them, like the local `hf workflow history`. */
export async function workflowHistoryOnAws(options: WorkflowHistoryOnAwsOptions): Promise<void> {
  const { environment, workflow, clients, output } = options;
  const limit = options.limit ?? DEFAULT_HISTORY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new AwsCommandError('INVALID_ARGUMENT', `--limit must be a whole number from 1 to 1000, got ${limit}`);
  }
  const stateMachineArn = await readStateMachineArn(options);
  const listed = await sfnCall(options, 'states:ListExecutions', () =>
    clients.sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: limit })),
  );
  const executions = listed.executions ?? [];
  if (executions.length === 0 && options.execution === undefined) {
    output.print(
      `${workflow} has not run yet in ${environment}; start it with \`hf workflow run-now ${workflow} --env ${environment}\``,
    );
    return;
  }
  for (const e of executions) {
    output.print(
      `${(e.status ?? '').padEnd(9)} ${e.startDate?.toISOString() ?? ''}  ${duration(e.startDate, e.stopDate).padStart(7)}  ${e.name ?? ''}`,
    );
  }

  const chosen = options.execution ?? executions[0]?.executionArn ?? '';
  const executionArn = chosen.startsWith('arn:') ? chosen : executionArnOf(stateMachineArn, chosen);
  const execution = await describeExecution(options, executionArn);
  const start = (execution.startDate ?? new Date()).toISOString();
  const converter = new HistoryEventConverter();
  output.print('');
  output.print(`${execution.name ?? chosen}: ${execution.status ?? 'UNKNOWN'}`);
  for (const event of await readHistory(options, executionArn, 0)) {
    const view = converter.convert(event);
    if (isShownOnAws(view, options.verbose ?? false)) output.print(`  ${formatEvent(view, start)}`);
  }
  if (execution.error || execution.cause) output.print(`  error: ${execution.error ?? ''}: ${execution.cause ?? ''}`);
}

async function readStateMachineArn(options: WorkflowOnAwsTarget): Promise<string> {
  const { system, environment, workflow, clients, output } = options;
  const stack = stackName(system, environment, workflowStackPart(workflow));
  output.progress(`reading stack ${stack}`);
  const outputs = await readDeployedOutputs({
    cloudformation: clients.cloudformation,
    stackName: stack,
    environment,
    keys: WORKFLOW_STACK_OUTPUTS,
    required: ['stateMachineArn'],
  });
  return outputs.stateMachineArn as string;
}

async function describeExecution(
  options: WorkflowOnAwsTarget,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput> {
  return sfnCall(options, 'states:DescribeExecution', () =>
    options.clients.sfn.send(new DescribeExecutionCommand({ executionArn })),
  );
}

/**
 * Every event after `afterId`, in order, page after page. Each poll starts again from the first page because a
 * history's last page has no token to continue from; an execution's history of a few steps fits in one page.
 */
async function readHistory(
  options: WorkflowOnAwsTarget,
  executionArn: string,
  afterId: number,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfnCall(options, 'states:GetExecutionHistory', () =>
      options.clients.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          includeExecutionData: true,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      ),
    );
    events.push(...(page.events ?? []).filter((e) => (e.id ?? 0) > afterId));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** An SDK call, with Step Functions' own "does not exist" errors turned into what to do. */
async function sfnCall<T>(options: WorkflowOnAwsTarget, action: string, call: () => Promise<T>): Promise<T> {
  const { environment, workflow } = options;
  try {
    return await call();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'StateMachineDoesNotExist' || name === 'StateMachineDeleting') {
      throw new AwsCommandError(
        'STACK_NOT_FOUND',
        `the state machine of workflow ${workflow} is gone (${name}: ${message}); the stack is out of date: ` +
          `run \`hf deploy --env ${environment}\``,
        { awsError: name },
        { cause: error },
      );
    }
    if (name === 'ExecutionDoesNotExist') {
      throw new AwsCommandError(
        'NOT_FOUND',
        `workflow ${workflow} has no such execution in --env ${environment} (${message}); ` +
          `list them with \`hf workflow history ${workflow} --env ${environment}\``,
        { awsError: name },
        { cause: error },
      );
    }
    if (name === 'InvalidExecutionInput' || name === 'InvalidName' || name === 'ExecutionAlreadyExists') {
      throw new AwsCommandError(
        'REQUEST_REJECTED',
        `${action} refused: ${name}: ${message}`,
        { awsError: name },
        {
          cause: error,
        },
      );
    }
    throw toAwsCommandError(error, { action, environment });
  }
}

function normalizeInput(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch (error) {
    throw new AwsCommandError('INVALID_ARGUMENT', `--input is not valid JSON: ${(error as Error).message}`);
  }
}

function duration(start: Date | undefined, stop: Date | undefined): string {
  if (!start) return '?';
  return `${(((stop ?? new Date()).getTime() - start.getTime()) / 1000).toFixed(1)}s`;
}
