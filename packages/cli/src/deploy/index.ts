// Public API of `hf deploy|diff|destroy`: the orchestration, the CDK toolkit seam and its CLI implementation.

export { CdkCliToolkit, type CdkCliToolkitOptions, type CdkCommandRunner, spawnCdk } from './cdk-cli-toolkit.js';
export type { CdkToolkit, SynthesizedStack, ToolkitActionOptions, ToolkitDiff, ToolkitEvent } from './cdk-toolkit.js';
export { type Confirmation, terminalConfirmation } from './confirmation.js';
export {
  type DeployEnvironmentOptions,
  type DeployEnvironmentResult,
  type DeployPlan,
  deployEnvironment,
  type PhaseOutcome,
  planDeploy,
} from './deploy-environment.js';
export { DeployError, type DeployErrorCode, deployErrorExitCode } from './deploy-error.js';
export { type DeployOutput, formatElapsed, type StackOutcome } from './deploy-output.js';
export {
  type DestroyEnvironmentOptions,
  type DestroyEnvironmentResult,
  destroyEnvironment,
} from './destroy-environment.js';
export { type DiffEnvironmentOptions, diffEnvironment } from './diff-environment.js';
export { DATA_STACK_PARTS, type EnvironmentStacks, environmentStacks } from './environment-stacks.js';
export { type DeployEnvironmentConfig, loadDeployEnvironment } from './load-deploy-environment.js';
export { parseCdkLine } from './parse-cdk-line.js';
export { type MigrationOutcome, type PreDeployRun, preDeployRuns, runMigrations } from './run-migrations.js';
