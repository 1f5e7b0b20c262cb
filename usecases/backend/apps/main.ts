// Entry of the backend service: connects to DATABASE_URL, serves the orders API on PORT, drains on SIGTERM.

import {
  ConfigError,
  connectDatabase,
  createLogger,
  describeError,
  serveHttp,
  TaskFailure,
} from '@hello-fargate/runtime';
import { createBackendApp } from './create-backend-app.js';

const logger = createLogger();
try {
  const pool = await connectDatabase();
  const app = createBackendApp({ pool, logger });
  // Runs after in-flight requests have finished (serveHttp drains first), so no query loses its connection.
  app.addHook('onClose', async () => {
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
