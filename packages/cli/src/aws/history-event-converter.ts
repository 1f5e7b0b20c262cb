// Turns Step Functions' GetExecutionHistory events into the history events `hf workflow` prints for local runs.

import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { type HistoryEventView, isWorthShowing } from '../commands/workflow.js';

/**
 * Step Functions events that only describe the machinery of a state (a task scheduled, a Parallel state's branches
 * started); shown with `--verbose` only, as the local runner hides its branch events.
 */
export const PLUMBING_EVENT_TYPES: ReadonlySet<string> = new Set([
  'TaskScheduled',
  'TaskStarted',
  'TaskSubmitted',
  'TaskSucceeded',
  'ParallelStateStarted',
  'ParallelStateSucceeded',
  'MapStateStarted',
  'MapStateSucceeded',
  'MapRunStarted',
  'MapRunSucceeded',
  'ActivityScheduled',
  'ActivityStarted',
  'ActivitySucceeded',
  'LambdaFunctionScheduled',
  'LambdaFunctionStarted',
  'LambdaFunctionSucceeded',
]);

/** Events whose details carry `error` and `cause`: a failed attempt of the state they belong to. */
const ATTEMPT_FAILED = new Set([
  'TaskFailed',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'TaskTimedOut',
  'ActivityFailed',
  'ActivityScheduleFailed',
  'ActivityTimedOut',
  'LambdaFunctionFailed',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'LambdaFunctionTimedOut',
]);

/** The events that start a new attempt of a state; after a failed attempt they mean a Retry fired. */
const ATTEMPT_STARTED = new Set(['TaskScheduled', 'ActivityScheduled', 'LambdaFunctionScheduled']);

/**
 * Converts events in id order and remembers what it needs across pages and polls: which state each event belongs
 * to (Task events name no state; their `previousEventId` chain leads to the `…StateEntered` event) and how many
 * attempts of the current state failed, so a retry shows as `StateRetried` with its number like the local runner's.
 */
export class HistoryEventConverter {
  private readonly stateByEvent = new Map<number, { name: string; type: string }>();
  private readonly failedAttempts = new Map<string, number>();
  /** Parallel and Map states entered and not exited yet; their events name no state and follow branch events. */
  private readonly openContainers: { name: string; type: string }[] = [];

  convert(event: HistoryEvent): HistoryEventView {
    const type = event.type ?? 'Unknown';
    const timestamp = event.timestamp?.getTime() ?? 0;
    const id = event.id ?? 0;

    const entered = /^(\w+)StateEntered$/.exec(type);
    if (entered) {
      const state = { name: event.stateEnteredEventDetails?.name ?? '', type: entered[1] as string };
      this.stateByEvent.set(id, state);
      this.failedAttempts.set(state.name, 0);
      if (state.type === 'Parallel' || state.type === 'Map') this.openContainers.push(state);
      return view('StateEntered', timestamp, state, { input: parse(event.stateEnteredEventDetails?.input) });
    }
    const exited = /^(\w+)StateExited$/.exec(type);
    if (exited) {
      const state = { name: event.stateExitedEventDetails?.name ?? '', type: exited[1] as string };
      this.stateByEvent.set(id, state);
      if (state.type === 'Parallel' || state.type === 'Map') this.closeContainer(state.name);
      return view('StateExited', timestamp, state, { output: parse(event.stateExitedEventDetails?.output) });
    }
    if (type.startsWith('Execution')) return this.execution(event, type, timestamp);

    const container = /^(Parallel|Map)State(Started|Failed|Aborted|Succeeded)$/.exec(type);
    const state = container ? this.openContainers.at(-1) : this.stateByEvent.get(event.previousEventId ?? -1);
    if (state) this.stateByEvent.set(id, state);
    if (!state) return view(type, timestamp, undefined, {});

    const failures = this.failedAttempts.get(state.name) ?? 0;
    if (ATTEMPT_FAILED.has(type) || container?.[2] === 'Failed') {
      this.failedAttempts.set(state.name, failures + 1);
      return view('StateFailed', timestamp, state, failureOf(event));
    }
    if ((ATTEMPT_STARTED.has(type) || container?.[2] === 'Started') && failures > 0) {
      return view('StateRetried', timestamp, state, { attempt: failures });
    }
    if (type === 'EvaluationFailed') {
      return view('StateFailed', timestamp, state, {
        error: event.evaluationFailedEventDetails?.error,
        cause: event.evaluationFailedEventDetails?.cause,
      });
    }
    return view(type, timestamp, state, {});
  }

  private execution(event: HistoryEvent, type: string, timestamp: number): HistoryEventView {
    const details =
      event.executionFailedEventDetails ?? event.executionAbortedEventDetails ?? event.executionTimedOutEventDetails;
    return view(type, timestamp, undefined, {
      input: parse(event.executionStartedEventDetails?.input),
      output: parse(event.executionSucceededEventDetails?.output),
      error: details?.error,
      cause: details?.cause,
    });
  }

  private closeContainer(name: string): void {
    const index = this.openContainers.findLastIndex((s) => s.name === name);
    if (index >= 0) this.openContainers.splice(index, 1);
  }
}

/** Whether `hf workflow` prints the event: everything with `--verbose`, else the local rule minus the plumbing. */
export function isShownOnAws(event: HistoryEventView, verbose: boolean): boolean {
  return verbose || (!PLUMBING_EVENT_TYPES.has(event.type) && isWorthShowing(event));
}

function view(
  type: string,
  timestamp: number,
  state: { name: string; type: string } | undefined,
  fields: Record<string, unknown>,
): HistoryEventView {
  const defined = Object.entries(fields).filter(([, value]) => value !== undefined);
  return {
    type,
    timestamp,
    ...(state ? { state: state.name, stateType: state.type } : {}),
    ...Object.fromEntries(defined),
  };
}

function failureOf(event: HistoryEvent): { error?: string; cause?: string } {
  const details =
    event.taskFailedEventDetails ??
    event.taskStartFailedEventDetails ??
    event.taskSubmitFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.activityFailedEventDetails ??
    event.activityScheduleFailedEventDetails ??
    event.activityTimedOutEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionScheduleFailedEventDetails ??
    event.lambdaFunctionStartFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails;
  return { error: details?.error, cause: details?.cause };
}

/** Step Functions sends inputs and outputs as JSON text (cut at 256 KiB); keep the text when it does not parse. */
function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
