// Public API of @hello-fargate/runtime: what apps use inside their containers.

export { ConfigError } from './config-error.js';
export { connectDatabase, createPool, type DatabaseOptions, databaseUrlFromEnv, redactUrl } from './database.js';
export { intEnv, optionalEnv, requireEnv } from './env.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  type AppliedMigration,
  MIGRATION_LOCK_KEY,
  type MigrateOptions,
  type MigrateResult,
  type MigrationFile,
  type MigrationStatus,
  migrate,
  migrationStatus,
} from './migrate.js';
export {
  describeError,
  runTask,
  runTaskMain,
  type TaskCommand,
  type TaskContext,
  TaskFailure,
  type TaskMainOptions,
} from './task-main.js';
export { createHttpApp, type HealthOptions, type HttpAppOptions } from './http/create-http-app.js';
export {
  createServiceClient,
  type ServiceCallOptions,
  type ServiceClient,
  type ServiceClientOptions,
} from './http/create-service-client.js';
export { type ErrorBody, type ErrorDetail, HttpError } from './http/http-error.js';
export { isValidRequestId, REQUEST_ID_HEADER, requestIdFrom } from './http/request-id.js';
export { type HttpServer, serveHttp, type ServeHttpOptions } from './http/serve-http.js';
export { ServiceError, type ServiceErrorCode, type ServiceErrorProps } from './http/service-error.js';
export { drainGraceSeconds, EXIT_MARGIN_SECONDS } from './drain-grace-seconds.js';
export { readWorkflowStep, type WorkflowStep } from './workflow-step.js';
export { type BatchArrayChild, MAX_BATCH_ARRAY_SIZE, MAX_BATCH_ATTEMPTS, readBatchArray } from './batch-array.js';
