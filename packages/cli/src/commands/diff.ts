// `hf diff --env <env>`: what `hf deploy` would change in the environment; exits 0 whether or not anything differs.

import { terminalOutput } from '../aws/terminal-output.js';
import { CdkCliToolkit } from '../deploy/cdk-cli-toolkit.js';
import type { CdkToolkit } from '../deploy/cdk-toolkit.js';
import type { DeployOutput } from '../deploy/deploy-output.js';
import { diffEnvironment } from '../deploy/diff-environment.js';
import { loadDeployEnvironment } from '../deploy/load-deploy-environment.js';
import { loadSystem } from '../load-system.js';
import { toCliError } from './deploy.js';

export interface DiffCommandOptions {
  readonly root: string;
  /** `--env`: one of infra/config's environments. */
  readonly environment: string;
  /** For tests. @default - the aws-cdk CLI of the project (CdkCliToolkit) */
  readonly toolkit?: CdkToolkit;
  /** For tests. @default - stdout, and stderr prefixed `hf: ` for progress */
  readonly output?: DeployOutput;
}

/** Prints the diff (or "no differences") and resolves with 0; a failure is a CliError. */
export async function diffCommand(options: DiffCommandOptions): Promise<number> {
  const { root, environment } = options;
  try {
    await loadDeployEnvironment(root, environment);
    await diffEnvironment({
      system: await loadSystem(root),
      environment,
      toolkit: options.toolkit ?? new CdkCliToolkit({ root }),
      output: options.output ?? terminalOutput(),
    });
    return 0;
  } catch (error) {
    throw toCliError(error);
  }
}
