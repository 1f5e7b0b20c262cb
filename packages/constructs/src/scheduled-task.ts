// ScheduledTask: the schedule mode of a scheduledjob's trigger — EventBridge Scheduler starts its task with ECS RunTask.

import type { ResolvedScheduleTrigger, Workload } from '@hello-fargate/workload';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import { failureEventInbox } from './private/failure-event-inbox.js';
import {
  createScheduleDeadLetter,
  createSchedulerRole,
  ecsTasksArn,
  scheduleExpression,
} from './private/schedule-delivery.js';

export interface ScheduledTaskProps {
  /** The scheduledjob's declaration; its `trigger` must be a schedule. */
  readonly workload: Workload;
  /** The task to start (e.g. a `OneOffTask`'s, built with the trigger's command). */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The cluster RunTask starts the task in. */
  readonly cluster: ecs.ICluster;
  /** Subnets of the task (the isolated ECS subnets); it never gets a public IP. */
  readonly subnets: ec2.SubnetSelection;
  /** Security groups of the task. */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /**
   * Key of the dead-letter queue (the failed-runs queue is always SSE-SQS).
   * @default - SSE-SQS (SQS-owned key)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Topic the dead-letter and failed-runs alarms notify when they fire and when they recover.
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * An EventBridge Scheduler schedule (the trigger's expression in its time zone, flexible time window OFF, enabled as
 * declared) whose target runs `taskDefinition` with ECS RunTask on FARGATE in `subnets` with no public IP. A failed
 * invocation (RunTask throttled or refused) is retried `retryAttempts` times within `maximumEventAgeSeconds`, then put
 * in a dead-letter queue with an alarm on its depth.
 *
 * The scheduler's role may only run this task definition in this cluster (`ecs:cluster` condition), tag the tasks it
 * starts (the task definition's tags are propagated) and pass the task's two roles to ECS.
 *
 * The scheduled runs use the task definition's command: build it with the trigger's `command`. The schedule only
 * knows that RunTask was accepted; a run that then fails is caught from ECS's own events: an EventBridge rule on
 * `ECS Task State Change` with `lastStatus` STOPPED, in this cluster, of any revision of the task definition's family,
 * where a container exited with a code other than 0, or no container has an exit code, or `stopCode` is
 * `TaskFailedToStart` (image pull, secrets, ENI…), sends the event to a `FailedRuns` SQS queue (SSE-SQS, so
 * EventBridge needs no key grant; kept 14 days, so the events with `stoppedReason` and the containers' `reason` can be
 * read), and an alarm fires when that queue received at least one in 5 minutes (NumberOfMessagesSent counts
 * EventBridge's sends). The rule does not filter on `startedBy`: the value EventBridge Scheduler sets is not
 * documented (its EcsParameters have no StartedBy), so a failed manual run of the same family in the same cluster
 * (`hf run-task`) also counts.
 *
 * Verified only by the synthesized template (no AWS here): that Scheduler accepts the role's conditions and the
 * time zone, that RunTask succeeds with exactly these permissions, and that ECS's STOPPED events of a failed run
 * match the pattern (the `exists: false` branch relies on EventBridge flattening the `containers` array).
 *
 * **Cost**: Scheduler invocations (14 million free per month), the Fargate task per run; EventBridge rule matches
 * are free for AWS service events; SQS requests per failed run; two alarms.
 */
export class ScheduledTask extends Construct {
  readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler assumes to call RunTask. */
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  /** Fires when the dead-letter queue holds an invocation. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Receives the `ECS Task State Change` event of every run that stopped without succeeding. */
  readonly failedRunsQueue: sqs.Queue;
  readonly failedRunsRule: events.Rule;
  /** Fires when at least one failed run arrived in the failed-runs queue in 5 minutes. */
  readonly failedRunsAlarm: cloudwatch.Alarm;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    const trigger = scheduleTriggerOf(this, props.workload);
    this.role = createSchedulerRole(this, 'Role', `EventBridge Scheduler: runs the ${props.workload.name} task`);
    const deadLetter = createScheduleDeadLetter(this, {
      role: this.role,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alarmTopic,
      what: `scheduled ${props.workload.name} task`,
    });
    this.deadLetterQueue = deadLetter.queue;
    this.deadLetterAlarm = deadLetter.alarm;
    const { family } = props.taskDefinition;
    const inbox = failureEventInbox(this, {
      id: 'FailedRuns',
      what: 'failed-run events',
      ruleDescription: `${this.node.path}: ${family} tasks that stopped with a non-zero exit code or failed to start`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [props.cluster.clusterArn],
          // Every revision: events carry `…:task-definition/<family>:<revision>`.
          taskDefinitionArn: events.Match.prefix(
            Stack.of(this).formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${family}:` }),
          ),
          lastStatus: ['STOPPED'],
          // EventBridge flattens the `containers` array: the first branch matches when any container exited with a
          // code other than 0, the second when no container has an exit code (it never started).
          $or: [
            { containers: { exitCode: events.Match.anythingBut(0) } },
            { containers: { exitCode: events.Match.doesNotExist() } },
            { stopCode: ['TaskFailedToStart'] },
          ],
        },
      },
      alarmDescription:
        `${props.workload.name}: a scheduled run stopped with a non-zero exit code or failed to start; see the ` +
        'FailedRuns queue',
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
    this.failedRunsQueue = inbox.queue;
    this.failedRunsRule = inbox.rule;
    this.failedRunsAlarm = inbox.alarm;
    this.alarms = [deadLetter.alarm, this.failedRunsAlarm];

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `${props.workload.name}: ${trigger.expression} (${trigger.timezone})`,
      schedule: scheduleExpression(trigger),
      timeWindow: scheduler.TimeWindow.off(),
      enabled: trigger.enabled,
      target: new ClusterScopedFargateTask(props.cluster, {
        taskDefinition: props.taskDefinition,
        vpcSubnets: props.subnets,
        securityGroups: [...props.securityGroups],
        assignPublicIp: false,
        propagateTags: true,
        role: this.role,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: trigger.retryAttempts,
        maxEventAge: Duration.seconds(trigger.maximumEventAgeSeconds),
      }),
    });
  }
}

/** The workload's schedule trigger; a ConstructValidationError for anything else. */
function scheduleTriggerOf(scope: Construct, workload: Workload): ResolvedScheduleTrigger {
  if (workload.kind !== 'scheduledjob' || workload.trigger?.type !== 'schedule') {
    throw new ConstructValidationError(
      scope,
      `workload "${workload.name}" (${workload.kind}) has no schedule trigger; ScheduledTask runs a scheduledjob ` +
        "declared with trigger: { type: 'schedule', expression }",
    );
  }
  return workload.trigger;
}

/**
 * EcsRunFargateTask with narrower grants: its own grant allows RunTask of the task definition in any cluster and
 * passing the roles to any service; this one adds the `ecs:cluster` and `iam:PassedToService` conditions.
 */
class ClusterScopedFargateTask extends targets.EcsRunFargateTask {
  protected override addTargetActionToRole(role: iam.IRole): void {
    const { taskDefinition } = this.props;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
    const tasks = ecsTasksArn(
      role,
      'RunTask with propagated tags is also authorized as ecs:TagResource on the task it creates, whose id ECS ' +
        'assigns then: task/*, limited to that case by the ecs:CreateAction condition.',
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:TagResource'],
        resources: [tasks.arn],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      }),
    );
    tasks.acknowledge(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [taskDefinition.taskRole.roleArn, taskDefinition.obtainExecutionRole().roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
  }
}
