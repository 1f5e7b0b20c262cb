// Visibility timing of both workers, from the environment so a test (or an operator) can shorten it.

import { intEnv } from '@hello-fargate/runtime';

type Env = Readonly<Record<string, string | undefined>>;

export interface WorkerTiming {
  readonly visibilityTimeoutSeconds: number;
  readonly heartbeatIntervalSeconds: number;
}

/**
 * JOB_VISIBILITY_TIMEOUT_SECONDS (1–43200, @default 30, the queues' own value): how long a received message stays
 * hidden; after a task is killed its in-flight messages come back after this long. Heartbeats every third of it.
 */
export function workerTiming(env: Env = process.env): WorkerTiming {
  const visibilityTimeoutSeconds = intEnv('JOB_VISIBILITY_TIMEOUT_SECONDS', 30, [1, 43_200], env);
  return { visibilityTimeoutSeconds, heartbeatIntervalSeconds: visibilityTimeoutSeconds / 3 };
}
