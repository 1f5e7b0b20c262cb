// Errors from the local Step Functions executor, with the Step Functions API error name as a stable `code`.

export type WorkflowErrorCode =
  | 'InvalidDefinition'
  | 'InvalidName'
  | 'StateMachineDoesNotExist'
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidExecutionInput'
  | 'MissingResourceHandler';

/** A problem a person fixes: the message says which workflow, state or execution, and what to do. */
export class WorkflowError extends Error {
  override readonly name = 'WorkflowError';

  constructor(
    /** The Step Functions API error this corresponds to (or `MissingResourceHandler`, local only). */
    readonly code: WorkflowErrorCode,
    message: string,
  ) {
    super(message);
  }
}
