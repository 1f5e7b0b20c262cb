// Entry of the backend service: connects to DATABASE_URL, serves the orders API on PORT, relays the outbox to
// ORDER_EVENTS_QUEUE_URL, drains on SIGTERM.

import { SQSClient } from '@aws-sdk/client-sqs';
import {
  ConfigError,
  connectDatabase,
  createLogger,
  describeError,
  optionalEnv,
  serveHttp,
  TaskFailure,
} from '@hello-fargate/runtime';
import { queueUrlVariable } from '@hello-fargate/workload';
import { createBackendApp } from './create-backend-app.js';
import { type OutboxRelay, startOutboxRelay } from './outbox-relay.js';

const logger = createLogger();
try {
  const pool = await connectDatabase();
  const app = createBackendApp({ pool, logger });
  const queueUrl = optionalEnv(queueUrlVariable('order-events'), '');
  let relay: OutboxRelay | undefined;
  let sqs: SQSClient | undefined;
  if (queueUrl) {
    sqs = new SQSClient({});
    relay = startOutboxRelay({ pool, sqs, queueUrl, logger: logger.child({ component: 'outbox-relay' }) });
  } else {
    // Events stay in the outbox, unsent and not lost, until a task with the queue relays them.
    logger.warn(
      `${queueUrlVariable('order-events')} is not set: order events are kept in the outbox and not published; ` +
        `declare dependsOn.queues: ['order-events'] and the queue in the system`,
    );
  }
  // Runs after in-flight requests have finished (serveHttp drains first), so no query loses its connection; the
  // relay finishes its current pass first, and what it has not sent stays in the outbox for the other tasks.
  app.addHook('onClose', async () => {
    await relay?.stop();
    sqs?.destroy();
    await pool.end();
  });
  await serveHttp(app);
} catch (error) {
  // A missing variable or an unreachable database is a message for people; anything else keeps its stack.
  const expected = error instanceof ConfigError || error instanceof TaskFailure;
  const message = `backend cannot start: ${describeError(error)}`;
  process.stderr.write(`error: ${message}\n`);
  logger.error(expected ? {} : { err: error }, message);
  process.exit(1);
}
