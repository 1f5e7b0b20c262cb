// `hf deploy --env <env> [workload…]`: loads the config and system, builds the toolkit and clients, deploys.

import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { interruptOnSigint } from '../aws/interrupt-on-sigint.js';
import type { RunTaskClients } from '../aws/run-task-on-aws.js';
import { terminalOutput } from '../aws/terminal-output.js';
import { CliError } from '../cli-error.js';
import { CdkCliToolkit } from '../deploy/cdk-cli-toolkit.js';
import type { CdkToolkit } from '../deploy/cdk-toolkit.js';
import { deployEnvironment } from '../deploy/deploy-environment.js';
import { DeployError, deployErrorExitCode } from '../deploy/deploy-error.js';
import type { DeployOutput } from '../deploy/deploy-output.js';
import { loadDeployEnvironment } from '../deploy/load-deploy-environment.js';
import { loadSystem } from '../load-system.js';

export interface DeployCommandOptions {
  readonly root: string;
  /** `--env`: one of infra/config's environments. */
  readonly environment: string;
  /** Workload or workflow names to deploy (with what they depend on). @default [] - every stack */
  readonly workloads?: readonly string[];
  /** Stacks the CDK CLI deploys at once, dependencies permitting. @default 1 */
  readonly concurrency?: number;
  /** For tests. @default - the aws-cdk CLI of the project (CdkCliToolkit) */
  readonly toolkit?: CdkToolkit;
  /** For tests. @default - ECS, CloudWatch Logs and CloudFormation clients in the environment's region */
  readonly clients?: RunTaskClients;
  /** For tests. @default - stdout, and stderr prefixed `hf: ` for progress */
  readonly output?: DeployOutput;
  /** For tests. @default - aborted by the first Ctrl-C (a running migration task is stopped) */
  readonly signal?: AbortSignal;
  /** For tests: milliseconds between polls of a migration task. @default 2000 */
  readonly migrationPollIntervalMs?: number;
}

/** Deploys and resolves with 0; every failure is a CliError whose message says what to do. */
export async function deployCommand(options: DeployCommandOptions): Promise<number> {
  const { root, environment } = options;
  const sigint = options.signal ? undefined : interruptOnSigint('stopping the migration task and the deploy');
  try {
    const config = await loadDeployEnvironment(root, environment);
    const system = await loadSystem(root);
    const region = process.env.AWS_REGION || config.region;
    const signal = options.signal ?? sigint?.signal;
    await deployEnvironment({
      system,
      environment,
      workloads: options.workloads ?? [],
      toolkit:
        options.toolkit ??
        new CdkCliToolkit({ root, ...(options.concurrency ? { concurrency: options.concurrency } : {}) }),
      clients: options.clients ?? {
        ecs: new ECSClient({ region }),
        logs: new CloudWatchLogsClient({ region }),
        cloudformation: new CloudFormationClient({ region }),
      },
      output: options.output ?? terminalOutput(),
      ...(options.migrationPollIntervalMs !== undefined
        ? { migrationPollIntervalMs: options.migrationPollIntervalMs }
        : {}),
      ...(signal ? { signal } : {}),
    });
    return 0;
  } catch (error) {
    throw toCliError(error);
  } finally {
    sigint?.dispose();
  }
}

/** A DeployError as the message and exit code `hf` prints; anything else unchanged. */
export function toCliError(error: unknown): unknown {
  if (error instanceof DeployError) return new CliError(error.message, deployErrorExitCode(error));
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    return new CliError(
      'no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in with `aws sso login`',
    );
  }
  return error;
}
