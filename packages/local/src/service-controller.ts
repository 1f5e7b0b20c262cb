// Keeps a service at its desired count like the ECS service scheduler: replaces stopped or unhealthy tasks, backs off.

import type { Workload } from '@hello-fargate/workload';
import { HealthChecker } from './health-checker.js';
import type { TaskProcess, TaskResult } from './task-process.js';

export type ServiceState = 'STARTING' | 'ACTIVE' | 'DRAINING' | 'STOPPED' | 'FAILED';

export interface RestartPolicy {
  /** Delay before the first replacement after a failure, in ms; doubles with each consecutive failure. @default 1000 */
  readonly backoffBaseMs?: number;
  /** Longest delay between replacements, in ms. @default 30000 */
  readonly backoffMaxMs?: number;
  /** Consecutive failed tasks after which the service stops being restarted. @default 5 */
  readonly crashLoopLimit?: number;
  /** A task that ran this long (or turned healthy) resets the failure count, in ms. @default 10000 */
  readonly stableAfterMs?: number;
}

export interface ServiceControllerOptions {
  readonly workload: Workload;
  /** Starts one task of the service (the runner builds its environment, port and log file). */
  readonly launch: () => Promise<TaskProcess>;
  readonly restart?: RestartPolicy;
  /** Status lines for people (replacements, health, giving up). */
  readonly report: (message: string) => void;
  /** Probe settings; the default probes once the task is up. @default - HealthChecker defaults */
  readonly earlyProbeSeconds?: number;
}

export interface ServiceSnapshot {
  readonly name: string;
  readonly state: ServiceState;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly healthyCount: number;
  /** False for services without a container health check (e.g. queue workers): only running counts. */
  readonly healthChecked: boolean;
  readonly restarts: number;
  readonly consecutiveFailures: number;
  readonly message: string;
  readonly tasks: { id: string; status: string; health: string; port: number | undefined; pid: number | undefined }[];
}

/** One service: `start()` launches desiredCount tasks; `stop()` drains them with SIGTERM/stopTimeout. */
export class ServiceController {
  readonly workload: Workload;
  state: ServiceState = 'STARTING';
  message = '';
  restarts = 0;
  consecutiveFailures = 0;
  private readonly tasks = new Map<
    string,
    { task: TaskProcess; checker?: HealthChecker; stableTimer?: NodeJS.Timeout }
  >();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly policy: Required<RestartPolicy>;
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly options: ServiceControllerOptions) {
    this.workload = options.workload;
    this.policy = {
      backoffBaseMs: options.restart?.backoffBaseMs ?? 1000,
      backoffMaxMs: options.restart?.backoffMaxMs ?? 30_000,
      crashLoopLimit: options.restart?.crashLoopLimit ?? 5,
      stableAfterMs: options.restart?.stableAfterMs ?? 10_000,
    };
  }

  async start(): Promise<void> {
    const launches: Promise<void>[] = [];
    for (let i = 0; i < this.workload.desiredCount; i++) launches.push(this.launchOne());
    await Promise.all(launches);
    this.updateState();
  }

  /** Resolves when every desired task is healthy (or running, without a health check), or the service failed. */
  whenReady(): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Tasks of this service, for lookups by the metadata endpoint and status. */
  get currentTasks(): TaskProcess[] {
    return [...this.tasks.values()].map((t) => t.task);
  }

  /** Stops every task (SIGTERM, then SIGKILL after stopTimeout) and stops replacing them. */
  async stop(): Promise<void> {
    if (this.state === 'STOPPED') return;
    this.state = 'DRAINING';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(
      [...this.tasks.values()].map(({ task, checker }) => {
        checker?.stop();
        return task.stop('Scaling activity initiated by deployment', 'ServiceSchedulerInitiated');
      }),
    );
    this.state = 'STOPPED';
    this.notifyReady();
  }

  snapshot(): ServiceSnapshot {
    const tasks = this.currentTasks;
    return {
      name: this.workload.name,
      state: this.state,
      desiredCount: this.workload.desiredCount,
      runningCount: tasks.filter((t) => t.status === 'RUNNING').length,
      healthyCount: tasks.filter((t) => t.health === 'HEALTHY').length,
      healthChecked: this.workload.healthCheck !== undefined,
      restarts: this.restarts,
      consecutiveFailures: this.consecutiveFailures,
      message: this.message,
      tasks: tasks.map((t) => ({ id: t.id, status: t.status, health: t.health, port: t.port, pid: t.pid })),
    };
  }

  private isReady(): boolean {
    if (this.state === 'FAILED' || this.state === 'STOPPED') return true;
    const tasks = this.currentTasks.filter((t) => t.status === 'RUNNING');
    const ok = this.workload.healthCheck ? tasks.filter((t) => t.health === 'HEALTHY') : tasks;
    return ok.length >= this.workload.desiredCount;
  }

  private notifyReady(): void {
    if (!this.isReady()) return;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private updateState(): void {
    if (this.state === 'FAILED' || this.state === 'DRAINING' || this.state === 'STOPPED') return;
    this.state = this.isReady() ? 'ACTIVE' : 'STARTING';
    this.notifyReady();
  }

  private async launchOne(): Promise<void> {
    let task: TaskProcess;
    try {
      task = await this.options.launch();
    } catch (error) {
      this.fail(`cannot start a task: ${(error as Error).message}`);
      return;
    }
    const entry: { task: TaskProcess; checker?: HealthChecker; stableTimer?: NodeJS.Timeout } = { task };
    this.tasks.set(task.id, entry);
    entry.stableTimer = setTimeout(() => this.markStable(), this.policy.stableAfterMs);
    const hc = this.workload.healthCheck;
    if (hc && task.port !== undefined) {
      entry.checker = new HealthChecker({
        url: `http://127.0.0.1:${task.port}${hc.path}`,
        settings: hc,
        ...(this.options.earlyProbeSeconds !== undefined ? { earlyProbeSeconds: this.options.earlyProbeSeconds } : {}),
        onChange: (status, detail) => {
          task.health = status;
          if (status === 'HEALTHY') {
            this.markStable();
          } else if (this.state !== 'DRAINING' && this.state !== 'STOPPED') {
            this.options.report(`${this.workload.name}/${task.id.slice(0, 8)} is UNHEALTHY (${detail}): replacing it`);
            void task.stop('Task failed container health checks', 'ServiceSchedulerInitiated');
          }
          this.updateState();
        },
      }).start();
    }
    void task.stopped.then((result) => this.onStopped(result, entry));
    // A service without a health check is ready once its tasks run.
    void task.started.then(() => this.updateState());
    this.updateState();
  }

  private markStable(): void {
    this.consecutiveFailures = 0;
  }

  private onStopped(result: TaskResult, entry: { checker?: HealthChecker; stableTimer?: NodeJS.Timeout }): void {
    entry.checker?.stop();
    clearTimeout(entry.stableTimer);
    this.tasks.delete(result.taskId);
    if (this.state === 'DRAINING' || this.state === 'STOPPED' || this.state === 'FAILED') return;
    this.consecutiveFailures++;
    const how = result.exitCode !== null ? `exit code ${result.exitCode}` : `signal ${result.signal ?? 'none'}`;
    if (this.consecutiveFailures >= this.policy.crashLoopLimit) {
      this.fail(
        `${this.consecutiveFailures} tasks in a row stopped (last: ${how}, ${result.stoppedReason}); ` +
          `not restarting it any more. Log: ${result.logFile}${formatLastLines(result.lastLines)}`,
      );
      return;
    }
    const delay = Math.min(this.policy.backoffMaxMs, this.policy.backoffBaseMs * 2 ** (this.consecutiveFailures - 1));
    this.options.report(
      `${this.workload.name}/${result.taskId.slice(0, 8)} stopped (${how}, ${result.stoppedReason}); ` +
        `starting a replacement in ${(delay / 1000).toFixed(1)}s`,
    );
    this.restarts++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.launchOne();
    }, delay);
    this.timers.add(timer);
    this.updateState();
  }

  private fail(message: string): void {
    this.state = 'FAILED';
    this.message = message;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.options.report(`${this.workload.name} FAILED: ${message}`);
    this.notifyReady();
  }
}

function formatLastLines(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  return `\n  last output:\n${lines.map((l) => `    | ${l}`).join('\n')}`;
}
