// The console's chart data: a bounded ring buffer of samples, request rates from counter differences.

import { describe, expect, it } from 'vitest';
import { MetricsRecorder } from '../../src/console/metrics-recorder.js';
import { RingBuffer } from '../../src/console/ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps only the newest items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    for (const n of [1, 2, 3, 4, 5]) ring.push(n);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(/positive integer, got 0/);
  });
});

describe('MetricsRecorder', () => {
  it('records queue depths and turns request counters into requests per second', () => {
    let t = 0;
    let depth = 0;
    let count = 0;
    const recorder = new MetricsRecorder(
      { queueDepths: () => ({ orders: depth }), requestCounts: () => ({ api: count }) },
      { capacity: 2, now: () => t },
    );
    recorder.sample();
    [t, depth, count] = [1000, 4, 10];
    recorder.sample();
    [t, depth, count] = [3000, 1, 30];
    recorder.sample();
    const { queueDepth, requestRate } = recorder.series();
    expect(queueDepth).toEqual([
      { t: 1000, values: { orders: 4 } },
      { t: 3000, values: { orders: 1 } },
    ]);
    expect(requestRate).toEqual([
      { t: 1000, values: { api: 10 } },
      { t: 3000, values: { api: 10 } },
    ]);
  });

  it('skips a sample when a source throws', () => {
    const recorder = new MetricsRecorder({
      queueDepths: () => {
        throw new Error('closed');
      },
      requestCounts: () => ({}),
    });
    recorder.sample();
    expect(recorder.series().queueDepth).toEqual([]);
  });
});
