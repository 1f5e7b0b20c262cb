// Turns a stopped ECS task into the exit code `hf run-task` ends with.

import type { Task } from '@aws-sdk/client-ecs';

/** Exit code when the person interrupted the run (Ctrl-C), as shells report SIGINT: 128 + 2. */
export const INTERRUPTED_EXIT_CODE = 130;

/** Exit code when the task ended without its container reporting one (it never started, or was killed). */
export const NO_EXIT_CODE = 1;

/**
 * The container's exit code, with three exceptions:
 * - the run was interrupted by the caller → 130, whatever the container did on SIGTERM;
 * - the container has no exit code (CannotPullContainerError, ResourceInitializationError, TaskFailedToStart) → 1;
 * - the task was stopped from outside (SpotInterruption, UserInitiated, …) and the container exited 0 → 1, because
 *   the work was cut short even if the app shut down cleanly.
 */
export function taskExitCode(task: Task, containerName: string, interrupted: boolean): number {
  if (interrupted) return INTERRUPTED_EXIT_CODE;
  const container = task.containers?.find((c) => c.name === containerName) ?? task.containers?.[0];
  const exitCode = container?.exitCode;
  if (exitCode === undefined || exitCode === null) return NO_EXIT_CODE;
  const stoppedFromOutside = task.stopCode !== undefined && task.stopCode !== 'EssentialContainerExited';
  if (exitCode === 0 && stoppedFromOutside) return NO_EXIT_CODE;
  return exitCode;
}
