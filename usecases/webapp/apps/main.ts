// Entry of the webapp service: checks its environment, serves the pages on PORT, drains on SIGTERM.

import { ConfigError, createLogger, describeError, serveHttp } from '@hello-fargate/runtime';
import { createWebApp } from './create-web-app.js';

const logger = createLogger();
try {
  await serveHttp(createWebApp({ logger }));
} catch (error) {
  // A missing variable is a message for people; anything else keeps its stack.
  const message = `webapp cannot start: ${describeError(error)}`;
  process.stderr.write(`error: ${message}\n`);
  logger.error(error instanceof ConfigError ? {} : { err: error }, message);
  process.exit(1);
}
