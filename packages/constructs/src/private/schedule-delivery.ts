// What every EventBridge Scheduler schedule of this project shares: the expression in its time zone, the role the
// scheduler assumes, and the dead-letter queue (with its alarm) that keeps invocations it could not deliver.

import { Duration, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** The declaration's schedule, as the fields of a schedule this project builds from it. */
export interface ScheduleSettings {
  readonly expression: string;
  readonly timezone: string;
  readonly enabled: boolean;
  readonly retryAttempts: number;
  readonly maximumEventAgeSeconds: number;
}

/**
 * The expression read in `timezone`. The time zone is always written to the template (`ScheduleExpressionTimezone`),
 * even for UTC, so the deployed schedule says which one it uses.
 */
export function scheduleExpression(settings: ScheduleSettings): scheduler.ScheduleExpression {
  return scheduler.ScheduleExpression.expression(settings.expression, TimeZone.of(settings.timezone));
}

/**
 * The role EventBridge Scheduler assumes for the schedules of `scope`'s stack, trusted only by schedules of this
 * account's `default` schedule group (the confused-deputy conditions AWS recommends). Targets add their own grants.
 */
export function createSchedulerRole(scope: Construct, id: string, description: string): iam.Role {
  const stack = Stack.of(scope);
  return new iam.Role(scope, id, {
    description,
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': stack.formatArn({
            service: 'scheduler',
            resource: 'schedule-group',
            resourceName: 'default',
          }),
        },
      },
    }),
  });
}

/** The dead-letter queue of a schedule and the alarm on its depth. */
export interface ScheduleDeadLetter {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;
}

/**
 * A dead-letter queue for invocations the scheduler gave up on (target throttled or refused after the retry policy),
 * SSE-KMS with `encryptionKey` (else SSE-SQS), TLS only, kept 14 days; `role` may send to it and use the key. An alarm
 * fires when it holds a message (checked every 5 minutes).
 */
export function createScheduleDeadLetter(
  scope: Construct,
  options: {
    readonly role: iam.IRole;
    readonly encryptionKey?: kms.IKey;
    readonly alarmTopic?: sns.ITopic;
    readonly what: string;
  },
): ScheduleDeadLetter {
  const { encryptionKey } = options;
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: encryptionKey ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
    encryptionMasterKey: encryptionKey,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter queue of an EventBridge Scheduler schedule (DeadLetterConfig); a DLQ of ' +
      'a DLQ would only move undeliverable invocations once more. Its depth alarm tells an operator.',
  });
  if (encryptionKey) {
    // SQS encrypts a message with a data key the sender makes; the scheduler sends as `role`.
    options.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [encryptionKey.keyArn],
      }),
    );
  }
  const alarm = new cloudwatch.Alarm(scope, 'DeadLetterAlarm', {
    alarmDescription: `${options.what}: EventBridge Scheduler could not start it and put the invocation in its DLQ`,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  addAlarmActions(alarm, options.alarmTopic);
  return { queue, alarm };
}

/** Notifies `topic` (when given) when the alarm fires and when it recovers. */
export function addAlarmActions(alarm: cloudwatch.Alarm, topic: sns.ITopic | undefined): void {
  if (!topic) return;
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
  alarm.addOkAction(new cloudwatchActions.SnsAction(topic));
}

/**
 * The ARN of every ECS task in the stack's account and region (`task/*`), for statements that must name tasks ECS has
 * not started yet; callers narrow it with the `ecs:cluster` (or `ecs:CreateAction`) condition. Also the IAM5
 * acknowledgement it needs, as cdk-nag writes the finding.
 */
export function ecsTasksArn(scope: Construct, reason: string): { arn: string; acknowledge: (on: Construct) => void } {
  const stack = Stack.of(scope);
  const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
  const finding =
    `AwsSolutions-IAM5[Resource::arn:${part(stack.partition, 'AWS::Partition')}:ecs:${part(stack.region, 'AWS::Region')}:` +
    `${part(stack.account, 'AWS::AccountId')}:task/*]`;
  return {
    arn: stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' }),
    acknowledge: (on) => Validations.of(on).acknowledge({ id: finding, reason }),
  };
}
