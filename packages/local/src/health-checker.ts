// An HTTP health check with ECS container health check semantics: interval, timeout, retries, startPeriod.

import type { HealthCheckOptions } from '@hello-fargate/workload';

export type HealthCheckSettings = Required<HealthCheckOptions>;

export interface HealthCheckerOptions {
  readonly url: string;
  readonly settings: HealthCheckSettings;
  readonly onChange: (status: 'HEALTHY' | 'UNHEALTHY', detail: string) => void;
  /**
   * Until the task is first healthy, probes run this often so a ready task is seen quickly; failures still count
   * toward `retries` at most once per `intervalSeconds`, so a task turns UNHEALTHY no sooner than in ECS.
   * @default 0.5
   */
  readonly earlyProbeSeconds?: number;
}

/**
 * Probes `url` until stopped. ECS rules: a failure inside startPeriod does not count; a success inside it makes the
 * task HEALTHY; `retries` consecutive counted failures make it UNHEALTHY; a probe slower than `timeoutSeconds` fails.
 */
export class HealthChecker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly startedAt = Date.now();
  private lastCountedAt: number;
  private failures = 0;
  private status: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' = 'UNKNOWN';
  private lastDetail = '';

  constructor(private readonly options: HealthCheckerOptions) {
    this.lastCountedAt = this.startedAt;
  }

  start(): this {
    this.schedule(this.earlyDelayMs());
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private earlyDelayMs(): number {
    const { intervalSeconds } = this.options.settings;
    return Math.min(intervalSeconds, this.options.earlyProbeSeconds ?? 0.5) * 1000;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.probe(), delayMs);
  }

  private async probe(): Promise<void> {
    const { settings } = this.options;
    const ok = await this.request(settings.timeoutSeconds * 1000);
    if (this.stopped) return;
    const now = Date.now();
    if (ok) {
      this.failures = 0;
      this.lastCountedAt = now;
      this.set('HEALTHY', 'health check passed');
    } else {
      const inStartPeriod = now - this.startedAt < settings.startPeriodSeconds * 1000;
      const dueForCount = this.status === 'HEALTHY' || now - this.lastCountedAt >= settings.intervalSeconds * 1000;
      if (!inStartPeriod && dueForCount) {
        this.failures++;
        this.lastCountedAt = now;
        if (this.failures >= settings.retries) this.set('UNHEALTHY', this.lastDetail);
      }
    }
    this.schedule(this.status === 'HEALTHY' ? settings.intervalSeconds * 1000 : this.earlyDelayMs());
  }

  private set(status: 'HEALTHY' | 'UNHEALTHY', detail: string): void {
    if (this.status === status) return;
    this.status = status;
    this.options.onChange(status, detail);
  }

  private async request(timeoutMs: number): Promise<boolean> {
    try {
      const response = await fetch(this.options.url, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return true;
      this.lastDetail = `GET ${new URL(this.options.url).pathname} answered ${response.status}`;
    } catch (error) {
      const name = (error as Error).name;
      this.lastDetail =
        name === 'TimeoutError'
          ? `no answer within ${timeoutMs / 1000}s`
          : `request failed: ${(error as Error).message}`;
    }
    return false;
  }
}
