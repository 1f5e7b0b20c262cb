// Entry of background-job: consumes background-jobs and performs each job once (invoices, notifications).

import { ConfigError, connectDatabase, createLogger, describeError, TaskFailure } from '@hello-fargate/runtime';
import { startQueueWorker } from '@hello-fargate/runtime/worker';
import { backgroundJobsQueue } from '../workload.js';
import { createJobPerformer } from './perform-job.js';
import { workerTiming } from './worker-timing.js';

const logger = createLogger();
try {
  const pool = await connectDatabase();
  startQueueWorker({
    queue: backgroundJobsQueue.name,
    logger,
    ...workerTiming(),
    handler: createJobPerformer(pool),
    // The worker has drained (handlers done or released) before it calls exit, so no job loses its connection.
    exit: (code) => {
      void pool.end().finally(() => process.exit(code));
    },
  });
} catch (error) {
  const expected = error instanceof ConfigError || error instanceof TaskFailure;
  const message = `background-job cannot start: ${describeError(error)}`;
  process.stderr.write(`error: ${message}\n`);
  logger.error(expected ? {} : { err: error }, message);
  process.exit(1);
}
