// Tests for Queues: each declared queue becomes an SSE-KMS, TLS-only, long-polling SQS queue with its own DLQ.

import { defineQueue } from '@hello-fargate/workload';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Queues } from '../src/index.js';
import { env, nagFindings, sharedStacks } from './support/shared-stacks.js';

describe('Queues', () => {
  let app: App;
  let shared: ReturnType<typeof sharedStacks>;
  let stack: Stack;
  let queues: Queues;
  let template: Template;

  beforeAll(() => {
    // GIVEN the platform key and two declared queues, one with its own knobs
    app = new App();
    shared = sharedStacks(app);
    stack = new Stack(app, 'Queues', { env });
    stack.addStackDependency(shared.stacks[1] as Stack);
    // WHEN they are built
    queues = new Queues(stack, 'Queues', {
      encryptionKey: shared.platform.encryptionKey,
      queues: [
        defineQueue({
          name: 'triggers',
          visibilityTimeoutSeconds: 120,
          retentionSeconds: 86_400,
          delaySeconds: 5,
          receiveWaitTimeSeconds: 10,
          maxReceiveCount: 7,
          dlqRetentionSeconds: 604_800,
        }),
        defineQueue({ name: 'background-jobs' }),
      ],
    });
    app.synth();
    template = Template.fromStack(stack);
  });

  const logicalId = (queue: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(queue.node.defaultChild as never);
  const propertiesOf = (queue: { node: { defaultChild?: unknown } }) =>
    template.toJSON().Resources[logicalId(queue)].Properties as Record<string, unknown>;

  it('encrypts every queue and DLQ with the platform key', () => {
    // THEN
    const queueResources = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queueResources)).toHaveLength(4);
    for (const resource of Object.values(queueResources) as { Properties: Record<string, unknown> }[]) {
      expect(resource.Properties.KmsMasterKeyId).toEqual({
        'Fn::ImportValue': expect.stringMatching(/^Platform:.*PlatformKey/),
      });
      expect(resource.Properties.KmsDataKeyReusePeriodSeconds).toBe(300);
    }
  });

  it('moves a message to its DLQ after the declared maxReceiveCount', () => {
    // THEN
    expect(propertiesOf(queues.queue('triggers')).RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(queues.dlq('triggers')), 'Arn'] },
      maxReceiveCount: 7,
    });
    expect(propertiesOf(queues.queue('background-jobs')).RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(queues.dlq('background-jobs')), 'Arn'] },
      maxReceiveCount: 3,
    });
  });

  it('long-polls and keeps the declared visibility timeout, retention and delay; the DLQ its own retention', () => {
    // THEN
    expect(propertiesOf(queues.queue('triggers'))).toMatchObject({
      ReceiveMessageWaitTimeSeconds: 10,
      VisibilityTimeout: 120,
      MessageRetentionPeriod: 86_400,
      DelaySeconds: 5,
    });
    expect(propertiesOf(queues.queue('background-jobs'))).toMatchObject({
      ReceiveMessageWaitTimeSeconds: 20,
      VisibilityTimeout: 30,
      MessageRetentionPeriod: 345_600,
    });
    expect(propertiesOf(queues.dlq('triggers')).MessageRetentionPeriod).toBe(604_800);
    expect(propertiesOf(queues.dlq('background-jobs')).MessageRetentionPeriod).toBe(1_209_600);
  });

  it('denies every request not made over TLS, on each queue and DLQ', () => {
    // THEN
    const policies = template.findResources('AWS::SQS::QueuePolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
    });
    const covered = Object.values(policies).flatMap(
      (p) => (p as { Properties: { Queues: { Ref: string }[] } }).Properties.Queues,
    );
    expect(covered.map((q) => q.Ref).sort()).toEqual(
      [queues.queue('triggers'), queues.dlq('triggers'), queues.queue('background-jobs'), queues.dlq('background-jobs')]
        .map(logicalId)
        .sort(),
    );
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    // THEN
    expect(nagFindings(stack)).toEqual([]);
  });

  it('refuses a queue that is not declared, naming those that are', () => {
    // WHEN / THEN
    expect(() => queues.queue('nope')).toThrow(
      /Queues\/Queues: no queue "nope" is declared \(declared: triggers, background-jobs\)/,
    );
  });

  it('refuses a prefix that makes a DLQ name longer than SQS allows', () => {
    // WHEN / THEN
    const other = new Stack(app, 'LongNames', { env });
    expect(
      () =>
        new Queues(other, 'Queues', {
          encryptionKey: shared.platform.encryptionKey,
          queueNamePrefix: 'p'.repeat(70),
          queues: [defineQueue({ name: 'triggers' })],
        }),
    ).toThrow(/longer than SQS's 80 characters/);
  });
});
