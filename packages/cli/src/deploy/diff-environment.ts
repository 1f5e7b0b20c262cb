// `hf diff --env <env>`: what a deploy would change, stack by stack, as the CDK CLI shows it.

import type { System } from '@hello-fargate/workload';
import type { CdkToolkit } from './cdk-toolkit.js';
import { DeployError } from './deploy-error.js';
import type { DeployOutput } from './deploy-output.js';
import { environmentStacks } from './environment-stacks.js';

export interface DiffEnvironmentOptions {
  readonly system: System;
  /** A configured environment, e.g. `staging`. */
  readonly environment: string;
  readonly toolkit: CdkToolkit;
  readonly output: DeployOutput;
}

/** Synthesizes, diffs every stack of the environment and prints the result; resolves whether anything differs. */
export async function diffEnvironment(options: DiffEnvironmentOptions): Promise<{ hasChanges: boolean }> {
  const { system, environment, toolkit, output } = options;
  output.progress('synthesizing the CDK app…');
  let names: string[];
  let diff: Awaited<ReturnType<CdkToolkit['diff']>>;
  try {
    names = environmentStacks(system, environment, await toolkit.synth()).all.map((s) => s.name);
    output.progress(`comparing ${names.length} stacks of ${environment} with what is deployed…`);
    diff = await toolkit.diff(names);
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError('CDK_FAILED', `cdk diff failed: ${(error as Error).message}`, {}, { cause: error });
  }
  const text = diff.text.trimEnd();
  if (text !== '') output.print(text);
  output.print(
    diff.hasChanges
      ? `${environment}: differences found (see above); \`hf deploy --env ${environment}\` applies them`
      : `${environment}: no differences`,
  );
  return { hasChanges: diff.hasChanges };
}
