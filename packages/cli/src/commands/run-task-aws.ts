// `hf run-task <workload> --env <env>`: wiring of the AWS path (the orchestration lives in ../aws/).

import { CliError } from '../cli-error.js';

export interface RunTaskOnAwsCommandOptions {
  readonly root: string;
  readonly environment: string;
  readonly workload: string;
  readonly args: readonly string[];
}

export async function runTaskOnAwsCommand(options: RunTaskOnAwsCommandOptions): Promise<number> {
  throw new CliError(`run-task --env ${options.environment} is not wired yet`);
}
