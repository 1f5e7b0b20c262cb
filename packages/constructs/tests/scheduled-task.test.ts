// Tests for ScheduledTask: the EventBridge Scheduler schedule that runs a scheduledjob's task with ECS RunTask.

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConstructValidationError, OneOffTask, ScheduledTask } from '../src/index.js';
import { image, nagFindings, sharedStacks, testWorkload, workloadStack } from './support/shared-stacks.js';

const scheduled = () =>
  testWorkload({
    name: 'order-stats',
    kind: 'scheduledjob',
    port: undefined,
    command: ['serve'],
    trigger: {
      type: 'schedule',
      expression: 'cron(0/15 * * * ? *)',
      timezone: 'Europe/Berlin',
      command: ['run'],
      retryAttempts: 5,
      maximumEventAgeSeconds: 600,
    },
  });

function build(workload = scheduled(), withTopic = false) {
  const app = new App();
  const shared = sharedStacks(app);
  const stack = workloadStack(app, 'Job', shared);
  const topic = withTopic ? new sns.Topic(stack, 'Alarms') : undefined;
  const task = new OneOffTask(stack, 'Job', {
    workload: { ...workload, command: [...(workload.trigger?.type === 'schedule' ? workload.trigger.command : [])] },
    cluster: shared.platform.cluster,
    subnets: shared.network.ecsSubnets,
    image,
    outputs: false,
  });
  const scheduledTask = new ScheduledTask(stack, 'Schedule', {
    workload,
    taskDefinition: task.taskDefinition,
    cluster: shared.platform.cluster,
    subnets: shared.network.ecsSubnets,
    securityGroups: [task.securityGroup],
    encryptionKey: shared.platform.encryptionKey,
    alarmTopic: topic,
  });
  return { app, stack, task, scheduledTask, topic };
}

describe('ScheduledTask', () => {
  let template: Template;
  let built: ReturnType<typeof build>;

  beforeAll(() => {
    // GIVEN a scheduledjob with a schedule trigger in Berlin time, WHEN its task and schedule are built
    built = build();
    template = Template.fromStack(built.stack);
  });

  const resolve = (value: unknown) => built.stack.resolve(value);

  it('schedules the expression in its time zone with the flexible time window off', () => {
    // THEN
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0/15 * * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
  });

  it('runs the task definition on FARGATE in the ECS subnets without a public IP', () => {
    // THEN
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: {
        // The target of a templated ECS RunTask is the cluster.
        Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformCluster.*Arn') },
        EcsParameters: {
          TaskDefinitionArn: resolve(built.task.taskDefinition.taskDefinitionArn),
          LaunchType: 'FARGATE',
          PropagateTags: 'TASK_DEFINITION',
          NetworkConfiguration: {
            AwsvpcConfiguration: {
              AssignPublicIp: 'DISABLED',
              SecurityGroups: [resolve(built.task.securityGroup.securityGroupId)],
              Subnets: Match.arrayWith([{ 'Fn::ImportValue': Match.stringLikeRegexp('EcsSubnet1') }]),
            },
          },
        },
      },
    });
  });

  it('bakes the trigger command into the task it runs', () => {
    // THEN
    const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as {
      Properties: { ContainerDefinitions: { Command: string[] }[] };
    }[];
    expect(definition?.Properties.ContainerDefinitions[0]?.Command).toEqual(['run']);
  });

  it('retries a failed invocation as declared, then puts it in an encrypted dead-letter queue', () => {
    // THEN
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 600 },
        DeadLetterConfig: { Arn: resolve(built.scheduledTask.deadLetterQueue.queueArn) },
        RoleArn: resolve(built.scheduledTask.role.roleArn),
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
      MessageRetentionPeriod: 1209600,
    });
  });

  it('lets only this account’s default schedule group assume the role', () => {
    // THEN
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': '111111111111',
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:eu-west-1:111111111111:schedule-group/default'],
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });

  it('grants the scheduler role RunTask of this task in this cluster, tagging, PassRole to ECS and the DLQ, nothing else', () => {
    // THEN
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('ScheduleRole'),
    )?.[1] as { Properties: { PolicyDocument: { Statement: unknown[] } } };
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::ImportValue': expect.stringContaining('PlatformKey') },
      },
      {
        Effect: 'Allow',
        Action: 'ecs:RunTask',
        Resource: resolve(built.task.taskDefinition.taskDefinitionArn),
        Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::ImportValue': expect.stringContaining('PlatformCluster') } } },
      },
      {
        Effect: 'Allow',
        Action: 'ecs:TagResource',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-west-1:111111111111:task/*']] },
        Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: [resolve(built.task.taskRole.roleArn), resolve(built.task.executionRole.roleArn)],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: resolve(built.scheduledTask.deadLetterQueue.queueArn) },
    ]);
  });

  it('alarms when the dead-letter queue holds an invocation', () => {
    // THEN
    expect(built.scheduledTask.alarms).toContain(built.scheduledTask.deadLetterAlarm);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: resolve(built.scheduledTask.deadLetterQueue.queueName) }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Period: 300,
    });
  });

  it('sends every STOPPED task of this family in this cluster that did not exit 0 to the FailedRuns queue', () => {
    // THEN
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as {
      Properties: { EventPattern: unknown; Targets: unknown[] };
    }[];
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.EventPattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: {
        clusterArn: [{ 'Fn::ImportValue': expect.stringContaining('PlatformCluster') }],
        taskDefinitionArn: [
          {
            prefix: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-west-1:111111111111:task-definition/Job:']],
            },
          },
        ],
        lastStatus: ['STOPPED'],
        $or: [
          { containers: { exitCode: [{ 'anything-but': [0] }] } },
          { containers: { exitCode: [{ exists: false }] } },
          { stopCode: ['TaskFailedToStart'] },
        ],
      },
    });
    expect(rules[0]?.Properties.Targets).toEqual([
      { Arn: resolve(built.scheduledTask.failedRunsQueue.queueArn), Id: 'Target0' },
    ]);
    // the family the prefix names is the task definition's
    expect(resolve(built.task.taskDefinition.family)).toBe('Job');
    const queue = template.toJSON().Resources[
      resolve(built.scheduledTask.failedRunsQueue.queueArn)['Fn::GetAtt'][0] as string
    ] as { Properties: Record<string, unknown> };
    expect(queue.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [resolve(built.scheduledTask.failedRunsQueue.queueUrl)],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': resolve(built.scheduledTask.failedRunsRule.ruleArn) } },
          }),
        ],
      },
    });
  });

  it('alarms when at least one failed run arrived in 5 minutes, notifying the alarm topic', () => {
    // THEN
    expect(built.scheduledTask.alarms).toEqual([
      built.scheduledTask.deadLetterAlarm,
      built.scheduledTask.failedRunsAlarm,
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Dimensions: [{ Name: 'QueueName', Value: resolve(built.scheduledTask.failedRunsQueue.queueName) }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    // GIVEN an alarm topic, WHEN built with it, THEN both alarms notify it when they fire and when they recover
    const withTopic = build(scheduled(), true);
    const topicArn = withTopic.stack.resolve(withTopic.topic?.topicArn);
    for (const alarm of withTopic.scheduledTask.alarms) {
      const rendered = withTopic.stack.resolve((alarm.node.defaultChild as CfnAlarm).alarmActions);
      expect(rendered).toEqual([topicArn]);
      expect(withTopic.stack.resolve((alarm.node.defaultChild as CfnAlarm).okActions)).toEqual([topicArn]);
    }
  });

  it('gives no schedule or role a fixed name', () => {
    // THEN
    template.hasResourceProperties('AWS::Scheduler::Schedule', { Name: Match.absent() });
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as { Properties: object }[]) {
      expect(role.Properties).not.toHaveProperty('RoleName');
    }
  });

  it('passes cdk-nag AwsSolutions with no finding', () => {
    // THEN
    expect(nagFindings(built.stack)).toEqual([]);
  });

  it('refuses a workload without a schedule trigger', () => {
    // GIVEN a scheduledjob that only runs as a workflow step
    const stepOnly = testWorkload({ name: 'sales-report', kind: 'scheduledjob', port: undefined });
    const stack = new Stack(new App(), 'Other');
    // WHEN / THEN: refused before anything is built
    expect(
      () =>
        new ScheduledTask(stack, 'Schedule', {
          workload: stepOnly,
          taskDefinition: built.task.taskDefinition,
          cluster: built.task.taskDefinition.node.scope as never,
          subnets: {},
          securityGroups: [],
        }),
    ).toThrow(ConstructValidationError);
    expect(() => build(stepOnly)).toThrow(/workload "sales-report" \(scheduledjob\) has no schedule trigger/);
  });
});
