// The clock the local scheduler reads and sets timers on: the system's, or a manual one in tests.

export interface Clock {
  now(): Date;
  /** Calls `fire` once at `at` (soon, if `at` has passed); returns a function that cancels it. */
  setTimer(at: Date, fire: () => void): () => void;
}

/** setTimeout's longest delay (about 24.8 days); longer waits are chained. */
const MAX_DELAY_MS = 2_147_483_647;

/** Real time. Timers are unref'd: a pending schedule never keeps the process alive on its own. */
export const systemClock: Clock = {
  now: () => new Date(),
  setTimer(at, fire) {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const delay = at.getTime() - Date.now();
      timer = setTimeout(delay > MAX_DELAY_MS ? arm : fire, Math.min(Math.max(delay, 0), MAX_DELAY_MS));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};
