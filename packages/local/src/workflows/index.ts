// The local Step Functions executor's public API.

export type {
  Execution,
  ExecutionRecord,
  ExecutionStatus,
  HistoryEvent,
  HistoryEventType,
} from './execution-record.js';
export {
  LocalWorkflows,
  type LocalWorkflowsOptions,
  type ResourceContext,
  type ResourceHandler,
  type WorkflowDefinition,
} from './local-workflows.js';
export { WorkflowError, type WorkflowErrorCode } from './workflow-error.js';
