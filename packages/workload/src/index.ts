// Public API of @hello-fargate/workload: declaring workloads and systems.

export { DeclarationError } from './declaration-error.js';
export {
  defineSystem,
  type QueueDeclaration,
  type ResourceServerDeclaration,
  type System,
  type SystemProps,
} from './define-system.js';
export {
  defineWorkload,
  entryPath,
  type HealthCheckOptions,
  type LoadBalancerOptions,
  type ServiceConnectOptions,
  RESERVED_ENVIRONMENT,
  type Workload,
  type WorkloadDependencies,
  type WorkloadProps,
} from './define-workload.js';
export {
  BATCH_JOB_STACK_OUTPUTS,
  stackName,
  TASK_STACK_OUTPUTS,
  WORKFLOW_STACK_OUTPUTS,
  workflowStackPart,
} from './deployment-names.js';
export { describeMemoryFor, FARGATE_CPU_VALUES, FARGATE_MEMORY_BY_CPU } from './fargate-sizes.js';
export { HTTP_KINDS, isServiceKind, SERVICE_KINDS, WORKLOAD_KINDS, type WorkloadKind } from './workload-kind.js';
export { serviceUrlVariable } from './service-url-variable.js';
export { defineQueue, type Queue, type QueueProps, queueUrlVariable } from './define-queue.js';
export { type BatchJobOptions, type EvaluateOnExitRule, type ResolvedBatchJobOptions } from './batch-job-options.js';
export { defineJobQueue, type JobQueue, type JobQueueProps } from './define-job-queue.js';
export {
  defineWorkflow,
  MAX_INPUT_CHARACTERS,
  type Workflow,
  type WorkflowProps,
  type WorkflowRetryOptions,
  type WorkflowSchedule,
  type WorkflowScheduleOptions,
  type WorkflowStep,
  type WorkflowStepProps,
} from './define-workflow.js';
export {
  executionTimeoutSeconds,
  RETRIED_STEP_ERRORS,
  RUN_TASK_SYNC,
  SQS_SEND_MESSAGE,
  type StateMachineDefinition,
  stepResultKey,
  TASK_EXITED_NON_ZERO,
  workflowDefinition,
  type WorkflowTargets,
} from './workflow-definition.js';
export {
  type ResolvedScheduleTrigger,
  type ResolvedServiceTrigger,
  type ResolvedWorkloadTrigger,
  type ScheduleTrigger,
  type ServiceTrigger,
  type WorkloadTrigger,
} from './workload-trigger.js';
export {
  nextFireTime,
  type ParsedSchedule,
  parseScheduleExpression,
  ScheduleExpressionError,
} from './schedule-expression.js';
