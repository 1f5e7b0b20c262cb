// The system: which workloads it is made of and how they are wired. Read by the CDK app and the local runner.

import { defineSystem } from '@hello-fargate/workload';
import { backgroundJob, backgroundJobsQueue, mainJob, orderEventsQueue } from './usecases/backgroundjobs/workload.js';
import { backend } from './usecases/backend/workload.js';
import { batchJobQueue, rescoreOrders } from './usecases/batchjobs/workload.js';
import { oneoff } from './usecases/oneoff/workload.js';
import { dailySalesReport, orderStats, reportEventsQueue, salesReport } from './usecases/scheduledjobs/workload.js';
import { webapi } from './usecases/webapi/workload.js';
import { webapp } from './usecases/webapp/workload.js';

export const system = defineSystem({
  name: 'hello-fargate',
  workloads: [oneoff, backend, webapi, webapp, mainJob, backgroundJob, salesReport, orderStats, rescoreOrders],
  // Order events flow backend (outbox) → order-events → main-job → background-jobs → background-job.
  // report-events gets the daily sales report's "published" and "failed" messages.
  queues: [orderEventsQueue, backgroundJobsQueue, reportEventsQueue],
  // Partner systems get these scopes as machine clients (Cognito resource server `orders`).
  resourceServers: [{ identifier: 'orders', scopes: ['read', 'write'] }],
  // The nightly daily-sales-report: EventBridge Scheduler → Step Functions → one ECS task per step.
  workflows: [dailySalesReport],
  // AWS Batch on Fargate (Spot first) for rescore-orders' array jobs.
  jobQueues: [batchJobQueue],
});
