// Tests for the CDK app: every environment's stacks, their names and tags, offline synthesis and cdk-nag.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackName } from '@hello-fargate/workload';
import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { system } from '../../system.js';
import { type BuiltApp, buildApp, hasOwnStack, inDependencyOrder, workflowStackPart } from '../build-app.js';

describe('the CDK app', () => {
  let built: BuiltApp;
  let assembly: CloudAssembly;
  const allStacks = () => built.environments.flatMap((env) => env.stacks);

  beforeAll(() => {
    // GIVEN every environment, WHEN the app is built and synthesized once (slow, so shared by the tests)
    built = buildApp({ outdir: mkdtempSync(join(tmpdir(), 'hf-cdk-')) });
    assembly = built.app.synth();
  });

  it('has network, platform, database, queues and batch queues (when declared), a stack per workload that has one and per workflow for each environment, named by stackName', () => {
    // THEN: in deploy order, each backend before the workloads that call it
    for (const env of ['staging', 'prod']) {
      const queues = system.queues.length > 0 ? ['queues'] : [];
      const batchQueues = system.jobQueues.length > 0 ? ['batch-queues'] : [];
      const expected = [
        'network',
        'platform',
        'database',
        ...queues,
        ...batchQueues,
        ...inDependencyOrder(system)
          .filter(hasOwnStack)
          .map((w) => w.name),
        ...system.workflows.map(workflowStackPart),
      ].map((part) => stackName(system.name, env, part));
      const found = built.environments.find((e) => e.config.name === env)?.stacks.map((s) => s.stackName);
      expect(found).toEqual(expected);
      for (const name of expected) expect(assembly.getStackByName(name).template).toBeDefined();
    }
  });

  it('pins every stack to its environment account and region', () => {
    // THEN
    for (const env of built.environments) {
      for (const stack of env.stacks) {
        expect(assembly.getStackByName(stack.stackName).environment).toMatchObject({
          account: env.config.account,
          region: env.config.region,
        });
      }
    }
  });

  it('synthesizes without context lookups, so no credentials are needed', () => {
    // THEN
    expect(assembly.manifest.missing ?? []).toEqual([]);
  });

  it('tags every stack with the environment config tags', () => {
    // THEN
    for (const env of built.environments) {
      for (const stack of env.stacks) {
        expect(assembly.getStackByName(stack.stackName).tags).toMatchObject({
          Environment: env.config.name,
          System: 'hello-fargate',
        });
      }
    }
  });

  it('associates every stack with the environment AppRegistry application', () => {
    // THEN
    for (const env of built.environments) {
      const platform = Template.fromStack(env.platform);
      platform.hasResourceProperties('AWS::ServiceCatalogAppRegistry::ResourceAssociation', {
        Resource: env.network.stackName,
      });
      for (const stack of [env.platform, env.database, ...env.workloads.values()]) {
        Template.fromStack(stack).hasResourceProperties('AWS::ServiceCatalogAppRegistry::ResourceAssociation', {
          Resource: { Ref: 'AWS::StackId' },
        });
      }
    }
  });

  it('puts the database in the app subnets and protects it only in prod', () => {
    // THEN
    for (const env of built.environments) {
      Template.fromStack(env.database).hasResourceProperties('AWS::RDS::DBCluster', {
        DeletionProtection: env.config.database.deletionProtection,
        ServerlessV2ScalingConfiguration: {
          MinCapacity: env.config.database.minCapacity,
          MaxCapacity: env.config.database.maxCapacity,
        },
      });
    }
  });

  it('passes cdk-nag AwsSolutions with no errors and no warnings in any stack', () => {
    // THEN: the plugin registered on the app ran during synth and reported nothing
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect(nag?.violations ?? []).toEqual([]);
    // and each stack checked on its own says the same, naming any finding
    for (const stack of allStacks()) {
      const findings = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => ({
        rule: v.ruleName,
        severity: v.severity,
        at: v.violatingResources.map((r) => r.constructPath),
      }));
      expect({ stack: stack.stackName, findings }).toEqual({ stack: stack.stackName, findings: [] });
    }
  });

  it('acknowledges cdk-nag rules only on resources, each with a specific reason', () => {
    // THEN
    const acknowledgments = built.app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        .filter(([id]) => id.includes('AwsSolutions-'))
        .map(([id, reason]) => ({ id, reason, onStack: Stack.isStack(construct), path: construct.node.path })),
    );
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const ack of acknowledgments) {
      expect(ack.onStack, `${ack.id} at ${ack.path} is stack-wide`).toBe(false);
      expect(ack.reason.length, `${ack.id} at ${ack.path} needs a specific reason`).toBeGreaterThan(60);
    }
  });
});
