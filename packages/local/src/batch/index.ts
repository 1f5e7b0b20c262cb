// The local AWS Batch's public API: the engine, its REST endpoint, and the types both speak.

export { LocalBatch, type LocalBatchOptions } from './local-batch.js';
export {
  ARRAY_CHILD_FAILED_REASON,
  CONTAINER_EXITED_REASON,
  DEPENDENCY_FAILED_REASON,
  START_FAILED_REASON,
  TIMEOUT_REASON,
} from './local-batch.js';
export { INTERRUPTED_REASON } from './batch-state-file.js';
export { BatchClientError } from './batch-client-error.js';
export { startBatchEndpoint, type BatchEndpoint, type BatchEndpointOptions } from './batch-endpoint.js';
export { orderJobGraph } from './job-graph.js';
export * from './batch-types.js';
