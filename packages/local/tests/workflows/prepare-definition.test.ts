import { describe, expect, it } from 'vitest';
import { runtimeDefinition, taskStates } from '../../src/workflows/prepare-definition.js';
import { retryAndCatch, RUN_TASK, scheduledJob, SEND_MESSAGE } from './definitions.js';

describe('taskStates', () => {
  it('finds Task states at the top level and inside Parallel branches and Map processors', () => {
    const withMap = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Task', Resource: 'arn:item', End: true } } },
          End: true,
        },
      },
    };
    expect(taskStates(scheduledJob)).toEqual([
      { stateName: 'NotifyFailure', resource: SEND_MESSAGE },
      { stateName: 'RunTask', resource: RUN_TASK },
    ]);
    expect(taskStates(withMap)).toEqual([{ stateName: 'Item', resource: 'arn:item' }]);
  });
});

describe('runtimeDefinition', () => {
  it('scales Retry intervals, including the 1 second default, and leaves the original alone', () => {
    const definition = {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: RUN_TASK,
          Retry: [{ ErrorEquals: ['A'], IntervalSeconds: 10, MaxDelaySeconds: 60 }, { ErrorEquals: ['B'] }],
          End: true,
        },
      },
    };
    const copy = runtimeDefinition(definition, 0.01) as typeof definition;
    expect(copy.States.Work.Retry).toEqual([
      { ErrorEquals: ['A'], IntervalSeconds: 0.1, MaxDelaySeconds: 0.6 },
      { ErrorEquals: ['B'], IntervalSeconds: 0.01 },
    ]);
    expect(definition.States.Work.Retry[0]).toEqual({ ErrorEquals: ['A'], IntervalSeconds: 10, MaxDelaySeconds: 60 });
  });

  it('gives Tasks without a timeout the longest a timer can wait, instead of the library default of 60 seconds', () => {
    const copy = runtimeDefinition({ ...retryAndCatch, TimeoutSeconds: 99_999_999 }, 1) as {
      TimeoutSeconds: number;
      States: Record<string, { TimeoutSeconds?: number }>;
    };
    expect(copy.States.Work?.TimeoutSeconds).toBe(2_147_483);
    expect(copy.States.Notify?.TimeoutSeconds).toBe(2_147_483);
    expect(copy.States.Failed?.TimeoutSeconds).toBeUndefined();
    expect(copy.TimeoutSeconds).toBe(2_147_483);
    const nested = runtimeDefinition(scheduledJob, 1) as typeof scheduledJob;
    expect((nested.States.Run.Branches[0]?.States.RunTask as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(
      2_147_483,
    );
  });
});
