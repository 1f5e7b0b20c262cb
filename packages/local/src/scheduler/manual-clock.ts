// A clock that moves only when told to, firing due timers in order: schedules are tested without waiting.

import { setImmediate } from 'node:timers/promises';
import type { Clock } from './clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

export class ManualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  setTimer(at: Date, fire: () => void): () => void {
    const timer: Timer = { at: at.getTime(), seq: this.seq++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** When the earliest pending timer is due, if any. */
  nextTimer(): Date | undefined {
    const first = this.earliest();
    return first && new Date(first.at);
  }

  /**
   * Moves time to `date`, firing each timer due by then at its own time, earliest first (ties in the order set).
   * After each fire, pending I/O and promise callbacks run before the next, so async work the fire started gets going.
   */
  async advanceTo(date: Date): Promise<void> {
    const target = date.getTime();
    for (;;) {
      const due = this.earliest();
      if (!due || due.at > target) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fire();
      await setImmediate();
    }
    this.current = Math.max(this.current, target);
    await setImmediate();
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(new Date(this.current + ms));
  }

  private earliest(): Timer | undefined {
    return this.timers.reduce<Timer | undefined>(
      (first, t) => (!first || t.at < first.at || (t.at === first.at && t.seq < first.seq) ? t : first),
      undefined,
    );
  }
}
