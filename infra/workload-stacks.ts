// Which stack class deploys each workload: by workload name, else by kind; each lives in usecases/<name>/infra/.

import type { WorkloadKind } from '@hello-fargate/workload';
import { BackendStack } from '../usecases/backend/infra/backend-stack.js';
import { QueueWorkerStack } from '../usecases/backgroundjobs/infra/queue-worker-stack.js';
import { BatchJobStack } from '../usecases/batchjobs/infra/batch-job-stack.js';
import { OneOffStack } from '../usecases/oneoff/infra/oneoff-stack.js';
import { ScheduledJobStack } from '../usecases/scheduledjobs/infra/scheduled-job-stack.js';
import { WebApiStack } from '../usecases/webapi/infra/webapi-stack.js';
import { WebAppStack } from '../usecases/webapp/infra/webapp-stack.js';
import type { WorkloadStackFactory } from './workload-stack-props.js';

/** Register a new workload's stack here when it joins system.ts and needs its own stack class. */
export const WORKLOAD_STACKS: Readonly<Record<string, WorkloadStackFactory>> = {
  oneoff: (scope, id, props) => new OneOffStack(scope, id, props),
  backend: (scope, id, props) => new BackendStack(scope, id, props),
  webapi: (scope, id, props) => new WebApiStack(scope, id, props),
  webapp: (scope, id, props) => new WebAppStack(scope, id, props),
};

/**
 * The stack of a workload with no entry of its own in WORKLOAD_STACKS, by kind: the backend, webapi, webapp and
 * queue worker stacks are generic (everything comes from the declaration), so a second backend needs no new class.
 */
export const KIND_STACKS: Readonly<Partial<Record<WorkloadKind, WorkloadStackFactory>>> = {
  backend: (scope, id, props) => new BackendStack(scope, id, props),
  webapi: (scope, id, props) => new WebApiStack(scope, id, props),
  webapp: (scope, id, props) => new WebAppStack(scope, id, props),
  backgroundjob: (scope, id, props) => new QueueWorkerStack(scope, id, props),
  // Only scheduledjobs with a trigger get a stack (see hasOwnStack); workflow steps live in their workflow's stack.
  scheduledjob: (scope, id, props) => new ScheduledJobStack(scope, id, props),
  // The app passes `batchCompute` (BatchJobStackProps) when the system declares job queues.
  batchjob: (scope, id, props) => new BatchJobStack(scope, id, props),
};
