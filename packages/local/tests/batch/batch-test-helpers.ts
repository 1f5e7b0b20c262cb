// Shared setup for the local Batch tests: fake containers whose ends the test decides, a manual clock and timers.

import { LocalBatch, type LocalBatchOptions } from '../../src/batch/local-batch.js';
import type {
  ContainerResult,
  ContainerRun,
  ContainerSpec,
  JobChange,
  JobDefinitionSpec,
} from '../../src/batch/index.js';

/** One fake container: the spec it was given, the stop reasons it got, and a way to end it. */
export interface FakeRun {
  readonly spec: ContainerSpec;
  readonly stops: string[];
  finished: boolean;
  finish(exitCode: number | null, reason?: string): void;
}

/** A `runContainer` whose containers run until the test (or `auto`) ends them. */
export class FakeContainers {
  readonly runs: FakeRun[] = [];
  running = 0;
  maxRunning = 0;
  /** When set, decides each container's end as it starts (ended on the next microtask). */
  auto: ((spec: ContainerSpec) => ContainerResult | undefined) | undefined;
  /** Exit code a container reports when stopped; undefined leaves it running (it ignores SIGTERM). */
  exitOnStop: number | null | undefined = 143;

  readonly runContainer = (spec: ContainerSpec): ContainerRun => {
    let resolve: (result: ContainerResult) => void = () => undefined;
    const result = new Promise<ContainerResult>((r) => {
      resolve = r;
    });
    const run: FakeRun = {
      spec,
      stops: [],
      finished: false,
      finish: (exitCode, reason) => {
        if (run.finished) return;
        run.finished = true;
        this.running -= 1;
        resolve({ exitCode, ...(reason !== undefined && { reason }) });
      },
    };
    this.runs.push(run);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const decided = this.auto?.(spec);
    if (decided) queueMicrotask(() => run.finish(decided.exitCode, decided.reason));
    return {
      taskArn: `arn:aws:ecs:us-east-1:000000000000:task/local/${this.runs.length}`,
      logStreamName: `local/${spec.jobId}`,
      result,
      stop: (reason) => {
        run.stops.push(reason);
        if (this.exitOnStop !== undefined) queueMicrotask(() => run.finish(this.exitOnStop as number | null));
      },
    };
  };

  /** Runs of a job (or child) id, in attempt order. */
  of(jobId: string): FakeRun[] {
    return this.runs.filter((r) => r.spec.jobId === jobId);
  }

  /** The runs not finished yet. */
  live(): FakeRun[] {
    return this.runs.filter((r) => !r.finished);
  }
}

/** Timers that fire only when the test says so. */
export class ManualTimers {
  private readonly timers: { at: number; callback: () => void; cancelled: boolean }[] = [];
  readonly setTimer = (delayMs: number, callback: () => void): (() => void) => {
    const timer = { at: delayMs, callback, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  /** Timers set and not cancelled or fired. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
  /** Fires every pending timer; returns their delays. */
  fireAll(): number[] {
    const due = this.timers.splice(0).filter((t) => !t.cancelled);
    for (const t of due) t.callback();
    return due.map((t) => t.at);
  }
}

export const definition = (overrides: Partial<JobDefinitionSpec> = {}): JobDefinitionSpec => ({
  name: 'work',
  vcpus: 0.25,
  memory: 512,
  command: ['node', 'main.js'],
  environment: { STAGE: 'local' },
  ...overrides,
});

export interface Harness {
  readonly batch: LocalBatch;
  readonly containers: FakeContainers;
  readonly timers: ManualTimers;
  readonly changes: JobChange[];
  /** Advances the manual clock by `ms`. */
  tick(ms: number): void;
}

/** A LocalBatch on fake containers, a manual clock (starting at 1,000,000) and manual timers. */
export function harness(options: Partial<LocalBatchOptions> = {}): Harness {
  const containers = new FakeContainers();
  const timers = new ManualTimers();
  let clock = 1_000_000;
  const batch = new LocalBatch({
    jobQueues: [{ name: 'jobs', maxvCpus: 1 }],
    jobDefinitions: [definition()],
    runContainer: containers.runContainer,
    now: () => clock,
    setTimer: timers.setTimer,
    minimumAttemptDurationSeconds: 1,
    ...options,
  });
  const changes: JobChange[] = [];
  batch.on('change', (change) => changes.push(change));
  return {
    batch,
    containers,
    timers,
    changes,
    tick: (ms) => {
      clock += ms;
    },
  };
}

/** Lets the scheduler run: it moves jobs on setImmediate, containers end on microtasks. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The statuses a job went through, in order. */
export function history(changes: readonly JobChange[], jobId: string): string[] {
  return changes.filter((c) => c.jobId === jobId).map((c) => c.status);
}
