// ScheduledTask: the schedule mode of a scheduledjob's trigger — EventBridge Scheduler starts its task with ECS RunTask.

import type { ResolvedScheduleTrigger, Workload } from '@hello-fargate/workload';
import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
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
   * Key of the dead-letter queue.
   * @default - SSE-SQS (SQS-owned key)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Topic the dead-letter alarm notifies when it fires and when it recovers.
   * @default - an alarm without actions
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
 * The scheduled runs use the task definition's command: build it with the trigger's `command`. Whether a run
 * succeeded is the task's own business (its exit code and logs); the schedule only knows that RunTask was accepted.
 *
 * Verified only by the synthesized template (no AWS here): that Scheduler accepts the role's conditions and the
 * time zone, and that RunTask succeeds with exactly these permissions.
 *
 * **Cost**: Scheduler invocations (14 million free per month), the Fargate task per run, one alarm.
 */
export class ScheduledTask extends Construct {
  readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler assumes to call RunTask. */
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  /** Fires when the dead-letter queue holds an invocation. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
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
    this.alarms = [deadLetter.alarm];

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
