// Builds the CDK app: for every environment, the network, platform, database (queues, batch queues) stacks, one stack
// per workload that has one, and one per workflow.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceConnectBackend } from '@hello-fargate/constructs';
import {
  type System,
  stackName,
  type Workflow,
  type Workload,
  workflowStackPart as stackPart,
} from '@hello-fargate/workload';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { system as defaultSystem } from '../system.js';
import { ENVIRONMENT_NAMES, type EnvironmentConfig, loadEnvironment } from './config/index.js';
import type { BatchJobStackProps } from '../usecases/batchjobs/infra/batch-job-stack.js';
import { BatchQueuesStack } from './stacks/batch-queues-stack.js';
import { DatabaseStack } from './stacks/database-stack.js';
import { NetworkStack } from './stacks/network-stack.js';
import { PlatformStack } from './stacks/platform-stack.js';
import { QueuesStack } from './stacks/queues-stack.js';
import { WorkflowStack } from './stacks/workflow-stack.js';
import { isBackendProvider, type WorkloadStackFactory } from './workload-stack-props.js';
import { KIND_STACKS, WORKLOAD_STACKS } from './workload-stacks.js';

/** The repository root: Docker build context of the per-app Dockerfiles. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export interface BuildAppOptions {
  /**
   * Where the cloud assembly is written.
   * @default - `CDK_OUTDIR` when the CDK CLI runs the app, else `<repo>/cdk.out`
   */
  readonly outdir?: string;
  /**
   * Environments to build.
   * @default - every configured environment
   */
  readonly environments?: readonly string[];
  /**
   * The system whose workloads get stacks.
   * @default - the system of system.ts
   */
  readonly system?: System;
  /**
   * Stack class per workload name.
   * @default - WORKLOAD_STACKS
   */
  readonly workloadStacks?: Readonly<Record<string, WorkloadStackFactory>>;
  /**
   * Docker build context of the workloads' images (their Dockerfiles are `<workload directory>/Dockerfile`).
   * @default - the repository root
   */
  readonly buildContext?: string;
}

/** The stacks of one environment. */
export interface EnvironmentStacks {
  readonly config: EnvironmentConfig;
  readonly network: NetworkStack;
  readonly platform: PlatformStack;
  readonly database: DatabaseStack;
  /** The system's queues; absent when the system declares none. */
  readonly queues?: QueuesStack;
  /** The system's AWS Batch job queues; absent when the system declares none. */
  readonly batchQueues?: BatchQueuesStack;
  /** Workload name → its stack, backends before the workloads that call them (see `hasOwnStack`). */
  readonly workloads: ReadonlyMap<string, Stack>;
  /** Workflow name → its stack (`<system>-<env>-wf-<workflow>`). */
  readonly workflows: ReadonlyMap<string, WorkflowStack>;
  /** Every stack of the environment, in deploy order (a backend before its callers). */
  readonly stacks: readonly Stack[];
}

export interface BuiltApp {
  readonly app: App;
  readonly environments: readonly EnvironmentStacks[];
}

/**
 * Feature flags `cdk init` gives a new project, so the app behaves the same under `npm run synth` and the CDK CLI.
 * Cross-stack references stay "strong" (CloudFormation exports), which stop a stack from removing a value another
 * stack still uses; "weak" would let `hf destroy` of a shared stack break the workloads silently.
 */
function appContext(configs: readonly EnvironmentConfig[]): Record<string, unknown> {
  const context: Record<string, unknown> = {
    ...CURRENTLY_RECOMMENDED_FLAGS,
    '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  };
  // The VPC checks its zones against the stack's. Answering that lookup from config (as cdk.context.json would) keeps
  // synth offline; otherwise the CDK CLI would call EC2 DescribeAvailabilityZones with credentials.
  for (const config of configs) {
    context[`availability-zones:account=${config.account}:region=${config.region}`] = [...config.availabilityZones];
  }
  return context;
}

export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const system = options.system ?? defaultSystem;
  const workloadStacks = options.workloadStacks ?? WORKLOAD_STACKS;
  const configs = (options.environments ?? ENVIRONMENT_NAMES).map(loadEnvironment);
  const app = new App({
    outdir: options.outdir ?? process.env.CDK_OUTDIR ?? join(REPO_ROOT, 'cdk.out'),
    context: appContext(configs),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const buildContext = options.buildContext ?? REPO_ROOT;
  const environments = configs.map((config) => buildEnvironment(app, system, config, workloadStacks, buildContext));
  return { app, environments };
}

function buildEnvironment(
  app: App,
  system: System,
  config: EnvironmentConfig,
  workloadStacks: Readonly<Record<string, WorkloadStackFactory>>,
  buildContext: string,
): EnvironmentStacks {
  const name = (part: string) => stackName(system.name, config.name, part);
  const common = (part: string, what: string) => ({
    stackName: name(part),
    env: { account: config.account, region: config.region },
    tags: config.tags,
    terminationProtection: config.terminationProtection,
    description: `${system.name} ${config.name}: ${what}`,
  });

  const network = new NetworkStack(app, name('network'), {
    ...common('network', 'VPC, subnets, flow logs and VPC endpoints'),
    config,
  });
  const platform = new PlatformStack(app, name('platform'), {
    ...common('platform', 'ECS cluster, Cloud Map namespace, KMS key, alarm topic, AppRegistry application'),
    config,
    network: network.network,
    platformName: `${system.name}-${config.name}`,
    applicationDescription: `${system.name} (${config.name})`,
  });
  // Stated, not only implied by references: the AppRegistry association of the network stack relies on it.
  platform.addStackDependency(network);
  const database = new DatabaseStack(app, name('database'), {
    ...common('database', 'Aurora PostgreSQL Serverless v2'),
    config,
    network: network.network,
    platform: platform.platform,
    clusterIdentifier: `${system.name}-${config.name}`,
  });
  const queues =
    system.queues.length > 0
      ? new QueuesStack(app, name('queues'), {
          ...common('queues', `SQS queues ${system.queues.map((q) => q.name).join(', ')} and their dead-letter queues`),
          queues: system.queues,
          platform: platform.platform,
          queueNamePrefix: `${system.name}-${config.name}`,
        })
      : undefined;

  const batchQueues =
    system.jobQueues.length > 0
      ? new BatchQueuesStack(app, name('batch-queues'), {
          ...common(
            'batch-queues',
            `AWS Batch job queues ${system.jobQueues.map((q) => q.name).join(', ')} on Fargate Spot and Fargate`,
          ),
          jobQueues: system.jobQueues,
          network: network.network,
          platform: platform.platform,
          database: database.database,
        })
      : undefined;

  const workloads = new Map<string, Stack>();
  const backends = new Map<string, ServiceConnectBackend>();
  for (const workload of inDependencyOrder(system).filter(hasOwnStack)) {
    const factory = workloadStacks[workload.name] ?? KIND_STACKS[workload.kind];
    if (!factory) {
      throw new Error(
        `workload "${workload.name}" has no stack: add usecases/${workload.name}/infra/ and register it in infra/workload-stacks.ts`,
      );
    }
    // BatchJobStackProps: the job queues ride along for batchjob stacks (WorkloadStackProps has no field for them).
    const props: BatchJobStackProps = {
      ...common(workload.name, workload.description || workload.name),
      system,
      config,
      workload,
      network: network.network,
      platform: platform.platform,
      database: database.database,
      backends,
      buildContext,
      alarmTopic: platform.platform.alarmTopic,
      queues: queues?.queues,
      batchCompute: batchQueues?.batchCompute,
    };
    const stack = factory(app, name(workload.name), props);
    if (isBackendProvider(stack)) backends.set(workload.name, stack.backend);
    workloads.set(workload.name, stack);
  }

  const workflows = new Map<string, WorkflowStack>();
  for (const workflow of system.workflows) {
    const part = workflowStackPart(workflow);
    if (system.workloads.some((w) => w.name === part)) {
      throw new Error(`workload "${part}" and workflow "${workflow.name}" would share stack ${name(part)}; rename one`);
    }
    const stack = new WorkflowStack(app, name(part), {
      ...common(part, workflow.description || `workflow ${workflow.name}`),
      system,
      config,
      workflow,
      network: network.network,
      platform: platform.platform,
      database: database.database,
      queues: queues?.queues,
      buildContext,
      alarmTopic: platform.platform.alarmTopic,
    });
    workflows.set(workflow.name, stack);
  }

  const stacks = [
    network,
    platform,
    database,
    ...(queues ? [queues] : []),
    ...(batchQueues ? [batchQueues] : []),
    ...workloads.values(),
    ...workflows.values(),
  ];
  for (const stack of stacks) platform.platform.associateStack(stack);
  return { config, network, platform, database, queues, batchQueues, workloads, workflows, stacks };
}

/**
 * Whether a workload gets a stack of its own: every kind does, except a scheduledjob without a trigger — it runs only
 * as a workflow step, and its task definition lives in the workflow's stack.
 */
export function hasOwnStack(workload: Workload): boolean {
  return workload.kind !== 'scheduledjob' || workload.trigger !== undefined;
}

/** The stack name part of a workflow's stack: `wf-<workflow>` (`<system>-<env>-wf-<workflow>`). */
export function workflowStackPart(workflow: Workflow): string {
  return stackPart(workflow.name);
}

/**
 * The system's workloads with every backend before the workloads that call it (`dependsOn.workloads`), otherwise in
 * system.ts order: a caller's stack needs its backends' Service Connect URL and security group.
 */
export function inDependencyOrder(system: System): Workload[] {
  const ordered: Workload[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (workload: Workload, path: readonly string[]) => {
    if (state.get(workload.name) === 'done') return;
    if (state.get(workload.name) === 'visiting') {
      throw new Error(`workloads call each other in a cycle: ${[...path, workload.name].join(' → ')}`);
    }
    state.set(workload.name, 'visiting');
    for (const dependency of workload.dependsOn.workloads) visit(system.workload(dependency), [...path, workload.name]);
    state.set(workload.name, 'done');
    ordered.push(workload);
  };
  for (const workload of system.workloads) visit(workload, []);
  return ordered;
}
