// What the CDK app hands every workload's stack (usecases/<name>/infra/): its declaration and the shared stacks.

import {
  type Database,
  type Network,
  type Platform,
  type Queues,
  type ServiceConnectBackend,
  WorkloadSecrets,
} from '@hello-fargate/constructs';
import type { System, Workload } from '@hello-fargate/workload';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from './config/index.js';

export interface WorkloadStackProps extends StackProps {
  readonly system: System;
  readonly config: EnvironmentConfig;
  readonly workload: Workload;
  readonly network: Network;
  readonly platform: Platform;
  readonly database: Database;
  /**
   * Backends built so far, by workload name. The app builds a backend's stack before the stacks of its callers, so
   * every name in `workload.dependsOn.workloads` is here.
   */
  readonly backends: ReadonlyMap<string, ServiceConnectBackend>;
  /** Absolute path of the repository root: the Docker build context of every per-app Dockerfile. */
  readonly buildContext: string;
  /**
   * The topic every alarm of the workload notifies when it fires and when it recovers: the platform's `alarmTopic`.
   * Required, so no stack can build alarms that notify nobody.
   */
  readonly alarmTopic: sns.ITopic;
  /**
   * The system's queues (the environment's queues stack), present when the system declares any. A workload gets
   * the ones in its `dependsOn.queues` (see `queuesFor`).
   * @default - none: the system declares no queues
   */
  readonly queues?: Queues;
}

/** Creates one workload's stack. */
export type WorkloadStackFactory = (scope: Construct, id: string, props: WorkloadStackProps) => Stack;

/** A workload stack that serves a backend to other workloads (BackendStack). */
export interface BackendProvider {
  readonly backend: ServiceConnectBackend;
}

export function isBackendProvider(stack: Stack): stack is Stack & BackendProvider {
  return typeof (stack as Partial<BackendProvider>).backend?.url === 'string';
}

/** The backends `props.workload` calls, in its `dependsOn.workloads` order. */
export function backendsFor(props: WorkloadStackProps): ServiceConnectBackend[] {
  return props.workload.dependsOn.workloads.map((name) => {
    const backend = props.backends.get(name);
    if (!backend) {
      throw new Error(`workload "${props.workload.name}" calls "${name}", whose stack has not been built before it`);
    }
    return backend;
  });
}

/**
 * The queues `props.workload` uses, in its `dependsOn.queues` order, by name. Call it after `prepareWorkloadStack`,
 * which makes the stack depend on the queues stack: a grant on a queue (and its KMS key) then stays in this stack.
 */
export function queuesFor(props: WorkloadStackProps): Map<string, sqs.IQueue> {
  const names = props.workload.dependsOn.queues;
  if (names.length === 0) return new Map();
  const { queues } = props;
  if (!queues) {
    throw new Error(
      `workload "${props.workload.name}" uses queues ${names.join(', ')}, but the app built no queues stack; declare them in system.ts queues`,
    );
  }
  return new Map(names.map((name) => [name, queues.queue(name)]));
}

/**
 * What every workload stack does first, and the construct props they all share: it declares its dependency on the
 * network, platform and database stacks (and the queues stack when the workload uses queues) before any grant (so KMS grants stay in this stack's IAM policies instead of
 * editing the platform key's policy, which would make the platform depend on this stack), creates the workload's
 * Secrets Manager secrets, and makes its log group.
 */
export function prepareWorkloadStack(stack: Stack, props: WorkloadStackProps) {
  const { workload, network, platform, database, config } = props;
  for (const shared of [network, platform, database]) stack.addStackDependency(Stack.of(shared));
  if (workload.dependsOn.queues.length > 0 && props.queues) stack.addStackDependency(Stack.of(props.queues));
  const secrets = new WorkloadSecrets(stack, 'Secrets', {
    workload,
    namePrefix: `${props.system.name}/${config.name}/${workload.name}`,
    encryptionKey: platform.encryptionKey,
  });
  return {
    workload,
    cluster: platform.cluster,
    vpc: network.vpc,
    database: workload.dependsOn.database ? database : undefined,
    secrets: secrets.secrets,
    logGroup: platform.createLogGroup(stack, 'LogGroup'),
    buildContext: props.buildContext,
  };
}
