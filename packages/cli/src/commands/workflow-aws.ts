// `hf workflow run-now|history <name> --env <env>`: builds the AWS clients for the environment and acts there.

import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AwsCommandError, toCliError } from '../aws/aws-command-error.js';
import { interruptOnSigint } from '../aws/interrupt-on-sigint.js';
import { loadEnvironmentRegion } from '../aws/load-environment-region.js';
import { terminalOutput } from '../aws/terminal-output.js';
import {
  runWorkflowNowOnAws,
  type WorkflowOnAwsClients,
  type WorkflowOnAwsOutput,
  workflowHistoryOnAws,
} from '../aws/workflow-on-aws.js';
import { CliError } from '../cli-error.js';
import { loadSystem } from '../load-system.js';

export interface WorkflowOnAwsCommandOptions {
  readonly root: string;
  /** The deployed environment (`--env`), one of infra/config's. */
  readonly environment: string;
  /** `run-now` or `history`. */
  readonly action: string;
  /** The workflow's name, alone. */
  readonly args: readonly string[];
  /** run-now: execution input as JSON. @default '{}' */
  readonly input?: string;
  /** run-now: return once started instead of following the execution. @default false */
  readonly noWait?: boolean;
  /** history: the execution to show (name or ARN). @default - the newest */
  readonly execution?: string;
  /** history: executions listed. @default 10 */
  readonly limit?: number;
  /** Show every history event. @default false */
  readonly verbose?: boolean;
  /** For tests. @default - SFN and CloudFormation clients for the environment's region */
  readonly clients?: WorkflowOnAwsClients;
  /** For tests. @default - aborted by the first Ctrl-C (a second one exits at once) */
  readonly signal?: AbortSignal;
  /** For tests. @default - stdout, and stderr prefixed `hf: ` for progress */
  readonly output?: WorkflowOnAwsOutput;
}

/** Runs the action against the environment and resolves with the exit code; failures are CliErrors. */
export async function workflowOnAwsCommand(options: WorkflowOnAwsCommandOptions): Promise<number> {
  const { root, environment, action, args } = options;
  if (action !== 'run-now' && action !== 'history') {
    throw new CliError(`hf workflow ${action} has no --env form; use run-now or history with --env`, 2);
  }
  const [name, ...extra] = args;
  if (!name || extra.length > 0) {
    throw new CliError(`hf workflow ${action} --env ${environment} needs one workflow name`, 2);
  }
  const region = await loadEnvironmentRegion(root, environment);
  const system = await loadSystem(root);
  try {
    system.workflow(name);
  } catch (error) {
    throw new CliError(`${(error as Error).message} (see system.ts)`, 2);
  }
  const clients = options.clients ?? {
    sfn: new SFNClient({ region }),
    cloudformation: new CloudFormationClient({ region }),
  };
  const output = options.output ?? terminalOutput();
  const common = {
    system: system.name,
    environment,
    workflow: name,
    clients,
    output,
    verbose: options.verbose ?? false,
  };

  const following = action === 'run-now' && !options.noWait && options.signal === undefined;
  const sigint = following ? interruptOnSigint('no longer following; the execution keeps running in AWS') : undefined;
  try {
    if (action === 'history') {
      await workflowHistoryOnAws({
        ...common,
        ...(options.execution !== undefined ? { execution: options.execution } : {}),
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
      });
      return 0;
    }
    const result = await runWorkflowNowOnAws({
      ...common,
      ...(options.input !== undefined ? { input: options.input } : {}),
      noWait: options.noWait ?? false,
      signal: options.signal ?? sigint?.signal,
    });
    return result.exitCode;
  } catch (error) {
    if (error instanceof AwsCommandError) throw toCliError(error);
    throw error;
  } finally {
    sigint?.dispose();
  }
}
