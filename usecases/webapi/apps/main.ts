// Entry of the webapi service: verifies access tokens, calls the backend, serves the partner API on PORT.

import {
  ConfigError,
  createLogger,
  createServiceClient,
  describeError,
  intEnv,
  optionalEnv,
  serveHttp,
} from '@hello-fargate/runtime';
import { createAccessTokenVerifier } from '@hello-fargate/runtime/auth';
import { createWebApiApp } from './create-web-api-app.js';

const logger = createLogger();
try {
  // AUTH_CLIENT_IDS (optional, comma-separated): only these app clients may call. Unset: any client of the user pool
  // whose token carries the route's scope (Cognito grants the orders scopes only to clients allowed them).
  const clientIds = optionalEnv('AUTH_CLIENT_IDS', '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const app = createWebApiApp({
    backend: createServiceClient('backend'),
    verifier: createAccessTokenVerifier({ clientIds: clientIds.length > 0 ? clientIds : null }),
    logger,
    rateLimitMax: intEnv('RATE_LIMIT_PER_SECOND', 100, [1, 100_000]),
  });
  await serveHttp(app);
} catch (error) {
  const expected = error instanceof ConfigError;
  const message = `webapi cannot start: ${describeError(error)}`;
  process.stderr.write(`error: ${message}\n`);
  logger.error(expected ? {} : { err: error }, message);
  process.exit(1);
}
