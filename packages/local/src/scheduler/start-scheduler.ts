// Fires EventBridge Scheduler-style schedules locally: each at its next fire time, on an injectable clock.

import { nextFireTime, type ParsedSchedule } from '@hello-fargate/workload';
import { type Clock, systemClock } from './clock.js';

export interface ScheduleEntry {
  /** Unique among the entries; used in error reports. */
  readonly name: string;
  readonly schedule: ParsedSchedule;
  /** Starts the target; `scheduledTime` is when it was due (`<aws.scheduler.scheduled-time>`). */
  fire(scheduledTime: Date): Promise<void> | void;
}

export interface SchedulerOptions {
  /** @default systemClock */
  readonly clock?: Clock;
  /** When rate schedules count from (their creation). @default - the clock's time at start */
  readonly anchor?: Date;
  /** Told about a fire that threw or rejected; the schedule keeps going. @default - a line on stderr */
  readonly onError?: (name: string, error: unknown) => void;
}

export interface Scheduler {
  /** Each schedule's next fire time; `undefined` when it will not fire again (a past `at()`) or was stopped. */
  nextFireTimes(): { name: string; next: Date | undefined }[];
  /** Resolves when every fire started so far has settled. */
  idle(): Promise<void>;
  /** Cancels every pending fire; runs already started go on. */
  stop(): void;
}

/**
 * Starts firing `entries`. Like EventBridge Scheduler, a schedule fires at its next time after the start (missed runs
 * are not made up) and fires even while its previous run is still going. A rate schedule first fires one period after
 * `anchor`; EventBridge starts one without a StartDate right away, but a local runner restarted often should not.
 */
export function startScheduler(entries: readonly ScheduleEntry[], options: SchedulerOptions = {}): Scheduler {
  const clock = options.clock ?? systemClock;
  const anchor = options.anchor ?? clock.now();
  const onError =
    options.onError ??
    ((name: string, error: unknown) =>
      process.stderr.write(
        `schedule ${name} | fire failed: ${error instanceof Error ? error.message : String(error)}\n`,
      ));
  const seen = new Set<string>();
  for (const { name } of entries) {
    if (seen.has(name)) throw new Error(`schedule "${name}" is given twice; schedule names must be unique`);
    seen.add(name);
  }
  const running = new Set<Promise<void>>();
  const slots = entries.map((entry) => ({ entry, next: undefined as Date | undefined, cancel: () => {} }));
  let stopped = false;

  const arm = (slot: (typeof slots)[number], after: Date) => {
    slot.next = nextFireTime(slot.entry.schedule, after, anchor);
    if (!slot.next || stopped) return;
    const scheduledTime = slot.next;
    slot.cancel = clock.setTimer(scheduledTime, () => {
      // After a long pause (a sleeping laptop) the next time is counted from now: missed runs are not made up.
      const now = clock.now();
      arm(slot, now > scheduledTime ? now : scheduledTime);
      const run = (async () => slot.entry.fire(scheduledTime))().catch((error: unknown) => {
        try {
          onError(slot.entry.name, error);
        } catch {
          // A failing error reporter must not stop the scheduler either.
        }
      });
      running.add(run);
      void run.finally(() => running.delete(run));
    });
  };
  const start = clock.now();
  for (const slot of slots) arm(slot, start);

  return {
    nextFireTimes: () => slots.map(({ entry, next }) => ({ name: entry.name, next: stopped ? undefined : next })),
    idle: async () => {
      while (running.size > 0) await Promise.all(running);
    },
    stop: () => {
      stopped = true;
      for (const slot of slots) slot.cancel();
    },
  };
}
