// How long an app may drain after SIGTERM: the workload's stop timeout less a margin to exit before ECS's SIGKILL.

import { intEnv } from './env.js';

/** Seconds kept between the end of draining and ECS's SIGKILL, for deletes, releases and flushing logs. */
export const EXIT_MARGIN_SECONDS = 5;

/** STOP_TIMEOUT_SECONDS (set by the platform from the declaration) less the margin, at least 1; 25 when unset. */
export function drainGraceSeconds(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const stopTimeout = intEnv('STOP_TIMEOUT_SECONDS', 0, [1, 120], env);
  return stopTimeout === 0 ? 30 - EXIT_MARGIN_SECONDS : Math.max(1, stopTimeout - EXIT_MARGIN_SECONDS);
}
