// Asks ECS to stop a task (SIGTERM, then SIGKILL after the container's stopTimeout) and reports, never throws.

import { type ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';

export interface RequestTaskStopOptions {
  readonly ecs: ECSClient;
  readonly cluster: string;
  readonly taskArn: string;
  /** Shown as the task's stoppedReason in ECS; at most 255 characters. */
  readonly reason: string;
  readonly progress: (line: string) => void;
}

/**
 * Calls StopTask. A failure is reported rather than thrown: the caller is already on its way out (interrupt or
 * timeout) and the person needs to hear the task may still be running, not a stack trace.
 */
export async function requestTaskStop(options: RequestTaskStopOptions): Promise<boolean> {
  const { ecs, cluster, taskArn, reason, progress } = options;
  try {
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
    return true;
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    progress(
      `could not stop task ${taskArn} (${message}); stop it with ` +
        `\`aws ecs stop-task --cluster ${cluster} --task ${taskArn}\``,
    );
    return false;
  }
}
