// Public API of @hello-fargate/runtime/worker: consuming jobs from an SQS queue, and publishing them.

export { publishJob, type PublishedJob, type PublishJobOptions } from './publish-job.js';
export { CORRELATION_ID_ATTRIBUTE, JOB_ID_ATTRIBUTE, type QueueJob } from './queue-job.js';
export {
  type QueueWorker,
  type QueueWorkerOptions,
  type QueueWorkerStats,
  startQueueWorker,
} from './start-queue-worker.js';
export { WorkerOptionError } from './worker-option-error.js';
