// What the CDK app hands every workload's stack (usecases/<name>/infra/): its declaration and the shared stacks.

import {
  type Database,
  type Network,
  type Platform,
  type ServiceConnectBackend,
  WorkloadSecrets,
} from '@hello-fargate/constructs';
import type { System, Workload } from '@hello-fargate/workload';
import { Stack, type StackProps } from 'aws-cdk-lib';
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
 * What every workload stack does first, and the construct props they all share: it declares its dependency on the
 * network, platform and database stacks before any grant (so KMS grants stay in this stack's IAM policies instead of
 * editing the platform key's policy, which would make the platform depend on this stack), creates the workload's
 * Secrets Manager secrets, and makes its log group.
 */
export function prepareWorkloadStack(stack: Stack, props: WorkloadStackProps) {
  const { workload, network, platform, database, config } = props;
  for (const shared of [network, platform, database]) stack.addStackDependency(Stack.of(shared));
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
