// What the local Step Functions executor records about an execution: its summary and its event history.

/** As Step Functions reports it; TIMED_OUT comes from the definition's top-level TimeoutSeconds. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** DescribeExecution's answer, with dates as ISO 8601 strings so records survive JSON unchanged. */
export interface ExecutionRecord {
  /** `arn:aws:states:<region>:<account>:execution:<workflow>:<name>` */
  readonly executionArn: string;
  /** `arn:aws:states:<region>:<account>:stateMachine:<workflow>` */
  readonly stateMachineArn: string;
  readonly workflow: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: string;
  readonly stopDate?: string;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Who started it, e.g. the schedule's ARN. @default - none */
  readonly startedBy?: string;
}

export type HistoryEventType =
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimedOut'
  | 'StateEntered'
  | 'StateExited'
  | 'StateFailed'
  | 'StateRetried'
  | 'StateCaught'
  | 'ParallelBranchStarted'
  | 'ParallelBranchSucceeded'
  | 'ParallelBranchFailed'
  | 'MapIterationStarted'
  | 'MapIterationSucceeded'
  | 'MapIterationFailed';

/** One step of an execution's history; fields appear where they apply to the type. */
export interface HistoryEvent {
  /** 1, 2, 3… in the order events happened. */
  readonly id: number;
  readonly type: HistoryEventType;
  readonly timestamp: string;
  /** The state entered, exited, failed, retried or caught; for branch and iteration events, the Parallel or Map state. */
  readonly state?: string;
  readonly stateType?: string;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** StateRetried: which retry this is (1 = the first retry). */
  readonly attempt?: number;
  /** StateCaught: the state the Catch moves to. */
  readonly next?: string;
  /** Map iteration index, for events inside a Map state. */
  readonly index?: number;
}

/** A started execution: its identity now, its final record once it ends. */
export interface Execution {
  readonly executionArn: string;
  readonly name: string;
  readonly startDate: string;
  /** Resolves (never rejects) with the final record when the execution ends and its history is saved. */
  readonly done: Promise<ExecutionRecord>;
}
