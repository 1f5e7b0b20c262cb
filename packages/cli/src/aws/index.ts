// Public API of the AWS side of the CLI: what the `hf` commands call to act on a deployed environment.

export type { TaskStackOutputs } from './read-stack-outputs.js';
export { RunTaskError, type RunTaskErrorCode } from './run-task-error.js';
export {
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_TIMEOUT_MS,
  type RunTaskClients,
  type RunTaskOnAwsOptions,
  type RunTaskOnAwsResult,
  type RunTaskOutput,
  runTaskOnAws,
} from './run-task-on-aws.js';
export { INTERRUPTED_EXIT_CODE } from './task-exit-code.js';
export { INTERRUPTED_REASON } from './wait-for-task-stop.js';
