// How hf shows long work: the batch progress bar and the workflow timeline lines.

import { describe, expect, it } from 'vitest';
import { formatEvent, isWorthShowing } from '../src/commands/workflow.js';
import { ProgressBar } from '../src/progress-bar.js';

describe('ProgressBar', () => {
  it('draws done of total with the detail', () => {
    const bar = new ProgressBar({ width: 10 });
    expect(bar.render(0, 1000, 'runnable 1000')).toBe('[----------]    0/1000  runnable 1000');
    expect(bar.render(512, 1000, 'running 8')).toBe('[#####-----]  512/1000  running 8');
    expect(bar.render(1000, 1000, 'succeeded 1000')).toBe('[##########] 1000/1000  succeeded 1000');
  });

  it('writes a plain line at most every interval when the stream is not a terminal', () => {
    const written: string[] = [];
    let now = 0;
    const stream = { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const bar = new ProgressBar({ stream, width: 4, plainIntervalMs: 1000, now: () => now });
    bar.update(1, 4, 'a');
    now = 500;
    bar.update(2, 4, 'b');
    now = 1500;
    bar.update(3, 4, 'c');
    bar.done(4, 4, 'd');
    expect(written).toEqual(['[#---] 1/4  a\n', '[###-] 3/4  c\n', '[####] 4/4  d\n']);
  });
});

describe('workflow timeline', () => {
  const start = '2026-11-21T01:30:00.000Z';

  it('shows offsets, states, exit codes, retries and errors', () => {
    expect(
      formatEvent(
        {
          type: 'StateExited',
          timestamp: '2026-11-21T01:30:01.250Z',
          state: 'Run Extract',
          output: { TaskArn: 'arn:aws:ecs:us-east-1:0:task/c/8a521850b5736843', Containers: [{ ExitCode: 0 }] },
        },
        start,
      ),
    ).toBe('   +1.25s  StateExited          Run Extract  exit 0 (task 8a521850)');
    expect(
      formatEvent({ type: 'StateRetried', timestamp: '2026-11-21T01:30:02.000Z', state: 'Extract', attempt: 2 }, start),
    ).toContain('Extract  attempt 2');
    expect(
      formatEvent({ type: 'ExecutionFailed', timestamp: '2026-11-21T01:30:03.000Z', error: 'E', cause: 'why' }, start),
    ).toContain('E: why');
  });

  it('hides the plumbing of each step unless asked', () => {
    expect(isWorthShowing({ type: 'ParallelBranchStarted', timestamp: 0, state: 'Extract' })).toBe(false);
    expect(isWorthShowing({ type: 'StateEntered', timestamp: 0, state: 'Check Extract', stateType: 'Choice' })).toBe(
      false,
    );
    expect(isWorthShowing({ type: 'StateEntered', timestamp: 0, state: 'Extract', stateType: 'Parallel' })).toBe(true);
    expect(
      isWorthShowing({ type: 'StateFailed', timestamp: 0, state: 'Extract exited non-zero', stateType: 'Fail' }),
    ).toBe(true);
  });
});
