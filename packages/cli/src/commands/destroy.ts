// `hf destroy --env <env> [--yes] [--including-data]`: confirms, then deletes the environment's stacks.

import { terminalOutput } from '../aws/terminal-output.js';
import { CdkCliToolkit } from '../deploy/cdk-cli-toolkit.js';
import type { CdkToolkit } from '../deploy/cdk-toolkit.js';
import { type Confirmation, terminalConfirmation } from '../deploy/confirmation.js';
import type { DeployOutput } from '../deploy/deploy-output.js';
import { destroyEnvironment } from '../deploy/destroy-environment.js';
import { loadDeployEnvironment } from '../deploy/load-deploy-environment.js';
import { loadSystem } from '../load-system.js';
import { toCliError } from './deploy.js';

export interface DestroyCommandOptions {
  readonly root: string;
  /** `--env`: one of infra/config's environments. */
  readonly environment: string;
  /** `--yes`: destroy without asking. @default false */
  readonly yes?: boolean;
  /** `--including-data`: delete the database stack too (Aurora takes a final snapshot). @default false */
  readonly includingData?: boolean;
  /** For tests. @default - the aws-cdk CLI of the project (CdkCliToolkit) */
  readonly toolkit?: CdkToolkit;
  /** For tests. @default - stdout, and stderr prefixed `hf: ` for progress */
  readonly output?: DeployOutput;
  /** For tests. @default - asks on stdin when it is a terminal */
  readonly confirmation?: Confirmation;
}

/** Destroys and resolves with 0; a refusal (protected, not confirmed) or failure is a CliError. */
export async function destroyCommand(options: DestroyCommandOptions): Promise<number> {
  const { root, environment } = options;
  try {
    const config = await loadDeployEnvironment(root, environment);
    await destroyEnvironment({
      system: await loadSystem(root),
      environment,
      terminationProtection: config.terminationProtection,
      toolkit: options.toolkit ?? new CdkCliToolkit({ root }),
      output: options.output ?? terminalOutput(),
      confirmation: options.confirmation ?? terminalConfirmation(),
      yes: options.yes ?? false,
      includingData: options.includingData ?? false,
    });
    return 0;
  } catch (error) {
    throw toCliError(error);
  }
}
