// `hf run-task <workload> --env <env> -- <args>` in AWS: start the workload's task, follow its logs, return its exit code.

import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { stackName, type Workload } from '@hello-fargate/workload';
import { followTaskLogs, taskIdOf, taskLogStreamName } from './follow-task-logs.js';
import { readStackOutputs } from './read-stack-outputs.js';
import { RunTaskError } from './run-task-error.js';
import { startTask } from './start-task.js';
import { taskExitCode } from './task-exit-code.js';
import { waitForTaskStop } from './wait-for-task-stop.js';

/** Milliseconds between DescribeTasks (and GetLogEvents) calls. */
export const DEFAULT_POLL_INTERVAL_MS = 2000;

/** How long a run may take, from RunTask to STOPPED, before the task is stopped: one hour. */
export const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;

/** Where `runTaskOnAws` writes. The CLI sends `log` to stdout and `progress` to stderr. */
export interface RunTaskOutput {
  /** One line the task logged, in order. */
  log(line: string): void;
  /** One status line about the run itself (stack read, task started, status changes, stop reason). */
  progress(line: string): void;
}

/** The AWS clients to use, configured by the caller (region, credentials, endpoints). */
export interface RunTaskClients {
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly cloudformation: CloudFormationClient;
}

export interface RunTaskOnAwsOptions {
  /** The system's name, the first part of every stack name. */
  readonly system: string;
  /** The deployed environment, e.g. `staging` or `prod`. */
  readonly environment: string;
  /** The task workload to run; its stack is `stackName(system, environment, workload.name)`. */
  readonly workload: Workload;
  /** Replaces the container's command. @default [] - run the task definition's own command */
  readonly args?: readonly string[];
  readonly clients: RunTaskClients;
  readonly output: RunTaskOutput;
  /** Milliseconds between polls of the task's status and logs; must be above 0. @default 2000 */
  readonly pollIntervalMs?: number;
  /**
   * Milliseconds from RunTask until the task must have stopped; after that it is stopped and TIMEOUT thrown.
   * Pass `Number.POSITIVE_INFINITY` to wait without limit. @default 3600000 (one hour)
   */
  readonly timeoutMs?: number;
  /**
   * Aborting it (Ctrl-C) stops the task with StopTask and keeps following until STOPPED; the result is then 130.
   * Aborted before the task starts, nothing runs and INTERRUPTED is thrown. @default - cannot be interrupted
   */
  readonly signal?: AbortSignal;
}

export interface RunTaskOnAwsResult {
  /** What `hf run-task` exits with: the container's exit code, 1 when it has none, 130 when interrupted. */
  readonly exitCode: number;
  /** ECS's stop code, e.g. `EssentialContainerExited`, `TaskFailedToStart`, `SpotInterruption`, `UserInitiated`. */
  readonly stopCode: string | undefined;
  /** ECS's stopped reason, e.g. `Essential container in task exited` or `CannotPullContainerError: …`. */
  readonly stoppedReason: string | undefined;
  readonly taskArn: string;
}

/**
 * Runs the workload's task once on Fargate and follows it to the end. Throws RunTaskError (with a stable `code`)
 * when the task cannot be started or followed; a task that ran and failed is a result with a non-zero exit code.
 */
export async function runTaskOnAws(options: RunTaskOnAwsOptions): Promise<RunTaskOnAwsResult> {
  const { system, environment, workload, clients, output, signal } = options;
  const args = options.args ?? [];
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(pollIntervalMs > 0)) throw new RangeError(`pollIntervalMs must be above 0, got ${pollIntervalMs}`);
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be above 0, got ${timeoutMs}`);
  if (workload.isService) {
    throw new RunTaskError(
      'NOT_A_TASK',
      `workload "${workload.name}" is a ${workload.kind} service, run by its ECS service; ` +
        'hf run-task runs task workloads such as oneoff',
    );
  }

  // 1. What CDK deployed.
  const stack = stackName(system, environment, workload.name);
  output.progress(`reading stack ${stack}`);
  const outputs = await readStackOutputs({ cloudformation: clients.cloudformation, stackName: stack, environment });
  if (signal?.aborted) {
    throw new RunTaskError('INTERRUPTED', 'interrupted before the task was started; nothing ran', {
      stackName: stack,
    });
  }

  // 2. Start the task.
  const command = args.length > 0 ? `command: ${args.join(' ')}` : 'its default command';
  output.progress(`starting ${workload.name} on cluster ${outputs.clusterName} (Fargate, on-demand) with ${command}`);
  const started = await startTask({ ecs: clients.ecs, outputs, args });
  const deadline = Date.now() + timeoutMs;
  const taskArn = started.taskArn;
  const taskId = taskIdOf(taskArn);
  output.progress(`task ${taskId} started: ${consoleUrl(taskArn, outputs.clusterName)}`);
  const follower = followTaskLogs({
    logs: clients.logs,
    logGroupName: outputs.logGroupName,
    logStreamName: taskLogStreamName(outputs.logStreamPrefix, outputs.containerName, taskArn),
    log: (line) => output.log(line),
    progress: (line) => output.progress(line),
  });
  output.progress(`logs: group ${outputs.logGroupName}, stream ${follower.logStreamName}`);
  if (started.lastStatus) output.progress(`task ${taskId}: ${started.lastStatus}`);

  // 3. Follow it until it stops, then read what the logs still hold.
  const { task, interrupted } = await waitForTaskStop({
    ecs: clients.ecs,
    cluster: outputs.clusterName,
    taskArn,
    initialStatus: started.lastStatus,
    pollIntervalMs,
    deadline,
    timeoutMs,
    signal,
    onPoll: () => follower.readAvailable(),
    progress: (line) => output.progress(line),
  });
  const streamFound = await follower.readAvailable();
  if (!streamFound) output.progress(`no log stream ${follower.logStreamName}: the container never logged`);

  // 4. The result.
  const exitCode = taskExitCode(task, outputs.containerName, interrupted);
  const container = task.containers?.find((c) => c.name === outputs.containerName);
  const reasons = [task.stopCode, task.stoppedReason, container?.reason].filter(Boolean).join(': ');
  output.progress(`task ${taskId} stopped (${reasons || 'no reason given'}); exit code ${exitCode}`);
  return { exitCode, stopCode: task.stopCode, stoppedReason: task.stoppedReason, taskArn };
}

/** The task's page in the ECS console; the region is the ARN's fourth field. */
function consoleUrl(taskArn: string, cluster: string): string {
  const region = taskArn.split(':')[3] ?? '';
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${cluster}/tasks/${taskIdOf(taskArn)}?region=${region}`;
}
