// `hf workflow list|run-now|history`: the running local system's workflows, through the runner's control API.

import { CliError } from '../cli-error.js';
import { stateDirFor } from '../load-system.js';
import { findRunner, type RunnerInfo } from '../runner-client.js';

export interface WorkflowCommandOptions {
  readonly root: string;
  /** `list`, `run-now` or `history`. */
  readonly action: string;
  readonly args: readonly string[];
  /** run-now: execution input as JSON. @default '{}' */
  readonly input?: string;
  /** run-now: return once started instead of following the execution. @default false */
  readonly noWait?: boolean;
  /** history: the execution to show (name or ARN). @default - the newest */
  readonly execution?: string;
  /** history: executions listed. @default 10 */
  readonly limit?: number;
  /** Print the API's JSON. @default false */
  readonly json?: boolean;
  /** Milliseconds between polls while following. @default 300 */
  readonly pollMs?: number;
  /** Show every history event (Parallel branches, Choice and Succeed states too). @default false */
  readonly verbose?: boolean;
}

/** An execution as the control API reports it. */
export interface ExecutionView {
  readonly executionArn: string;
  readonly name: string;
  readonly workflow: string;
  readonly status: string;
  readonly startedBy?: string;
  readonly startDate: string;
  readonly stopDate?: string;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

/** One history event as the control API reports it. */
export interface HistoryEventView {
  readonly type: string;
  readonly timestamp: string | number;
  readonly state?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly attempt?: number;
  readonly [key: string]: unknown;
}

export async function workflowCommand(options: WorkflowCommandOptions): Promise<number> {
  const runner = findRunner(stateDirFor(options.root));
  if (!runner) throw new CliError('no local runner is running here; start it with `npm start`', 3);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  switch (options.action) {
    case 'list': {
      const workflows = (await call(runner, 'GET', '/v1/workflows')) as {
        name: string;
        description: string;
        steps: string[];
        schedule?: { expression: string; timezone: string; next?: string; enabled: boolean };
        lastExecution?: ExecutionView;
      }[];
      if (options.json) return printJson(workflows, print);
      if (workflows.length === 0) print('the running system declares no workflows');
      for (const w of workflows) {
        print(`${w.name}  (${w.steps.join(' → ')})${w.description ? ` — ${w.description}` : ''}`);
        if (w.schedule) {
          const state = w.schedule.enabled ? `next ${w.schedule.next ?? 'never'}` : 'disabled';
          print(`  schedule  ${w.schedule.expression} ${w.schedule.timezone}, ${state}`);
        }
        if (w.lastExecution)
          print(`  last      ${w.lastExecution.status} ${w.lastExecution.startDate} (${w.lastExecution.name})`);
      }
      return 0;
    }
    case 'run-now': {
      const name = one(options, 'a workflow name');
      let input: unknown = {};
      if (options.input !== undefined) {
        try {
          input = JSON.parse(options.input);
        } catch (error) {
          throw new CliError(`--input is not valid JSON: ${(error as Error).message}`, 2);
        }
      }
      const started = (await call(runner, 'POST', `/v1/workflows/${encodeURIComponent(name)}/executions`, {
        input,
      })) as ExecutionView;
      print(`started ${name} execution ${started.name}`);
      print(`  ${started.executionArn}`);
      if (options.noWait) return 0;
      return follow(runner, started.executionArn, options.pollMs ?? 300, options.verbose ?? false, print);
    }
    case 'history': {
      const name = one(options, 'a workflow name');
      const executions = (await call(
        runner,
        'GET',
        `/v1/workflows/${encodeURIComponent(name)}/executions`,
      )) as ExecutionView[];
      const chosen = options.execution
        ? executions.find((e) => e.name === options.execution || e.executionArn === options.execution)
        : executions[0];
      if (options.execution && !chosen)
        throw new CliError(`workflow ${name} has no execution "${options.execution}"`, 1);
      const detail = chosen
        ? ((await call(runner, 'GET', `/v1/executions/${encodeURIComponent(chosen.executionArn)}`)) as {
            execution: ExecutionView;
            history: HistoryEventView[];
          })
        : undefined;
      if (options.json) return printJson({ executions, ...(detail ? { detail } : {}) }, print);
      if (executions.length === 0) {
        print(`${name} has not run yet; start it with \`hf workflow run-now ${name}\``);
        return 0;
      }
      for (const e of executions.slice(0, options.limit ?? 10)) {
        print(
          `${e.status.padEnd(9)} ${e.startDate}  ${duration(e).padStart(7)}  ${e.name}${e.startedBy ? `  (${e.startedBy})` : ''}`,
        );
      }
      if (detail) {
        print('');
        print(`${detail.execution.name}: ${detail.execution.status}`);
        for (const event of detail.history.filter((e) => options.verbose || isWorthShowing(e))) {
          print(`  ${formatEvent(event, detail.execution.startDate)}`);
        }
        if (detail.execution.error) print(`  error: ${detail.execution.error}: ${detail.execution.cause ?? ''}`);
      }
      return 0;
    }
    default:
      throw new CliError(`unknown action "${options.action}"; use list, run-now or history`, 2);
  }
}

async function follow(
  runner: RunnerInfo,
  arn: string,
  pollMs: number,
  verbose: boolean,
  print: (line: string) => void,
): Promise<number> {
  let shown = 0;
  for (;;) {
    const { execution, history } = (await call(runner, 'GET', `/v1/executions/${encodeURIComponent(arn)}`)) as {
      execution: ExecutionView;
      history: HistoryEventView[];
    };
    for (const event of history.slice(shown)) {
      if (verbose || isWorthShowing(event)) print(`  ${formatEvent(event, execution.startDate)}`);
    }
    shown = history.length;
    if (execution.status !== 'RUNNING') {
      print(`${execution.name} ${execution.status} in ${duration(execution)}`);
      if (execution.error) print(`  ${execution.error}: ${execution.cause ?? ''}`);
      return execution.status === 'SUCCEEDED' ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Leaves out the plumbing of each step (branch start/end, the exit-code Choice, the branch's Succeed state). */
export function isWorthShowing(event: HistoryEventView): boolean {
  if (event.type.startsWith('ParallelBranch')) return false;
  const plumbing = event.stateType === 'Choice' || event.stateType === 'Succeed';
  return !(plumbing && (event.type === 'StateEntered' || event.type === 'StateExited'));
}

/** `+1.23s  StateEntered  Extract` with the error, attempt or task exit code when there is one. */
export function formatEvent(event: HistoryEventView, start: string): string {
  const at = typeof event.timestamp === 'number' ? event.timestamp : Date.parse(event.timestamp);
  const offset = `+${((at - Date.parse(start)) / 1000).toFixed(2)}s`.padStart(9);
  const task = (event.output as { Containers?: { ExitCode?: number }[]; TaskArn?: string } | undefined) ?? {};
  const exit =
    event.type === 'StateExited' && Array.isArray(task.Containers)
      ? `exit ${task.Containers[0]?.ExitCode ?? 'none'} (task ${String(task.TaskArn ?? '')
          .split('/')
          .pop()
          ?.slice(0, 8)})`
      : '';
  const extra = [
    exit,
    event.attempt !== undefined ? `attempt ${event.attempt}` : '',
    event.error ? `${event.error}${event.cause ? `: ${event.cause}` : ''}` : '',
  ]
    .filter(Boolean)
    .join(' — ');
  return `${offset}  ${event.type.padEnd(20)} ${event.state ?? ''}${extra ? `  ${extra}` : ''}`;
}

function duration(e: ExecutionView): string {
  const end = e.stopDate ? Date.parse(e.stopDate) : Date.now();
  return `${((end - Date.parse(e.startDate)) / 1000).toFixed(1)}s`;
}

function one(options: WorkflowCommandOptions, what: string): string {
  const name = options.args[0];
  if (!name) throw new CliError(`hf workflow ${options.action} needs ${what}; see \`hf workflow list\``, 2);
  return name;
}

function printJson(value: unknown, print: (line: string) => void): number {
  print(JSON.stringify(value, null, 2));
  return 0;
}

async function call(runner: RunnerInfo, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${runner.control}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const payload = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new CliError(payload.error ?? `runner answered ${response.status} to ${method} ${path}`, 1);
  return payload;
}
