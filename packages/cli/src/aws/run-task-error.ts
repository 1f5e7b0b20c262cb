// The typed error `hf run-task --env` throws when a task cannot be started or followed to its end.

/** Stable codes callers can `switch` on. */
export type RunTaskErrorCode =
  /** The workload is a service, which runs under an ECS service rather than as a one-off task. */
  | 'NOT_A_TASK'
  /** The workload's CloudFormation stack does not exist in the account and region. */
  | 'STACK_NOT_FOUND'
  /** The stack exists but lacks one of the outputs in `TASK_STACK_OUTPUTS`. */
  | 'OUTPUT_MISSING'
  /** RunTask was refused or reported failures, so no task runs. */
  | 'RUN_TASK_FAILED'
  /** DescribeTasks kept answering that the started task does not exist. */
  | 'TASK_MISSING'
  /** The task did not stop within `timeoutMs`; it was asked to stop. */
  | 'TIMEOUT'
  /** The signal was aborted before the task was started; nothing ran. */
  | 'INTERRUPTED';

/** A failure of `runTaskOnAws`, with a message that says what to do and the context needed to look further. */
export class RunTaskError extends Error {
  override readonly name = 'RunTaskError';

  constructor(
    readonly code: RunTaskErrorCode,
    message: string,
    /** Context for logs and callers: stack name, task ARN, failure reasons. */
    readonly details: Readonly<{ stackName?: string; taskArn?: string; output?: string; reasons?: string[] }> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
