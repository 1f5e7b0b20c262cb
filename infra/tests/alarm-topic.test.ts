// Tests for the environment's alarm topic: its encryption and policies, its email subscriptions from config, and that
// every alarm of every stack notifies it.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type BuiltApp, buildApp, type EnvironmentStacks } from '../build-app.js';
import { EnvironmentConfigError, resolveEnvironment } from '../config/index.js';
import { globalConfig } from '../config/global.js';
import { prod } from '../config/prod.js';
import * as stagingModule from '../config/staging.js';

// GIVEN staging subscribes two addresses and prod none (the checked-in config subscribes nobody).
const { STAGING_EMAILS } = vi.hoisted(() => ({ STAGING_EMAILS: ['ops@example.com', 'on-call@example.com'] }));
vi.mock('../config/staging.js', async (importOriginal) => {
  const original = await importOriginal<typeof stagingModule>();
  return { staging: { ...original.staging, alarmEmails: STAGING_EMAILS } };
});

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Statement = { Effect: string; Principal?: unknown; Action: string | string[]; Condition?: unknown };

/** The platform stack's topic: its logical id, and what another stack's template holds to reference its ARN. */
function alarmTopicOf(env: EnvironmentStacks) {
  const template = Template.fromStack(env.platform).toJSON() as {
    Outputs: Record<string, { Value: unknown; Export?: { Name: string } }>;
  };
  const logicalId = env.platform.resolve(env.platform.platform.alarmTopic.topicArn).Ref as string;
  const exported = Object.values(template.Outputs).find((o) => JSON.stringify(o.Value) === `{"Ref":"${logicalId}"}`);
  return { logicalId, imported: exported?.Export ? { 'Fn::ImportValue': exported.Export.Name } : undefined };
}

/** Application Auto Scaling's own step-scaling alarms: their only actions are the scaling policies they drive. */
function isScalingAlarm(alarm: Resource, resources: Record<string, Resource>): boolean {
  const actions = (alarm.Properties?.AlarmActions ?? []) as { Ref?: string }[];
  return (
    actions.length > 0 &&
    actions.every((a) => a.Ref !== undefined && resources[a.Ref]?.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy')
  );
}

describe('the alarm topic', () => {
  let built: BuiltApp;

  beforeAll(() => {
    // WHEN every environment is built and synthesized once (slow, so shared by the tests)
    built = buildApp({ outdir: mkdtempSync(join(tmpdir(), 'hf-cdk-alarms-')) });
    built.app.synth();
  });

  const environment = (name: string) => {
    const env = built.environments.find((e) => e.config.name === name);
    if (!env) throw new Error(`no environment ${name} in the built app`);
    return env;
  };

  it('is one topic per environment, named after it, encrypted with the platform key', () => {
    // THEN
    for (const env of built.environments) {
      const template = Template.fromStack(env.platform);
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: `hello-fargate-${env.config.name}-alarms`,
        KmsMasterKeyId: env.platform.resolve(env.platform.platform.encryptionKey.keyArn),
      });
    }
  });

  it('lets only CloudWatch alarms of the environment account publish, over TLS', () => {
    // THEN
    for (const env of built.environments) {
      const { logicalId } = alarmTopicOf(env);
      const policies = Template.fromStack(env.platform).findResources('AWS::SNS::TopicPolicy', {
        Properties: { Topics: [{ Ref: logicalId }] },
      });
      const statements = Object.values(policies).flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
      );
      const allows = statements.filter((s) => s.Effect === 'Allow');
      expect(allows).toEqual([
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: {
            StringEquals: { 'aws:SourceAccount': env.config.account },
            ArnLike: {
              'aws:SourceArn': `arn:aws:cloudwatch:${env.config.region}:${env.config.account}:alarm:*`,
            },
          },
        }),
      ]);
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('lets CloudWatch alarms of the environment account use the platform key to publish to it', () => {
    // THEN
    for (const env of built.environments) {
      Template.fromStack(env.platform).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Condition: {
                StringEquals: { 'aws:SourceAccount': env.config.account },
                ArnLike: {
                  'aws:SourceArn': `arn:aws:cloudwatch:${env.config.region}:${env.config.account}:alarm:*`,
                },
              },
            }),
          ]),
        },
      });
    }
  });

  it('is notified by every alarm of every stack of its environment, when it fires and when it recovers', () => {
    // THEN
    for (const env of built.environments) {
      const { imported, logicalId } = alarmTopicOf(env);
      expect(imported, 'the platform stack exports the topic ARN').toBeDefined();
      const notifying: string[] = [];
      for (const stack of env.stacks) {
        const reference = stack === env.platform ? { Ref: logicalId } : imported;
        const resources = (Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource> }).Resources;
        for (const [id, alarm] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')) {
          // Scale-out and scale-in alarms fire on every backlog change; they drive the scaling, not a person.
          if (isScalingAlarm(alarm, resources)) continue;
          const at = `${stack.stackName}/${id}`;
          expect(alarm.Properties?.AlarmActions, `${at} AlarmActions`).toContainEqual(reference);
          expect(alarm.Properties?.OKActions, `${at} OKActions`).toContainEqual(reference);
          notifying.push(at);
        }
      }
      // The queue workers, scheduled task, batch job and workflow of system.ts all raise alarms.
      expect(notifying.length, `alarms checked in ${env.config.name}`).toBeGreaterThanOrEqual(10);
    }
  });

  it('subscribes each configured email address, and none where config names none', () => {
    // THEN
    const stagingPlatform = Template.fromStack(environment('staging').platform);
    const { logicalId } = alarmTopicOf(environment('staging'));
    stagingPlatform.resourceCountIs('AWS::SNS::Subscription', STAGING_EMAILS.length);
    for (const email of STAGING_EMAILS) {
      stagingPlatform.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: { Ref: logicalId },
      });
    }
    Template.fromStack(environment('prod').platform).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('keeps the platform stack free of cdk-nag AwsSolutions findings', () => {
    // THEN
    for (const stack of built.environments.map((e): Stack => e.platform)) {
      const findings = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
      expect({ stack: stack.stackName, findings }).toEqual({ stack: stack.stackName, findings: [] });
    }
  });
});

describe('alarmEmails in the environment config', () => {
  it('defaults to none, and an environment replaces the global list', () => {
    // GIVEN a global list
    const global = { ...globalConfig, alarmEmails: ['team@example.com'] };
    // WHEN / THEN
    expect(resolveEnvironment(prod).alarmEmails).toEqual([]);
    expect(resolveEnvironment(prod, global).alarmEmails).toEqual(['team@example.com']);
    expect(resolveEnvironment({ ...prod, alarmEmails: [] }, global).alarmEmails).toEqual([]);
  });

  it('refuses an address that is not an email, naming the environment, the field and the value', () => {
    // GIVEN
    const overrides = { ...stagingModule.staging, alarmEmails: ['ops@example.com', 'ops at example.com'] };
    // WHEN / THEN
    expect(() => resolveEnvironment(overrides)).toThrow(EnvironmentConfigError);
    expect(() => resolveEnvironment(overrides)).toThrow(
      'environment "staging", field "alarmEmails[1]": "ops at example.com" is not an email address',
    );
  });
});
