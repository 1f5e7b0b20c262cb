// `hf run-task <workload> --env <env>`: builds the AWS clients for the environment and runs the task there.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RunTaskError, runTaskOnAws } from '../aws/index.js';
import { CliError } from '../cli-error.js';
import { loadSystem } from '../load-system.js';

export interface RunTaskOnAwsCommandOptions {
  readonly root: string;
  readonly environment: string;
  readonly workload: string;
  readonly args: readonly string[];
}

interface EnvironmentConfigModule {
  loadEnvironment(name: string): { name: string; region: string };
}

/** The environment's region from the project's typed config (infra/config); AWS_REGION overrides it. */
export async function environmentRegion(root: string, environment: string): Promise<string> {
  const config = (await import(
    pathToFileURL(join(root, 'infra', 'config', 'index.ts')).href
  )) as EnvironmentConfigModule;
  try {
    return process.env.AWS_REGION ?? config.loadEnvironment(environment).region;
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

export async function runTaskOnAwsCommand(options: RunTaskOnAwsCommandOptions): Promise<number> {
  const system = await loadSystem(options.root);
  const workload = system.workload(options.workload);
  const region = await environmentRegion(options.root, options.environment);
  const clients = {
    ecs: new ECSClient({ region }),
    logs: new CloudWatchLogsClient({ region }),
    cloudformation: new CloudFormationClient({ region }),
  };
  const controller = new AbortController();
  const interrupt = () => {
    process.stderr.write('hf: interrupted: stopping the task in AWS (Ctrl-C again to leave it running)…\n');
    process.once('SIGINT', () => process.exit(130));
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  try {
    const result = await runTaskOnAws({
      system: system.name,
      environment: options.environment,
      workload,
      args: options.args,
      clients,
      signal: controller.signal,
      output: {
        log: (line) => process.stdout.write(`${line}\n`),
        progress: (line) => process.stderr.write(`hf: ${line}\n`),
      },
    });
    return result.exitCode;
  } catch (error) {
    if (error instanceof RunTaskError) throw new CliError(error.message, error.code === 'INTERRUPTED' ? 130 : 1);
    if ((error as Error).name === 'CredentialsProviderError') {
      throw new CliError(
        `no AWS credentials for --env ${options.environment} (region ${region}): set AWS_PROFILE, ` +
          'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in with `aws sso login`',
      );
    }
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
  }
}
