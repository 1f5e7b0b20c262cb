// The background jobs use case: two queues and two queue workers that turn order events into invoices and notifications.

import { defineQueue, defineWorkload } from '@hello-fargate/workload';

/**
 * The trigger queue: the backend's outbox relay publishes one message per order event. maxReceiveCount 3: a
 * main-job failure is retried twice (a passing SQS or database hiccup) and then the event is parked in
 * `order-events-dlq` for a person, instead of looping forever. Visibility 30 s: deciding and sending two follow-ups
 * takes milliseconds, and the worker's heartbeat extends it while a handler runs.
 */
export const orderEventsQueue = defineQueue({
  name: 'order-events',
  visibilityTimeoutSeconds: 30,
  maxReceiveCount: 3,
});

/**
 * The work queue: one message per follow-up job, with a deterministic `jobId`. maxReceiveCount 3 for the same
 * reason; a job whose body is malformed fails all three receives and waits in `background-jobs-dlq` (14 days).
 */
export const backgroundJobsQueue = defineQueue({
  name: 'background-jobs',
  visibilityTimeoutSeconds: 30,
  maxReceiveCount: 3,
});

export const mainJob = defineWorkload({
  name: 'main-job',
  kind: 'backgroundjob',
  description: 'Reads order events and enqueues their follow-up jobs (invoice, notification) with deterministic ids',
  directory: new URL('.', import.meta.url),
  entry: 'apps/main-job.ts',
  cpu: 256,
  memory: 512,
  desiredCount: 1,
  minCount: 0,
  maxCount: 4,
  dependsOn: { queues: [orderEventsQueue.name, backgroundJobsQueue.name] },
  stopTimeoutSeconds: 30,
});

export const backgroundJob = defineWorkload({
  name: 'background-job',
  kind: 'backgroundjob',
  description: 'Performs follow-up jobs once each (processed_jobs), writing invoices and notifications',
  directory: new URL('.', import.meta.url),
  entry: 'apps/background-job.ts',
  cpu: 256,
  memory: 512,
  desiredCount: 1,
  minCount: 0,
  maxCount: 4,
  dependsOn: { database: true, queues: [backgroundJobsQueue.name] },
  stopTimeoutSeconds: 30,
});
