// Test fixture: the shared stacks a service construct needs (network, platform, database), as the real app has them.

import { defineWorkload, type Workload, type WorkloadProps } from '@hello-fargate/workload';
import { type App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Database, Network, Platform } from '../../src/index.js';

export const env = { account: '111111111111', region: 'eu-west-1' };
export const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:20-bookworm-slim');

/** A workload declared here, in the tests' folder: no usecases/* app is needed. */
export function testWorkload(props: Partial<WorkloadProps> & Pick<WorkloadProps, 'name' | 'kind'>): Workload {
  return defineWorkload({ directory: new URL('.', import.meta.url), port: 8080, ...props } as WorkloadProps);
}

/** Network, platform and database, each in its own stack like the real app. */
export function sharedStacks(app: App) {
  const networkStack = new Stack(app, 'Network', { env });
  const network = new Network(networkStack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const platformStack = new Stack(app, 'Platform', { env });
  const platform = new Platform(platformStack, 'Platform', { vpc: network.vpc, name: 'hf-test' });
  const databaseStack = new Stack(app, 'Database', { env });
  const database = new Database(databaseStack, 'Database', {
    vpc: network.vpc,
    vpcSubnets: network.appSubnets,
    encryptionKey: platform.encryptionKey,
  });
  return { network, platform, database, stacks: [networkStack, platformStack, databaseStack] };
}

/** A workload stack that knows the shared stacks before any grant, as OneOffStack does. */
export function workloadStack(app: App, id: string, shared: ReturnType<typeof sharedStacks>): Stack {
  const stack = new Stack(app, id, { env });
  for (const dependency of shared.stacks) stack.addStackDependency(dependency);
  return stack;
}

/** cdk-nag AwsSolutions findings in `scope`, as `{ rule, at }` so a failure names them. */
export function nagFindings(scope: IConstruct) {
  return new AwsSolutionsChecks().validateScope(scope).violations.map((v) => ({
    rule: v.ruleName,
    at: v.violatingResources.map((r) => r.constructPath),
  }));
}

/** The first container definition of the only task definition in a template. */
export function containerOf(template: { findResources(type: string): Record<string, unknown> }) {
  const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as {
    Properties: { ContainerDefinitions: Record<string, unknown>[] };
  }[];
  return definition?.Properties.ContainerDefinitions[0] as Record<string, unknown>;
}

/** A container's plain environment as a record. */
export function environmentOf(container: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    (container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
  );
}
