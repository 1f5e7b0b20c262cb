// Public API of @hello-fargate/constructs: the CDK constructs the system's stacks are built from.

export { BackendService, type BackendServiceProps } from './backend-service.js';
export { BatchCompute, type BatchComputeProps, type BatchQueue } from './batch-compute.js';
export { BATCH_JOB_STACK_OUTPUTS, BatchJob, type BatchJobProps } from './batch-job.js';
export { ConstructValidationError } from './construct-validation-error.js';
export { Database, type DatabaseAccess, type DatabaseProps, POSTGRES_PORT } from './database.js';
export { DATABASE_ENVIRONMENT, DATABASE_ENVIRONMENT_NAMES, databaseEnvironment } from './database-environment.js';
export { type InterfaceEndpointName, Network, type NetworkProps, SUBNET_GROUPS } from './network.js';
export { NON_ROOT_USER, OneOffTask, type OneOffTaskProps } from './one-off-task.js';
export { type ApplicationTag, Platform, type PlatformProps } from './platform.js';
export { DEFAULT_BACKLOG_STEPS, QueueWorker, type QueueWorkerProps } from './queue-worker.js';
export { Queues, type QueueSource, type QueuesProps } from './queues.js';
export { ScheduledTask, type ScheduledTaskProps } from './scheduled-task.js';
export {
  ScheduledWorkflow,
  type ScheduledWorkflowProps,
  SYNC_ECS_EVENTS_RULE,
  type WorkflowStepTask,
} from './scheduled-workflow.js';
export { WorkloadSecrets, type WorkloadSecretsProps } from './workload-secrets.js';
export { WebApi, type WebApiEntry, type WebApiProps } from './web-api.js';
export { IDP_RESPONSE_PATH, WebApp, type WebAppProps } from './web-app.js';
export type { WebServiceProps } from './web-service-props.js';
export {
  type ServiceConnectBackend,
  SPOT_WITH_ON_DEMAND_BASE,
  type WorkloadServiceProps,
} from './workload-service-props.js';
export type { WorkloadTaskProps } from './workload-task-props.js';
