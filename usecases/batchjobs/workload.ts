// The batch jobs use case: rescore-orders, an AWS Batch array job whose children each score one shard of the orders.

import { defineJobQueue, defineWorkload } from '@hello-fargate/workload';
import { TEMPORARY_FAILURE_EXIT_CODE } from './apps/exit-codes.js';

/**
 * The system's Batch job queue: Fargate Spot first, then on-demand Fargate for what does not fit. 16 vCPUs = 64
 * children of 0.25 vCPU at once; more wait RUNNABLE in the queue.
 */
export const batchJobQueue = defineJobQueue({ name: 'batch', maxvCpus: 16 });

export const rescoreOrders = defineWorkload({
  name: 'rescore-orders',
  kind: 'batchjob',
  description: 'Recomputes every order’s score, one shard per array child, each order exactly once per job',
  directory: new URL('.', import.meta.url),
  entry: 'apps/rescore-orders.ts',
  command: ['rescore'],
  cpu: 256,
  memory: 512,
  dependsOn: { database: true },
  batch: {
    jobQueue: batchJobQueue.name,
    attempts: 3,
    // The first rule whose conditions all match decides; an attempt no rule matches is retried.
    evaluateOnExit: [
      // Temporary failure (database unreachable, connection lost, serialization failure): try again.
      { action: 'RETRY', onExitCode: String(TEMPORARY_FAILURE_EXIT_CODE) },
      // Fargate Spot took the capacity back: the attempt was stopped, not wrong.
      { action: 'RETRY', onStatusReason: 'Your Spot Task was interrupted*' },
      // Bad data or a bad environment: another attempt would fail the same way.
      { action: 'EXIT', onExitCode: '1' },
      // Any other exit code is a bug (or the attempt timeout's SIGTERM): fail the child for a person to look at.
      { action: 'EXIT', onExitCode: '*' },
    ],
    // A shard of a few thousand orders takes seconds; 15 minutes means something is stuck.
    attemptDurationSeconds: 900,
  },
  stopTimeoutSeconds: 30,
});
