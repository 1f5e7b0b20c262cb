// An EventBridge rule that keeps failure events in a queue for an operator, with an alarm on each new one.

import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { addAlarmActions } from './schedule-delivery.js';

export interface FailureEventInboxOptions {
  /** Construct id prefix: `<id>` (the queue), `<id>Rule` and `<id>Alarm`, e.g. `FailedJobs`. */
  readonly id: string;
  /** What a message is, for the queue's cdk-nag acknowledgement, e.g. `failed-job events`. */
  readonly what: string;
  readonly ruleDescription: string;
  readonly eventPattern: events.EventPattern;
  readonly alarmDescription: string;
  /** Where the alarm sends when it fires and recovers. @default - no action */
  readonly alarmTopic?: sns.ITopic;
}

export interface FailureEventInbox {
  readonly queue: sqs.Queue;
  readonly rule: events.Rule;
  readonly alarm: cloudwatch.Alarm;
}

/**
 * The matching events go to an SQS queue kept 14 days (SQS-managed encryption, TLS only), and an alarm fires when one
 * arrives within 5 minutes. Neither ECS nor Batch publishes a failure metric; the queue also keeps each event for the
 * operator who answers the alarm.
 */
export function failureEventInbox(scope: Construct, options: FailureEventInboxOptions): FailureEventInbox {
  const queue = new sqs.Queue(scope, options.id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      `An inbox of ${options.what} that nothing consumes automatically: an operator reads or purges it, so a ` +
      'message can never fail processing and a dead-letter queue would stay empty.',
  });
  const rule = new events.Rule(scope, `${options.id}Rule`, {
    description: options.ruleDescription,
    eventPattern: options.eventPattern,
    targets: [new eventsTargets.SqsQueue(queue)],
  });
  const alarm = new cloudwatch.Alarm(scope, `${options.id}Alarm`, {
    alarmDescription: options.alarmDescription,
    metric: queue.metricNumberOfMessagesSent({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  addAlarmActions(alarm, options.alarmTopic);
  return { queue, rule, alarm };
}
