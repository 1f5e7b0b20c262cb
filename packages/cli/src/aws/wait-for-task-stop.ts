// Polls DescribeTasks until a task is STOPPED, reporting status changes and stopping the task on abort or timeout.

import { DescribeTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { requestTaskStop } from './request-task-stop.js';
import { RunTaskError } from './run-task-error.js';
import { sleep } from './sleep.js';

/** StopTask reason when the caller's signal aborts (Ctrl-C). */
export const INTERRUPTED_REASON = 'stopped by hf run-task (interrupted)';

/**
 * Consecutive DescribeTasks answers of MISSING tolerated before giving up. ECS is eventually consistent, so a task
 * just started may not be visible yet; a stopped task stays visible for at least an hour.
 */
export const MISSING_POLLS_TOLERATED = 30;

export interface WaitForTaskStopOptions {
  readonly ecs: ECSClient;
  readonly cluster: string;
  readonly taskArn: string;
  /** The status already reported (from RunTask), so it is not printed twice. */
  readonly initialStatus: string | undefined;
  readonly pollIntervalMs: number;
  /** Epoch milliseconds after which the task is stopped and TIMEOUT thrown. */
  readonly deadline: number;
  /** The timeout as given, for the message. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** Called once per poll while the task runs; reads the logs that arrived meanwhile. */
  readonly onPoll: () => Promise<unknown>;
  readonly progress: (line: string) => void;
}

export interface StoppedTask {
  readonly task: Task;
  /** True when the signal aborted and this run asked ECS to stop the task. */
  readonly interrupted: boolean;
}

/** Waits for STOPPED. On abort it calls StopTask once and keeps waiting; at the deadline it calls StopTask and throws. */
export async function waitForTaskStop(options: WaitForTaskStopOptions): Promise<StoppedTask> {
  const { ecs, cluster, taskArn, pollIntervalMs, deadline, signal, onPoll, progress } = options;
  const label = `task ${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;
  let lastStatus = options.initialStatus;
  let interrupted = false;
  let missingPolls = 0;

  for (;;) {
    if (signal?.aborted && !interrupted) {
      interrupted = true;
      progress(`interrupted: stopping ${label} (the container gets SIGTERM, then SIGKILL after its stop timeout)`);
      await requestTaskStop({ ecs, cluster, taskArn, reason: INTERRUPTED_REASON, progress });
    }

    const task = await describeTask(ecs, cluster, taskArn);
    if (task) {
      missingPolls = 0;
      if (task.lastStatus !== lastStatus) {
        lastStatus = task.lastStatus;
        progress(`${label}: ${lastStatus ?? 'unknown status'}`);
      }
      if (task.lastStatus === 'STOPPED') return { task, interrupted };
    } else if (++missingPolls >= MISSING_POLLS_TOLERATED) {
      throw new RunTaskError(
        'TASK_MISSING',
        `${label} on cluster ${cluster} is not found by DescribeTasks after ${missingPolls} tries; ` +
          'look for it in the ECS console (stopped tasks stay listed for about an hour)',
        { taskArn },
      );
    }

    await onPoll();

    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const limit = formatDuration(options.timeoutMs);
      await requestTaskStop({
        ecs,
        cluster,
        taskArn,
        reason: `stopped by hf run-task (timed out after ${limit})`,
        progress,
      });
      throw new RunTaskError(
        'TIMEOUT',
        `${label} did not stop within ${limit}, so it was asked to stop (StopTask); ` +
          'give a longer timeout if the work needs more time',
        { taskArn },
      );
    }
    // Once interrupted the signal stays aborted; passing it on would turn every sleep into a busy loop.
    await sleep(Math.min(pollIntervalMs, remaining), interrupted ? undefined : signal);
  }
}

async function describeTask(ecs: ECSClient, cluster: string, taskArn: string): Promise<Task | undefined> {
  const response = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  return response.tasks?.find((t) => t.taskArn === taskArn) ?? response.tasks?.[0];
}

/** `3600000` → `1 h`, `90000` → `90 s`, `50` → `50 ms`: the largest unit that divides the value exactly. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
