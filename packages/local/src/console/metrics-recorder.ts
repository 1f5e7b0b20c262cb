// Samples queue depths and load balancer request rates into bounded in-memory series for the console's charts.

import { RingBuffer } from './ring-buffer.js';

/** What one sample reads: queue depth (visible + in flight) by queue, and request counters by listener. */
export interface MetricsSource {
  queueDepths(): Record<string, number>;
  requestCounts(): Record<string, number>;
}

export interface MetricsRecorderOptions {
  /** Samples kept (one a second: 300 is five minutes). @default 300 */
  readonly capacity?: number;
  /** Clock in epoch ms. @default Date.now */
  readonly now?: () => number;
}

/** One point in time: `t` in epoch ms, values by series name. */
export interface MetricsSample {
  readonly t: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface MetricsSeries {
  readonly queueDepth: MetricsSample[];
  /** Requests per second through each listener, from the difference of its counter between two samples. */
  readonly requestRate: MetricsSample[];
}

export class MetricsRecorder {
  private readonly queueDepth: RingBuffer<MetricsSample>;
  private readonly requestRate: RingBuffer<MetricsSample>;
  private readonly now: () => number;
  private previous: { t: number; counts: Record<string, number> } | undefined;

  constructor(
    private readonly source: MetricsSource,
    options: MetricsRecorderOptions = {},
  ) {
    const capacity = options.capacity ?? 300;
    this.now = options.now ?? Date.now;
    this.queueDepth = new RingBuffer(capacity);
    this.requestRate = new RingBuffer(capacity);
  }

  /** Takes one sample; a source that throws (e.g. while shutting down) skips it. */
  sample(): void {
    const t = this.now();
    let depths: Record<string, number>;
    let counts: Record<string, number>;
    try {
      depths = this.source.queueDepths();
      counts = this.source.requestCounts();
    } catch {
      return;
    }
    this.queueDepth.push({ t, values: depths });
    if (this.previous && t > this.previous.t) {
      const seconds = (t - this.previous.t) / 1000;
      const before = this.previous.counts;
      const rates = Object.fromEntries(
        Object.entries(counts).map(([name, count]) => [name, Math.max(0, count - (before[name] ?? 0)) / seconds]),
      );
      this.requestRate.push({ t, values: rates });
    }
    this.previous = { t, counts };
  }

  series(): MetricsSeries {
    return { queueDepth: this.queueDepth.toArray(), requestRate: this.requestRate.toArray() };
  }
}
