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
export { stackName, TASK_STACK_OUTPUTS } from './deployment-names.js';
export { describeMemoryFor, FARGATE_CPU_VALUES, FARGATE_MEMORY_BY_CPU } from './fargate-sizes.js';
export { HTTP_KINDS, isServiceKind, SERVICE_KINDS, WORKLOAD_KINDS, type WorkloadKind } from './workload-kind.js';
export { serviceUrlVariable } from './service-url-variable.js';
export { defineQueue, type Queue, type QueueProps, queueUrlVariable } from './define-queue.js';
