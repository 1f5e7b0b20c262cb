// Sorts an environment's synthesized stacks into the deploy phases: foundation and pre-deploy, then services.

import { stackName, type System, workflowStackPart } from '@hello-fargate/workload';
import type { SynthesizedStack } from './cdk-toolkit.js';
import { DeployError } from './deploy-error.js';

/** Stack name parts holding data that `hf destroy` keeps unless `--including-data`. */
export const DATA_STACK_PARTS: readonly string[] = ['database'];

/** One environment's stacks, each list in dependency order (a stack after everything it depends on). */
export interface EnvironmentStacks {
  /** Every stack of the environment. */
  readonly all: readonly SynthesizedStack[];
  /** Shared stacks that belong to no workload or workflow: network, platform, database, queues, batch-queues. */
  readonly foundation: readonly string[];
  /** Stacks of the workloads that have `preDeploy` runs (oneoff: migrations). */
  readonly preDeploy: readonly string[];
  /** Workload name → its stack, for the workloads that have one. */
  readonly workloads: ReadonlyMap<string, string>;
  /** Workflow name → its stack. */
  readonly workflows: ReadonlyMap<string, string>;
  /** The stacks holding data (see DATA_STACK_PARTS). */
  readonly data: readonly string[];
}

/** The stacks of `environment` among `synthesized` (every environment's), sorted by role and dependency order. */
export function environmentStacks(
  system: System,
  environment: string,
  synthesized: readonly SynthesizedStack[],
): EnvironmentStacks {
  const prefix = stackName(system.name, environment, '');
  const all = inDependencyOrder(synthesized.filter((s) => s.name.startsWith(prefix)));
  if (all.length === 0) {
    throw new DeployError(
      'NO_STACKS',
      `the CDK app synthesized no stack named ${prefix}*: is environment "${environment}" built by infra/build-app.ts?`,
    );
  }
  const names = new Set(all.map((s) => s.name));
  const workloads = new Map<string, string>();
  for (const workload of system.workloads) {
    const name = stackName(system.name, environment, workload.name);
    if (names.has(name)) workloads.set(workload.name, name);
  }
  const workflows = new Map<string, string>();
  for (const workflow of system.workflows) {
    const name = stackName(system.name, environment, workflowStackPart(workflow.name));
    if (names.has(name)) workflows.set(workflow.name, name);
  }
  const owned = new Set([...workloads.values(), ...workflows.values()]);
  const preDeployNames = new Set(
    system.workloads
      .filter((w) => w.preDeploy.length > 0)
      .map((w) => workloads.get(w.name))
      .filter((n): n is string => n !== undefined),
  );
  const dataNames = new Set(DATA_STACK_PARTS.map((part) => stackName(system.name, environment, part)));
  const ordered = all.map((s) => s.name);
  return {
    all,
    foundation: ordered.filter((n) => !owned.has(n)),
    preDeploy: ordered.filter((n) => preDeployNames.has(n)),
    workloads,
    workflows,
    data: ordered.filter((n) => dataNames.has(n)),
  };
}

/** `names` and everything they depend on, directly or not, among `stacks`; in the order of `stacks`. */
export function withDependencies(stacks: readonly SynthesizedStack[], names: Iterable<string>): string[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name) || !byName.has(name)) return;
    found.add(name);
    for (const dependency of byName.get(name)?.dependencies ?? []) visit(dependency);
  };
  for (const name of names) visit(name);
  return stacks.map((s) => s.name).filter((n) => found.has(n));
}

/** `stacks` ordered so each comes after its dependencies, otherwise in the given order (dependencies elsewhere ignored). */
export function inDependencyOrder(stacks: readonly SynthesizedStack[]): SynthesizedStack[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: SynthesizedStack[] = [];
  const visit = (stack: SynthesizedStack, path: readonly string[]) => {
    if (state.get(stack.name) === 'done') return;
    if (state.get(stack.name) === 'visiting') {
      throw new DeployError(
        'CDK_FAILED',
        `stacks depend on each other in a cycle: ${[...path, stack.name].join(' → ')}`,
      );
    }
    state.set(stack.name, 'visiting');
    for (const dependency of stack.dependencies) {
      const other = byName.get(dependency);
      if (other) visit(other, [...path, stack.name]);
    }
    state.set(stack.name, 'done');
    ordered.push(stack);
  };
  for (const stack of stacks) visit(stack, []);
  return ordered;
}
