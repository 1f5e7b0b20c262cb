// Runs Step Functions workflows locally with aws-local-stepfunctions: Task resources call local handlers, and each
// execution's record and history are kept (and saved to disk when a state folder is given).

import './promise-with-resolvers.js';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { Execution, ExecutionRecord, ExecutionStatus, HistoryEvent } from './execution-record.js';
import { ExecutionStore } from './execution-store.js';
import { runtimeDefinition, taskStates } from './prepare-definition.js';
import { historyLine, type LibraryEvent, toHistoryEvent } from './to-history-event.js';
import { WorkflowError } from './workflow-error.js';

/** What a Task state's handler is told besides its parameters (the state's effective input). */
export interface ResourceContext {
  readonly executionArn: string;
  readonly stateName: string;
  readonly workflow: string;
  /** Aborted when the execution is stopped, times out or the executor closes: stop the work it started. */
  readonly signal: AbortSignal;
}

/**
 * Does what a Task state's Resource does, returning the state's result. Throw an Error whose `name` is the Step
 * Functions error name (e.g. `States.TaskFailed`) for Retry and Catch to match; its `message` becomes the cause.
 */
export type ResourceHandler = (parameters: unknown, ctx: ResourceContext) => Promise<unknown>;

export interface WorkflowDefinition {
  /** The state machine's name, unique among workflows. */
  readonly name: string;
  /** Amazon States Language JSON. */
  readonly definition: object;
}

export interface LocalWorkflowsOptions {
  readonly workflows: readonly WorkflowDefinition[];
  /** Handlers by Resource ARN, e.g. 'arn:aws:states:::ecs:runTask.sync', 'arn:aws:states:::sqs:sendMessage'. */
  readonly resources: Readonly<Record<string, ResourceHandler>>;
  /** History is saved to `<stateDir>/workflows/<workflow>/<execution>.json`. @default - kept in memory only */
  readonly stateDir?: string;
  /** Multiplies Retry IntervalSeconds and MaxDelaySeconds (tests use 0.01). @default 1 */
  readonly retryIntervalScale?: number;
  /** Region in ARNs. @default 'us-east-1' */
  readonly region?: string;
  /** Account in ARNs. @default '000000000000' */
  readonly account?: string;
  /** Receives one line per execution start and end and per state entered, exited, failed, retried or caught. @default - no lines */
  readonly output?: (line: string) => void;
  /** Finished executions kept per workflow (running ones are always kept). @default 50 */
  readonly historyLimit?: number;
}

/** Step Functions' limit on execution input. */
const MAX_INPUT_BYTES = 262_144;
/** Step Functions' rule for state machine and execution names: 1–80 characters, none of these. */
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const RUNNER_STOPPED = 'local runner stopped';

interface Machine {
  readonly name: string;
  readonly arn: string;
  readonly stateMachine: StateMachine;
  readonly tasks: readonly { stateName: string; resource: string }[];
}

interface Entry {
  record: ExecutionRecord;
  readonly history: HistoryEvent[];
  readonly abort?: () => void;
  readonly controller?: AbortController;
  done?: Promise<ExecutionRecord>;
  stopRequest?: { error?: string; cause?: string };
}

/** Local Step Functions: StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory and StopExecution. */
export class LocalWorkflows extends EventEmitter<{ change: [ExecutionRecord] }> {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Entry>();
  private readonly store: ExecutionStore | undefined;
  private readonly resources: Readonly<Record<string, ResourceHandler>>;
  private readonly region: string;
  private readonly account: string;
  private readonly out: ((line: string) => void) | undefined;
  private readonly historyLimit: number;
  private closed = false;

  constructor(options: LocalWorkflowsOptions) {
    super();
    this.resources = options.resources;
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '000000000000';
    this.out = options.output;
    this.historyLimit = options.historyLimit ?? 50;
    const retryIntervalScale = options.retryIntervalScale ?? 1;
    for (const workflow of options.workflows) this.addMachine(workflow, retryIntervalScale);
    if (options.stateDir !== undefined) {
      this.store = new ExecutionStore(options.stateDir, (file, error) =>
        this.out?.(`workflows | could not save ${file}: ${error.message}`),
      );
      this.loadSaved();
    }
  }

  /** Starts an execution; its states run in the background. */
  startExecution(workflow: string, input: unknown, opts?: { name?: string; startedBy?: string }): Execution {
    if (this.closed) throw new Error(`cannot start workflow "${workflow}": the local workflows were closed`);
    const machine = this.machineFor(workflow);
    const name = opts?.name ?? randomUUID();
    if (!NAME_PATTERN.test(name)) {
      throw new WorkflowError(
        'InvalidName',
        `execution name "${name}" for workflow "${workflow}" is not valid: use 1–80 characters without spaces or any of < > { } [ ] ? * " # % \\ ^ | ~ \` $ & , ; : /`,
      );
    }
    const executionArn = `arn:aws:states:${this.region}:${this.account}:execution:${workflow}:${name}`;
    if (this.executions.has(executionArn)) {
      throw new WorkflowError(
        'ExecutionAlreadyExists',
        `workflow "${workflow}" already has an execution named "${name}"; execution names are unique per workflow, choose another`,
      );
    }
    const json = checkedInput(workflow, input);
    const controller = new AbortController();
    const context = {
      Execution: { Id: executionArn, Name: name, ...(opts?.startedBy ? { StartedBy: opts.startedBy } : {}) },
      StateMachine: { Id: machine.arn, Name: workflow },
    };
    const handlers = Object.fromEntries(
      machine.tasks.map(({ stateName, resource }) => {
        const handler = this.resources[resource] as ResourceHandler;
        const ctx: ResourceContext = { executionArn, stateName, workflow, signal: controller.signal };
        return [
          stateName,
          (parameters: unknown) =>
            untilAborted(
              Promise.resolve().then(() => handler(parameters, ctx)),
              controller.signal,
            ),
        ];
      }),
    );
    const startDate = new Date().toISOString();
    const run = machine.stateMachine.run(json as never, {
      context,
      overrides: { taskResourceLocalHandlers: handlers },
    });
    const entry: Entry = {
      record: {
        executionArn,
        stateMachineArn: machine.arn,
        workflow,
        name,
        status: 'RUNNING',
        startDate,
        input: json,
        ...(opts?.startedBy ? { startedBy: opts.startedBy } : {}),
      },
      history: [],
      abort: run.abort,
      controller,
    };
    this.executions.set(executionArn, entry);
    const recorded = this.recordEvents(entry, run.eventLogs as AsyncIterable<LibraryEvent>);
    entry.done = this.finish(entry, run.result, recorded);
    this.changed(entry);
    this.trimHistory(workflow);
    return { executionArn, name, startDate: entry.record.startDate, done: entry.done };
  }

  describeExecution(executionArn: string): ExecutionRecord | undefined {
    return this.executions.get(executionArn)?.record;
  }

  /** Newest first, including executions saved by earlier runs. */
  listExecutions(workflow: string): ExecutionRecord[] {
    this.machineFor(workflow);
    return [...this.executions.values()]
      .filter((entry) => entry.record.workflow === workflow)
      .map((entry) => entry.record)
      .reverse() // among executions started in the same millisecond, the later-started first
      .sort((a, b) => b.startDate.localeCompare(a.startDate));
  }

  /** The execution's events, oldest first. */
  history(executionArn: string): HistoryEvent[] {
    const entry = this.executions.get(executionArn);
    if (!entry) throw new WorkflowError('ExecutionDoesNotExist', `no execution ${executionArn}`);
    return [...entry.history];
  }

  /** Aborts a running execution (status ABORTED); the Task handlers' signal is aborted so they can stop their work. */
  stopExecution(executionArn: string, cause?: string, error?: string): void {
    const entry = this.executions.get(executionArn);
    if (!entry) throw new WorkflowError('ExecutionDoesNotExist', `no execution ${executionArn}`);
    if (entry.record.status !== 'RUNNING' || entry.stopRequest) return;
    entry.stopRequest = { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
    entry.controller?.abort();
    entry.abort?.();
  }

  /** Aborts running executions (cause `local runner stopped`) and waits for their history to be saved. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.executions.values()].filter((entry) => entry.record.status === 'RUNNING');
    for (const entry of running) this.stopExecution(entry.record.executionArn, RUNNER_STOPPED);
    await Promise.all(running.map((entry) => entry.done));
    await this.store?.flush();
  }

  private addMachine(workflow: WorkflowDefinition, retryIntervalScale: number): void {
    const { name, definition } = workflow;
    if (!NAME_PATTERN.test(name)) {
      throw new WorkflowError(
        'InvalidName',
        `workflow name "${name}" is not valid: use 1–80 characters without spaces or punctuation such as : / ? *`,
      );
    }
    if (this.machines.has(name)) throw new WorkflowError('InvalidName', `workflow "${name}" is declared twice`);
    const problem = validationProblem(definition);
    if (problem !== undefined) throw new WorkflowError('InvalidDefinition', `workflow "${name}": ${problem}`);
    const tasks = taskStates(definition);
    const names = tasks.map((task) => task.stateName);
    const repeated = names.find((stateName, i) => names.indexOf(stateName) !== i);
    if (repeated !== undefined) {
      throw new WorkflowError(
        'InvalidDefinition',
        `workflow "${name}": state name "${repeated}" is used twice; state names must be unique in the whole definition`,
      );
    }
    for (const { stateName, resource } of tasks) {
      if (!this.resources[resource]) {
        const known = Object.keys(this.resources).join(', ') || 'none';
        throw new WorkflowError(
          'MissingResourceHandler',
          `workflow "${name}", state "${stateName}": no local handler for Resource "${resource}" (handled: ${known}); use one of those resources or add a handler`,
        );
      }
    }
    const stateMachine = new StateMachine(runtimeDefinition(definition, retryIntervalScale) as never, {
      validationOptions: { noValidate: true },
    });
    const arn = `arn:aws:states:${this.region}:${this.account}:stateMachine:${name}`;
    this.machines.set(name, { name, arn, stateMachine, tasks });
  }

  private machineFor(workflow: string): Machine {
    const machine = this.machines.get(workflow);
    if (!machine) {
      const known = [...this.machines.keys()].join(', ') || 'none';
      throw new WorkflowError(
        'StateMachineDoesNotExist',
        `unknown workflow "${workflow}"; the workflows are: ${known}`,
      );
    }
    return machine;
  }

  private async recordEvents(entry: Entry, events: AsyncIterable<LibraryEvent>): Promise<void> {
    for await (const event of events) {
      // The executor adds its own terminal event once the result is known (with the stop cause, if any).
      if (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted') continue;
      this.append(entry, toHistoryEvent(event, entry.history.length + 1));
    }
  }

  private async finish(entry: Entry, result: Promise<unknown>, recorded: Promise<void>): Promise<ExecutionRecord> {
    let ending: { status: ExecutionStatus; output?: unknown; error?: string; cause?: string };
    try {
      ending = { status: 'SUCCEEDED', output: await result };
    } catch (error) {
      ending = outcomeOf(error, entry.stopRequest);
    }
    entry.controller?.abort();
    await recorded;
    const stopDate = new Date().toISOString();
    entry.record = { ...entry.record, ...withoutUndefined(ending), stopDate };
    const type = (
      {
        SUCCEEDED: 'ExecutionSucceeded',
        FAILED: 'ExecutionFailed',
        ABORTED: 'ExecutionAborted',
        TIMED_OUT: 'ExecutionTimedOut',
        RUNNING: 'ExecutionStarted',
      } as const
    )[ending.status];
    this.append(
      entry,
      withoutUndefined({
        id: entry.history.length + 1,
        type,
        timestamp: stopDate,
        output: ending.output,
        error: ending.error,
        cause: ending.cause,
      }),
    );
    await this.save(entry);
    this.trimHistory(entry.record.workflow);
    return entry.record;
  }

  private append(entry: Entry, event: HistoryEvent): void {
    const previous = entry.history.at(-1);
    entry.history.push(event);
    if (this.out && !event.type.startsWith('Parallel') && !event.type.startsWith('Map')) {
      this.out(`${entry.record.workflow}/${entry.record.name} | ${historyLine(event, previous)}`);
    }
    this.changed(entry);
  }

  private changed(entry: Entry): void {
    void this.save(entry);
    this.emit('change', entry.record);
  }

  private save(entry: Entry): Promise<void> {
    if (!this.store) return Promise.resolve();
    return this.store.save(entry.record.workflow, entry.record.name, () => ({
      record: entry.record,
      history: entry.history,
    }));
  }

  /** Keeps the newest `historyLimit` finished executions of a workflow, in memory and on disk. */
  private trimHistory(workflow: string): void {
    const finished = this.listExecutions(workflow).filter((record) => record.status !== 'RUNNING');
    for (const record of finished.slice(this.historyLimit)) {
      this.executions.delete(record.executionArn);
      void this.store?.remove(workflow, record.name);
    }
  }

  /** Loads saved executions; those still RUNNING belonged to a runner that died, so they are marked FAILED. */
  private loadSaved(): void {
    for (const workflow of this.machines.keys()) {
      const saved = (this.store as ExecutionStore).load(workflow, (file, problem) =>
        this.out?.(`workflows | skipped ${file}: ${problem}`),
      );
      for (const { record, history } of saved) {
        const entry: Entry = { record, history };
        this.executions.set(record.executionArn, entry);
        if (record.status === 'RUNNING') {
          const stopDate = history.at(-1)?.timestamp ?? record.startDate;
          entry.record = { ...record, status: 'FAILED', stopDate, error: 'States.Runtime', cause: RUNNER_STOPPED };
          history.push({
            id: history.length + 1,
            type: 'ExecutionFailed',
            timestamp: stopDate,
            error: 'States.Runtime',
            cause: RUNNER_STOPPED,
          });
          void this.save(entry);
        }
      }
      this.trimHistory(workflow);
    }
  }
}

/** Validation takes aws-local-stepfunctions 100–600 ms a definition, so each distinct definition is checked once. */
const validated = new Map<string, string | undefined>();

function validationProblem(definition: object): string | undefined {
  const key = JSON.stringify(definition);
  if (!validated.has(key)) {
    try {
      // A copy: its validator adds `QueryLanguage` to every state of what it is given.
      new StateMachine(JSON.parse(key) as never);
      validated.set(key, undefined);
    } catch (error) {
      validated.set(key, (error as Error).message);
    }
  }
  return validated.get(key);
}

/**
 * The handler's result (undefined becomes null), or a rejection once the execution ends: a handler that ignores its
 * signal must not keep the execution, or aws-local-stepfunctions' Task timer, waiting.
 */
function untilAborted(work: Promise<unknown>, signal: AbortSignal): Promise<never> {
  const stopped = new Promise<never>((_, reject) => {
    const stop = () => reject(Object.assign(new Error('the execution was stopped'), { name: 'States.Runtime' }));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  stopped.catch(() => undefined);
  return Promise.race([work.then((result) => (result ?? null) as never), stopped]);
}

function checkedInput(workflow: string, input: unknown): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(input ?? {});
  } catch (error) {
    throw new WorkflowError(
      'InvalidExecutionInput',
      `input for workflow "${workflow}" is not JSON-serializable: ${(error as Error).message}`,
    );
  }
  if (json === undefined) {
    throw new WorkflowError(
      'InvalidExecutionInput',
      `input for workflow "${workflow}" is not JSON-serializable (${typeof input}); pass an object, array, string, number, boolean or null`,
    );
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_INPUT_BYTES) {
    throw new WorkflowError(
      'InvalidExecutionInput',
      `input for workflow "${workflow}" is ${bytes} bytes; Step Functions allows at most 262144 (256 KiB), so pass a reference (e.g. an S3 key) instead`,
    );
  }
  return JSON.parse(json) as unknown;
}

function outcomeOf(
  error: unknown,
  stopRequest: Entry['stopRequest'],
): { status: ExecutionStatus; error?: string; cause?: string } {
  if (error instanceof ExecutionAbortedError || stopRequest) return { status: 'ABORTED', ...stopRequest };
  if (error instanceof ExecutionTimeoutError) {
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'the execution ran longer than the TimeoutSeconds of its definition',
    };
  }
  const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
  return { status: 'FAILED', error: failure.name, cause: failure.message };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
