// Public API of @hello-fargate/local: the local runner and its parts.

export { type Bundle, type BundleOptions, bundledEntry, bundleWorkload } from './bundle-workload.js';
export { formatLine } from './format-line.js';
export { HealthChecker, type HealthCheckerOptions } from './health-checker.js';
export { type LocalDatabase, type LocalDatabaseOptions, startLocalDatabase } from './local-database.js';
export {
  describeExit,
  LocalRunner,
  type LocalRunnerOptions,
  RunnerStartError,
  type RunnerStatus,
  type RunTaskOptions,
  type ScheduledTaskSummary,
  type TaskSummary,
  type WorkflowSummary,
  type WorkloadStatus,
} from './local-runner.js';
export { readLocalSecrets, secretsFor } from './local-secrets.js';
export { containerMetadata, startMetadataServer, taskMetadata } from './metadata-server.js';
export { freePort } from './ports.js';
export {
  type RestartPolicy,
  ServiceController,
  type ServiceSnapshot,
  type ServiceState,
} from './service-controller.js';
export {
  newTaskId,
  type StopCode,
  TaskProcess,
  type TaskResult,
  type TaskSpec,
  type TaskStatus,
} from './task-process.js';
export * from './identity/index.js';
export { type ServiceConnectProxy, type ServiceTarget, startServiceConnectProxy } from './service-connect-proxy.js';
export * from './load-balancer/index.js';
export { LOCAL_REGION, startWebLayer, type WebLayer, type WebLayerOptions } from './web-layer.js';
export * from './sqs/index.js';
export * from './batch/index.js';
export * from './workflows/index.js';
export * from './scheduler/index.js';
export { batchJobDefinitions, batchJobQueues } from './batch-definitions.js';
export {
  describedTask,
  localStateMachine,
  localWorkflowTargets,
  runTaskSyncHandler,
  sqsSendMessageHandler,
} from './workflow-resources.js';
export * from './console/index.js';
