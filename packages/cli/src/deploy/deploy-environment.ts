// `hf deploy --env <env> [workload…]`: synth, then foundation + oneoff stacks, migrations, then the other stacks.

import type { System } from '@hello-fargate/workload';
import type { RunTaskClients } from '../aws/run-task-on-aws.js';
import type { CdkToolkit, SynthesizedStack } from './cdk-toolkit.js';
import { DeployError } from './deploy-error.js';
import { type DeployOutput, formatElapsed, type StackOutcome, StackProgress } from './deploy-output.js';
import { type EnvironmentStacks, environmentStacks, withDependencies } from './environment-stacks.js';
import { type MigrationOutcome, preDeployRuns, runMigrations } from './run-migrations.js';

export interface DeployEnvironmentOptions {
  readonly system: System;
  /** A configured environment (checked by the caller against infra/config), e.g. `staging`. */
  readonly environment: string;
  readonly toolkit: CdkToolkit;
  /** Clients in the environment's region, for the migrations' RunTask. */
  readonly clients: RunTaskClients;
  readonly output: DeployOutput;
  /**
   * Workload or workflow names: deploy only their stacks and what those depend on (the pre-deploy stacks and
   * migrations still come first). @default - every stack of the environment
   */
  readonly workloads?: readonly string[];
  /** Milliseconds between polls of a migration task. @default 2000 */
  readonly migrationPollIntervalMs?: number;
  /** Milliseconds a migration may run before it is stopped. @default 3600000 (one hour) */
  readonly migrationTimeoutMs?: number;
  /** Ctrl-C during a migration stops its task and ends the deploy. @default - cannot be interrupted */
  readonly signal?: AbortSignal;
  /** Clock for durations, in milliseconds. @default performance.now */
  readonly now?: () => number;
}

/** One phase of a deploy, and what it did. */
export interface PhaseOutcome {
  readonly title: string;
  readonly durationMs: number;
  readonly stacks: readonly StackOutcome[];
  readonly migrations: readonly MigrationOutcome[];
}

export interface DeployEnvironmentResult {
  readonly phases: readonly PhaseOutcome[];
  readonly durationMs: number;
}

/** The stacks of each deploy phase, in dependency order. */
export interface DeployPlan {
  /** Phase 1: the foundation stacks the selection needs, the pre-deploy (oneoff) stacks and their dependencies. */
  readonly foundation: readonly string[];
  /** Phase 3: the selected workload and workflow stacks (and any dependency not in phase 1). */
  readonly services: readonly string[];
}

/** Which stacks each phase deploys, for every stack or only for the named workloads and workflows. */
export function planDeploy(
  system: System,
  environment: string,
  stacks: EnvironmentStacks,
  workloads: readonly string[] | undefined,
): DeployPlan {
  const requested =
    workloads && workloads.length > 0
      ? workloads.map((name) => stackOf(system, environment, stacks, name))
      : stacks.all.map((s) => s.name);
  const early = new Set([...stacks.foundation, ...withDependencies(stacks.all, stacks.preDeploy)]);
  const selected = withDependencies(stacks.all, [...requested, ...stacks.preDeploy]);
  return {
    foundation: selected.filter((name) => early.has(name)),
    services: selected.filter((name) => !early.has(name)),
  };
}

/**
 * Deploys the environment in three phases and prints a summary. Throws DeployError: CDK_FAILED when synth or a
 * CloudFormation deployment fails (no later stack is deployed), MIGRATION_FAILED / MIGRATION_NOT_STARTED when a
 * pre-deploy run does not exit 0 (phase 3 does not start, so no service runs code the database is not ready for).
 */
export async function deployEnvironment(options: DeployEnvironmentOptions): Promise<DeployEnvironmentResult> {
  const { system, environment, toolkit, output } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const phases: PhaseOutcome[] = [];

  output.print(`synthesizing the CDK app (images are built and published by the CDK CLI, tagged by content hash)…`);
  const synthesized = await synth(toolkit);
  const stacks = environmentStacks(system, environment, synthesized);
  const plan = planDeploy(system, environment, stacks, options.workloads);
  const runs = preDeployRuns(system);

  try {
    phases.push(await deployPhase(options, now, 'phase 1/3: foundation and pre-deploy stacks', plan.foundation));

    const migrationStart = now();
    output.print(
      `phase 2/3: pre-deploy runs (${runs.length === 0 ? 'none declared' : runs.map((r) => [r.workload.name, ...r.args].join(' ')).join(', ')})`,
    );
    const migrations = await runMigrations({
      system,
      environment,
      clients: options.clients,
      output,
      now,
      ...(options.migrationPollIntervalMs !== undefined ? { pollIntervalMs: options.migrationPollIntervalMs } : {}),
      ...(options.migrationTimeoutMs !== undefined ? { timeoutMs: options.migrationTimeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    phases.push({ title: 'phase 2/3: pre-deploy runs', durationMs: now() - migrationStart, stacks: [], migrations });

    phases.push(await deployPhase(options, now, 'phase 3/3: workload and workflow stacks', plan.services));
  } catch (error) {
    printSummary(output, `deploy of ${environment} FAILED after`, now() - started, phases);
    throw error;
  }
  const durationMs = now() - started;
  printSummary(output, `deployed ${environment} in`, durationMs, phases);
  return { phases, durationMs };
}

async function synth(toolkit: CdkToolkit): Promise<readonly SynthesizedStack[]> {
  try {
    return await toolkit.synth();
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError('CDK_FAILED', `cdk synth failed: ${(error as Error).message}`, {}, { cause: error });
  }
}

async function deployPhase(
  options: DeployEnvironmentOptions,
  now: () => number,
  title: string,
  names: readonly string[],
): Promise<PhaseOutcome> {
  const { output, toolkit } = options;
  const started = now();
  output.print(`${title}${names.length === 0 ? ': nothing to deploy' : ''}`);
  if (names.length === 0) return { title, durationMs: 0, stacks: [], migrations: [] };
  const progress = new StackProgress(output, now, 'deploying');
  try {
    await toolkit.deploy(names, { onEvent: progress.onEvent });
  } catch (error) {
    const finished = new Set(progress.done.map((d) => d.stack));
    const failed = progress.current ?? names.find((n) => !finished.has(n));
    const notDeployed = names.filter((n) => !finished.has(n) && n !== failed);
    const why = progress.errorLines.at(-1) ?? (error as Error).message;
    throw new DeployError(
      'CDK_FAILED',
      `deploying ${failed ?? 'the stacks'} failed: ${why}` +
        (notDeployed.length > 0 ? `; not deployed: ${notDeployed.join(', ')}` : '') +
        '. CloudFormation rolled the stack back; its events above (and in the CloudFormation console) say why.',
      failed ? { stack: failed } : {},
      { cause: error },
    );
  }
  return { title, durationMs: now() - started, stacks: progress.done, migrations: [] };
}

function printSummary(output: DeployOutput, headline: string, durationMs: number, phases: readonly PhaseOutcome[]) {
  output.print('');
  output.print(`${headline} ${formatElapsed(durationMs)}`);
  for (const phase of phases) {
    output.print(`  ${phase.title} (${formatElapsed(phase.durationMs)})`);
    for (const stack of phase.stacks) {
      output.print(
        `    ${stack.stack.padEnd(44)} ${stack.noChanges ? 'no changes' : 'deployed'}  ${formatElapsed(stack.durationMs)}`,
      );
    }
    for (const migration of phase.migrations) {
      output.print(`    ${migration.label.padEnd(44)} exit 0  ${formatElapsed(migration.durationMs)}`);
    }
  }
}

/** The stack of a workload or workflow named on the command line. */
function stackOf(system: System, environment: string, stacks: EnvironmentStacks, name: string): string {
  const stack = stacks.workloads.get(name) ?? stacks.workflows.get(name);
  if (stack) return stack;
  const known = [...stacks.workloads.keys(), ...stacks.workflows.keys()].join(', ');
  if (system.workloads.some((w) => w.name === name)) {
    throw new DeployError(
      'UNKNOWN_WORKLOAD',
      `workload "${name}" has no stack of its own in ${environment} (a workflow step lives in its workflow's ` +
        `stack: name the workflow instead); stacks can be deployed for: ${known}`,
    );
  }
  throw new DeployError(
    'UNKNOWN_WORKLOAD',
    `"${name}" is neither a workload nor a workflow of system.ts; known: ${known}`,
  );
}
