// Tests for the trigger switch of a scheduledjob (order-stats): schedule and service modes deploy from one stack class,
// and switching between them is one ordinary deploy.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineSystem, defineWorkload, stackName } from '@hello-fargate/workload';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { orderStats, orderStatsProps } from '../../usecases/scheduledjobs/workload.js';
import { type BuiltApp, buildApp } from '../build-app.js';

/** Properties that give a resource a fixed physical name, by the resource types that have one. */
const NAME_PROPERTIES = [
  'Name',
  'QueueName',
  'RoleName',
  'LogGroupName',
  'ServiceName',
  'BucketName',
  'GroupName',
  'Domain',
  'Family',
  'AlarmName',
  'TopicName',
  'UserPoolName',
  'ClusterName',
];

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Export?: { Name: unknown } }>;
}

function fixedNames(resource: Resource): string[] {
  return NAME_PROPERTIES.filter((key) => resource.Properties?.[key] !== undefined).map(
    (key) => `${resource.Type}.${key}=${JSON.stringify(resource.Properties?.[key])}`,
  );
}

const part = 'order-stats';
const serviceVariant = defineWorkload({
  ...orderStatsProps,
  trigger: { type: 'service', port: 8080, command: ['serve'] },
});
const systemWith = (workload: typeof orderStats) =>
  defineSystem({
    name: 'hello-fargate',
    workloads: [workload],
    resourceServers: [{ identifier: 'orders', scopes: ['read'] }],
  });

describe('the trigger switch of a scheduledjob', () => {
  const modes: Record<'schedule' | 'service', { built: BuiltApp; templates: Map<string, Template> }> = {} as never;
  const jobTemplate = (mode: 'schedule' | 'service') =>
    modes[mode].templates.get(stackName('hello-fargate', 'staging', part)) as Template;
  const ofType = (template: Template, type: string) =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  beforeAll(() => {
    // GIVEN order-stats declared with a schedule trigger and with a service trigger
    // WHEN the app is built and synthesized for each
    for (const [mode, workload] of [
      ['schedule', orderStats],
      ['service', serviceVariant],
    ] as const) {
      const built = buildApp({
        system: systemWith(workload),
        environments: ['staging'],
        outdir: mkdtempSync(join(tmpdir(), `hf-cdk-trigger-${mode}-`)),
      });
      const assembly = built.app.synth();
      const templates = new Map(
        built.environments[0]?.stacks.map((s) => [s.stackName, assembly.getStackByName(s.stackName).template]),
      );
      modes[mode] = { built, templates };
    }
  });

  it('deploys a schedule that runs the task in schedule mode, and nothing that serves', () => {
    // THEN
    const template = jobTemplate('schedule');
    expect(ofType(template, 'AWS::Scheduler::Schedule')).toHaveLength(1);
    expect(ofType(template, 'AWS::ECS::Service')).toHaveLength(0);
    expect(ofType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toHaveLength(0);
    const [[, schedule] = []] = ofType(template, 'AWS::Scheduler::Schedule');
    expect(schedule?.Properties).toMatchObject({
      ScheduleExpression: 'rate(15 minutes)',
      ScheduleExpressionTimezone: 'UTC',
      Target: { EcsParameters: { NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } } } },
    });
  });

  it('deploys an always-on service behind a JWT-validating ALB in service mode, and no schedule', () => {
    // THEN
    const template = jobTemplate('service');
    expect(ofType(template, 'AWS::Scheduler::Schedule')).toHaveLength(0);
    expect(ofType(template, 'AWS::ECS::Service')).toHaveLength(1);
    const listeners = ofType(template, 'AWS::ElasticLoadBalancingV2::Listener').map(([, r]) => r.Properties);
    expect(listeners).toContainEqual(
      expect.objectContaining({
        Protocol: 'HTTPS',
        DefaultActions: [
          expect.objectContaining({ Type: 'jwt-validation', Order: 1 }),
          expect.objectContaining({ Type: 'forward', Order: 2 }),
        ],
      }),
    );
  });

  it('keeps the task definition under the same logical id in both modes, with each mode’s command', () => {
    // THEN
    const ids = (['schedule', 'service'] as const).map((mode) =>
      ofType(jobTemplate(mode), 'AWS::ECS::TaskDefinition').map(([id]) => id),
    );
    expect(ids[0]).toHaveLength(1);
    expect(ids[0]).toEqual(ids[1]);
    expect(ids[0]?.[0]).toMatch(/^JobTaskDefinition/);
    const command = (mode: 'schedule' | 'service') =>
      (
        ofType(jobTemplate(mode), 'AWS::ECS::TaskDefinition')[0]?.[1].Properties?.ContainerDefinitions as {
          Command: string[];
        }[]
      )[0]?.Command;
    expect(command('schedule')).toEqual(['run']);
    expect(command('service')).toEqual(['serve']);
  });

  it('gives no trigger resource a fixed name that the other mode uses', () => {
    // THEN: switching creates the new mode's resources before deleting the old ones; no created name may be in use
    for (const [from, to] of [
      ['schedule', 'service'],
      ['service', 'schedule'],
    ] as const) {
      const before = jobTemplate(from).Resources;
      const after = jobTemplate(to).Resources;
      const namesBefore = Object.values(before).flatMap(fixedNames);
      const created = Object.entries(after).filter(([id]) => !(id in before));
      const clashes = created.flatMap(([id, r]) =>
        fixedNames(r)
          .filter((n) => namesBefore.includes(n))
          .map((n) => `${id}: ${n}`),
      );
      expect({ from, to, clashes }).toEqual({ from, to, clashes: [] });
      // A resource kept under its id but changed may be replaced; only a task definition (a new revision of the same
      // family) may then carry a fixed name.
      const changed = Object.entries(after).filter(
        ([id, r]) => id in before && JSON.stringify(before[id]) !== JSON.stringify(r),
      );
      const replacedWithName = changed
        .filter(([, r]) => r.Type !== 'AWS::ECS::TaskDefinition')
        .flatMap(([id, r]) => fixedNames(r).map((n) => `${id}: ${n}`));
      expect({ from, to, replacedWithName }).toEqual({ from, to, replacedWithName: [] });
    }
  });

  it('exports nothing another stack imports, in either mode', () => {
    // THEN: CloudFormation refuses to delete an export in use, the classic cause of a two-phase apply
    for (const mode of ['schedule', 'service'] as const) {
      const exports = Object.values(jobTemplate(mode).Outputs ?? {}).filter((o) => o.Export);
      expect({ mode, exports }).toEqual({ mode, exports: [] });
      const jobStack = stackName('hello-fargate', 'staging', part);
      for (const [name, template] of modes[mode].templates) {
        if (name === jobStack) continue;
        expect(JSON.stringify(template)).not.toContain(`"Fn::ImportValue":"${jobStack}:`);
      }
    }
  });

  it('passes cdk-nag AwsSolutions with no finding in either mode', () => {
    // THEN
    for (const mode of ['schedule', 'service'] as const) {
      for (const stack of modes[mode].built.environments.flatMap((e) => e.stacks)) {
        const findings = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => ({
          rule: v.ruleName,
          at: v.violatingResources.map((r) => r.constructPath),
        }));
        expect({ mode, stack: stack.stackName, findings }).toEqual({ mode, stack: stack.stackName, findings: [] });
      }
    }
  });
});
