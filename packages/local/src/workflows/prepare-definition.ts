// Reads an ASL definition's Task states and makes the copy the local executor runs (scaled retries, AWS timeouts).

/** The longest delay a Node timer takes (about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_SECONDS = 2_147_483;

type Json = Record<string, unknown>;

export interface TaskStateInfo {
  readonly stateName: string;
  readonly resource: string;
}

/** Every Task state in the definition, including those inside Parallel branches and Map processors. */
export function taskStates(definition: object): TaskStateInfo[] {
  const found: TaskStateInfo[] = [];
  visitMachines(definition as Json, (states) => {
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type === 'Task' && typeof state.Resource === 'string')
        found.push({ stateName, resource: state.Resource });
    }
  });
  return found;
}

/**
 * A deep copy to run locally: Retry intervals and delay caps multiplied by `retryIntervalScale`; a Task without
 * TimeoutSeconds gets AWS's effectively unlimited default instead of aws-local-stepfunctions' 60 seconds; timeouts
 * are capped at what a Node timer can wait.
 */
export function runtimeDefinition(definition: object, retryIntervalScale: number): Json {
  const copy = structuredClone(definition) as Json;
  if (typeof copy.TimeoutSeconds === 'number') copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, MAX_TIMER_SECONDS);
  visitMachines(copy, (states) => {
    for (const state of Object.values(states)) {
      if (state.Type === 'Task') {
        if (typeof state.TimeoutSeconds === 'number') {
          state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMER_SECONDS);
        } else if (state.TimeoutSecondsPath === undefined) {
          state.TimeoutSeconds = MAX_TIMER_SECONDS;
        }
      }
      if (Array.isArray(state.Retry)) {
        for (const retrier of state.Retry as Json[]) {
          retrier.IntervalSeconds = ((retrier.IntervalSeconds as number | undefined) ?? 1) * retryIntervalScale;
          if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds *= retryIntervalScale;
        }
      }
    }
  });
  return copy;
}

function visitMachines(machine: Json, visit: (states: Record<string, Json>) => void): void {
  const states = machine.States;
  if (!states || typeof states !== 'object') return;
  visit(states as Record<string, Json>);
  for (const state of Object.values(states as Record<string, Json>)) {
    if (Array.isArray(state.Branches)) for (const branch of state.Branches as Json[]) visitMachines(branch, visit);
    for (const key of ['ItemProcessor', 'Iterator'] as const) {
      if (state[key] && typeof state[key] === 'object') visitMachines(state[key] as Json, visit);
    }
  }
}
