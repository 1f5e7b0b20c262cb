// What the console reads from and acts on: the runner's status and engines, handed over by the runner at start.

import type { LocalBatch } from '../batch/index.js';
import type { LoadBalancer } from '../load-balancer/index.js';
import type { RunnerStatus, TaskSummary } from '../local-runner.js';
import type { QueueStats } from '../sqs/index.js';
import type { ExecutionRecord, LocalWorkflows } from '../workflows/index.js';

/** The local SQS endpoint as the console sees it. */
export interface ConsoleQueues {
  /** The endpoint's URL (for redrive through the SQS API). */
  readonly url: string;
  /** Each declared queue and its DLQ. */
  readonly queues: readonly { readonly name: string; readonly dlqName: string }[];
  /** In-process message counts of one queue. */
  stats(name: string): QueueStats;
}

export interface ConsoleSources {
  status(): RunnerStatus;
  /** One-shot tasks running now (RunTask, workflow steps, Batch containers); service replicas are in status(). */
  runningTasks(): TaskSummary[];
  /** The local Step Functions executor, when the system declares workflows. */
  readonly workflows: LocalWorkflows | undefined;
  /** The local AWS Batch, when the system declares job queues. */
  readonly batch: LocalBatch | undefined;
  /** The local SQS endpoint, when the system declares queues. */
  queues(): ConsoleQueues | undefined;
  /** The load balancer listener of each external workload, by workload name. */
  listeners(): ReadonlyMap<string, LoadBalancer>;
  startWorkflow(name: string, input: unknown, startedBy?: string): ExecutionRecord;
  /** `<stateDir>/logs`, holding `<workload>/<task id>.log`. */
  readonly logsDir: string;
}
