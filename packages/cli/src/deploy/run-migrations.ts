// Phase 2 of a deploy: every `preDeploy` run (migrations) as an ECS RunTask in the environment; each must exit 0.

import { stackName, type System, type Workload } from '@hello-fargate/workload';
import { taskIdOf, taskLogStreamName } from '../aws/follow-task-logs.js';
import { readStackOutputs } from '../aws/read-stack-outputs.js';
import { RunTaskError } from '../aws/run-task-error.js';
import { type RunTaskClients, runTaskOnAws } from '../aws/run-task-on-aws.js';
import { DeployError } from './deploy-error.js';
import { type DeployOutput, formatElapsed } from './deploy-output.js';

/** One run before services are updated: a task workload and the command it runs. */
export interface PreDeployRun {
  readonly workload: Workload;
  readonly args: readonly string[];
}

/** A run that exited 0. */
export interface MigrationOutcome {
  /** `<workload> <args…>`, e.g. `oneoff migrate`. */
  readonly label: string;
  readonly taskArn: string;
  readonly durationMs: number;
}

export interface RunMigrationsOptions {
  readonly system: System;
  readonly environment: string;
  readonly clients: RunTaskClients;
  readonly output: DeployOutput;
  /** Milliseconds between polls of the task and its logs. @default 2000 (runTaskOnAws's) */
  readonly pollIntervalMs?: number;
  /** Milliseconds a run may take before it is stopped. @default 3600000 (runTaskOnAws's) */
  readonly timeoutMs?: number;
  /** Ctrl-C: the running task is stopped and the deploy ends. @default - cannot be interrupted */
  readonly signal?: AbortSignal;
  /** Clock for durations, in milliseconds. @default performance.now */
  readonly now?: () => number;
}

/** Every workload's `preDeploy` runs, in system.ts order. */
export function preDeployRuns(system: System): PreDeployRun[] {
  return system.workloads.flatMap((workload) => workload.preDeploy.map((args) => ({ workload, args })));
}

/**
 * Runs each pre-deploy run in turn and resolves when all exited 0. Throws MIGRATION_NOT_STARTED when one cannot be
 * started or followed, MIGRATION_FAILED (naming the task, exit code and log stream) when one exits non-zero; the
 * runs after it are not started.
 */
export async function runMigrations(options: RunMigrationsOptions): Promise<MigrationOutcome[]> {
  const { system, environment, clients, output } = options;
  const now = options.now ?? (() => performance.now());
  const outcomes: MigrationOutcome[] = [];
  for (const run of preDeployRuns(system)) {
    const label = [run.workload.name, ...run.args].join(' ');
    output.print(`  running ${label} (ECS RunTask in ${environment})…`);
    const started = now();
    let result: Awaited<ReturnType<typeof runTaskOnAws>>;
    try {
      result = await runTaskOnAws({
        system: system.name,
        environment,
        workload: run.workload,
        args: run.args,
        clients,
        output: {
          log: (line) => output.print(`    ${run.workload.name} | ${line}`),
          progress: (line) => output.progress(line),
        },
        ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof RunTaskError)) throw error;
      throw new DeployError(
        'MIGRATION_NOT_STARTED',
        `pre-deploy run "${label}" did not run to its end (${error.code}): ${error.message}. ` +
          'No workload or workflow stack was updated; fix the cause and run hf deploy again.',
        { task: label, ...(error.details.taskArn ? { taskArn: error.details.taskArn } : {}) },
        { cause: error },
      );
    }
    const durationMs = now() - started;
    if (result.exitCode !== 0) {
      const where = await logLocation(options, run.workload, result.taskArn);
      throw new DeployError(
        'MIGRATION_FAILED',
        `pre-deploy run "${label}" (task ${taskIdOf(result.taskArn)}) failed with exit code ${result.exitCode}` +
          `${result.stoppedReason ? ` (${result.stoppedReason})` : ''}. No workload or workflow stack was updated. ` +
          `Its logs: ${where.text}. Fix the migration and run hf deploy again ` +
          `(or retry it alone with \`${retryCommand(run, environment)}\`).`,
        {
          task: label,
          exitCode: result.exitCode,
          taskArn: result.taskArn,
          ...(where.stream ? { logStream: where.stream } : {}),
        },
      );
    }
    output.print(`  ✓ ${label} exited 0 in ${formatElapsed(durationMs)}`);
    outcomes.push({ label, taskArn: result.taskArn, durationMs });
  }
  return outcomes;
}

/** The task's log group and stream, read again from the stack's outputs; a hint when they cannot be read. */
async function logLocation(
  options: RunMigrationsOptions,
  workload: Workload,
  taskArn: string,
): Promise<{ text: string; stream?: string }> {
  const stack = stackName(options.system.name, options.environment, workload.name);
  try {
    const outputs = await readStackOutputs({
      cloudformation: options.clients.cloudformation,
      stackName: stack,
      environment: options.environment,
    });
    const stream = taskLogStreamName(outputs.logStreamPrefix, outputs.containerName, taskArn);
    return { text: `log group ${outputs.logGroupName}, stream ${stream}`, stream };
  } catch {
    return { text: `the log group named by stack ${stack}'s LogGroupName output, task ${taskIdOf(taskArn)}` };
  }
}

/** The command that runs the same task alone: `hf run-task oneoff --env staging -- migrate`. */
function retryCommand(run: PreDeployRun, environment: string): string {
  const args = run.args.length > 0 ? ` -- ${run.args.join(' ')}` : '';
  return `hf run-task ${run.workload.name} --env ${environment}${args}`;
}
