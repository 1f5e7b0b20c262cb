// `hf destroy --env <env>`: deletes the environment's stacks in reverse dependency order, keeping the data by default.

import type { System } from '@hello-fargate/workload';
import type { CdkToolkit } from './cdk-toolkit.js';
import type { Confirmation } from './confirmation.js';
import { DeployError } from './deploy-error.js';
import { type DeployOutput, formatElapsed, StackProgress } from './deploy-output.js';
import { environmentStacks, withDependencies } from './environment-stacks.js';

export interface DestroyEnvironmentOptions {
  readonly system: System;
  /** A configured environment, e.g. `staging`. */
  readonly environment: string;
  /** From infra/config: an environment with terminationProtection is refused before anything else. */
  readonly terminationProtection: boolean;
  readonly toolkit: CdkToolkit;
  readonly output: DeployOutput;
  /** Where to ask "type the environment name". */
  readonly confirmation: Confirmation;
  /** Destroy without asking. @default false */
  readonly yes?: boolean;
  /** Also destroy the database stack (Aurora takes a final snapshot). @default false - keep it and what it needs */
  readonly includingData?: boolean;
  /** Clock for durations, in milliseconds. @default performance.now */
  readonly now?: () => number;
}

export interface DestroyEnvironmentResult {
  /** Stacks destroyed, in the order they were destroyed. */
  readonly destroyed: readonly string[];
  /** Stacks kept: the database stack and the stacks it depends on, unless `includingData`. */
  readonly kept: readonly string[];
}

/**
 * Confirms, then destroys. Throws DeployError PROTECTED (terminationProtection), NOT_CONFIRMED (wrong answer, or no
 * terminal and no `yes`) before any stack is touched, and CDK_FAILED when a deletion fails.
 */
export async function destroyEnvironment(options: DestroyEnvironmentOptions): Promise<DestroyEnvironmentResult> {
  const { system, environment, toolkit, output } = options;
  const includingData = options.includingData ?? false;
  const now = options.now ?? (() => performance.now());
  if (options.terminationProtection) {
    throw new DeployError(
      'PROTECTED',
      `environment ${environment} has terminationProtection: true in infra/config/${environment}.ts, so hf destroy ` +
        "refuses it. If it really must go, set it to false, run hf deploy (which lifts the stacks' protection), " +
        'then hf destroy.',
    );
  }
  if (!options.yes && !options.confirmation.interactive) {
    throw new DeployError(
      'NOT_CONFIRMED',
      `hf destroy --env ${environment} asks for the environment name on a terminal, and stdin is not one: ` +
        'pass --yes to destroy without asking. Nothing was destroyed.',
    );
  }

  output.progress('synthesizing the CDK app…');
  let stacks: ReturnType<typeof environmentStacks>;
  try {
    stacks = environmentStacks(system, environment, await toolkit.synth());
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError('CDK_FAILED', `cdk synth failed: ${(error as Error).message}`, {}, { cause: error });
  }
  const kept = includingData ? [] : withDependencies(stacks.all, stacks.data);
  const keep = new Set(kept);
  // Dependents first: a stack's exports can only go once no other stack imports them.
  const order = stacks.all
    .map((s) => s.name)
    .filter((name) => !keep.has(name))
    .reverse();

  output.print(`hf destroy --env ${environment} deletes these stacks, in this order:`);
  for (const name of order) output.print(`  ${name}`);
  if (kept.length > 0) {
    output.print(`and keeps ${kept.join(', ')}: the database, its automated backups and snapshots, and the stacks it`);
    output.print('stands on (add --including-data to delete the database too).');
  } else if (stacks.data.length > 0) {
    output.print(
      `--including-data: the Aurora cluster in ${stacks.data.join(', ')} is deleted; its removal policy SNAPSHOT makes ` +
        'CloudFormation take a final snapshot first, which stays (and is billed) until you delete it. The KMS key ' +
        'that encrypts it is retained, so the snapshot can be restored.',
    );
  }
  if (!options.yes) {
    const answer = await options.confirmation.ask(`type the environment name (${environment}) to destroy it: `);
    if (answer.trim() !== environment) {
      throw new DeployError('NOT_CONFIRMED', `"${answer.trim()}" is not "${environment}": nothing was destroyed.`);
    }
  }

  const started = now();
  const progress = new StackProgress(output, now, 'destroying');
  if (order.length > 0) {
    try {
      await toolkit.destroy(order, { onEvent: progress.onEvent });
    } catch (error) {
      const finished = new Set(progress.done.map((d) => d.stack));
      const failed = progress.current ?? order.find((n) => !finished.has(n));
      throw new DeployError(
        'CDK_FAILED',
        `destroying ${failed ?? 'the stacks'} failed: ${progress.errorLines.at(-1) ?? (error as Error).message}; ` +
          `still there: ${order.filter((n) => !finished.has(n)).join(', ')}. Fix the cause (the CloudFormation ` +
          'events above say which resource) and run hf destroy again.',
        failed ? { stack: failed } : {},
        { cause: error },
      );
    }
  }
  output.print('');
  output.print(
    `destroyed ${order.length} stacks of ${environment} in ${formatElapsed(now() - started)}` +
      (kept.length > 0 ? `; kept ${kept.length}: ${kept.join(', ')}` : ''),
  );
  return { destroyed: order, kept };
}
