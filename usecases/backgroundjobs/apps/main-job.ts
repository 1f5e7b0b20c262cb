// Entry of main-job: consumes order-events and enqueues each event's follow-up jobs on background-jobs.

import { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError, createLogger, describeError, requireEnv } from '@hello-fargate/runtime';
import { startQueueWorker } from '@hello-fargate/runtime/worker';
import { queueUrlVariable } from '@hello-fargate/workload';
import { backgroundJobsQueue, orderEventsQueue } from '../workload.js';
import { createOrderEventHandler } from './handle-order-event.js';
import { workerTiming } from './worker-timing.js';

const logger = createLogger();
try {
  const sqs = new SQSClient({});
  const queueUrl = requireEnv(queueUrlVariable(backgroundJobsQueue.name));
  startQueueWorker({
    queue: orderEventsQueue.name,
    sqs,
    logger,
    ...workerTiming(),
    handler: createOrderEventHandler({ sqs, queueUrl }),
    exit: (code) => {
      sqs.destroy();
      process.exit(code);
    },
  });
} catch (error) {
  const message = `main-job cannot start: ${describeError(error)}`;
  process.stderr.write(`error: ${message}\n`);
  logger.error(error instanceof ConfigError ? {} : { err: error }, message);
  process.exit(1);
}
