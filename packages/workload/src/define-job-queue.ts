// defineJobQueue: an AWS Batch job queue and its Fargate compute environments, declared once for CDK and the runner.

import { DeclarationError } from './declaration-error.js';

export interface JobQueueProps {
  /** Unique among the system's job queues: lower-case letters, digits and `-`, at most 32 characters. */
  readonly name: string;
  /**
   * Most vCPUs the queue's jobs may use at once (the compute environments' `maxvCpus`); locally it bounds how many
   * job containers run at the same time (maxvCpus ÷ the job's vCPUs). @default 16
   */
  readonly maxvCpus?: number;
  /**
   * `spot-first`: the job queue orders a FARGATE_SPOT compute environment before a FARGATE one (Spot is about 70 %
   * cheaper; a Spot reclaim stops the attempt, which retryStrategy retries). Batch places jobs in the first
   * environment with room under its maxvCpus; jobs that do not fit go to the next one. A shortage of Spot capacity
   * leaves jobs RUNNABLE rather than moving them. `on-demand`: FARGATE only.
   * @default 'spot-first'
   */
  readonly capacity?: 'spot-first' | 'on-demand';
  /** Job queue priority (higher runs first when queues share compute environments), 0–1000. @default 1 */
  readonly priority?: number;
}

/** A job queue with its defaults resolved. */
export interface JobQueue {
  readonly name: string;
  readonly maxvCpus: number;
  readonly capacity: 'spot-first' | 'on-demand';
  readonly priority: number;
}

/** Declares a job queue. Throws a DeclarationError naming the queue and field when anything is invalid. */
export function defineJobQueue(props: JobQueueProps): JobQueue {
  const label = typeof props?.name === 'string' && props.name !== '' ? props.name : '(unnamed)';
  const fail = (field: string, problem: string): never => {
    throw new DeclarationError(label, field, problem, 'job queue');
  };
  if (typeof props.name !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(props.name)) {
    fail('name', 'must be lower-case letters, digits and "-", start with a letter, at most 32 characters');
  }
  const maxvCpus = props.maxvCpus ?? 16;
  if (!Number.isInteger(maxvCpus) || maxvCpus < 1 || maxvCpus > 4096) {
    fail('maxvCpus', `${maxvCpus} must be a whole number of vCPUs from 1 to 4096`);
  }
  const capacity = props.capacity ?? 'spot-first';
  if (capacity !== 'spot-first' && capacity !== 'on-demand') {
    fail('capacity', `"${String(capacity)}" is not one of spot-first, on-demand`);
  }
  const priority = props.priority ?? 1;
  if (!Number.isInteger(priority) || priority < 0 || priority > 1000) {
    fail('priority', `${priority} must be an integer from 0 to 1000`);
  }
  return Object.freeze({ name: props.name, maxvCpus, capacity, priority });
}
