// Turns aws-local-stepfunctions' event log entries into history events, and history events into output lines.

import type { HistoryEvent, HistoryEventType } from './execution-record.js';

/** The fields of aws-local-stepfunctions' EventLog entries that history keeps (its type is not exported). */
export interface LibraryEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly Error?: string;
  readonly Cause?: unknown;
  readonly index?: number;
  readonly state?: {
    readonly name: string;
    readonly type: string;
    readonly input?: unknown;
    readonly output?: unknown;
  };
  readonly parentState?: { readonly name: string; readonly type: string };
  readonly retry?: { readonly attempt: number };
  readonly catch?: { readonly catcher: { readonly Next: string } };
}

const RENAMED: Record<string, HistoryEventType> = { ExecutionTimeout: 'ExecutionTimedOut' };

export function toHistoryEvent(event: LibraryEvent, id: number): HistoryEvent {
  const state = event.state ?? event.parentState;
  const fields: Record<string, unknown> = {
    id,
    type: RENAMED[event.type] ?? event.type,
    timestamp: new Date(event.timestamp).toISOString(),
    state: state?.name,
    stateType: state?.type,
    input: event.state ? event.state.input : event.input,
    output: event.state ? event.state.output : event.output,
    error: event.Error,
    cause:
      event.Cause === undefined
        ? undefined
        : typeof event.Cause === 'string'
          ? event.Cause
          : JSON.stringify(event.Cause),
    attempt: event.retry?.attempt,
    next: event.catch?.catcher.Next,
    index: event.index,
  };
  if (event.type === 'StateEntered' || event.type.startsWith('Parallel') || event.type.startsWith('Map')) {
    delete fields.output;
  }
  if (event.type.startsWith('Parallel') || event.type.startsWith('Map')) delete fields.input;
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as unknown as HistoryEvent;
}

/** A one-line description for the terminal, e.g. `retrying Run (retry 1) after HelloFargate.TaskExitedNonZero`. */
export function historyLine(event: HistoryEvent, previous?: HistoryEvent): string {
  const where = event.index === undefined ? event.state : `${event.state}[${event.index}]`;
  const failure = event.error ? `${event.error}${event.cause ? `: ${event.cause}` : ''}` : 'no error given';
  switch (event.type) {
    case 'ExecutionStarted':
      return 'started';
    case 'ExecutionSucceeded':
      return 'succeeded';
    case 'ExecutionFailed':
      return `failed: ${failure}`;
    case 'ExecutionAborted':
      return 'aborted';
    case 'ExecutionTimedOut':
      return 'timed out (TimeoutSeconds of the definition)';
    case 'StateEntered':
      return `entered ${where} (${event.stateType})`;
    case 'StateExited':
      return `exited ${where}`;
    case 'StateFailed':
      return `${where} failed: ${failure}`;
    case 'StateRetried':
      return `retrying ${where} (retry ${event.attempt})${previous?.error ? ` after ${previous.error}` : ''}`;
    case 'StateCaught':
      return `${where} caught the error, next ${event.next}`;
    default:
      return `${event.type} ${where}${event.error ? `: ${failure}` : ''}`;
  }
}
