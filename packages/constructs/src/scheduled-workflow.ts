// ScheduledWorkflow: a workflow declaration as a Step Functions state machine of ECS task steps, started by an
// EventBridge Scheduler schedule.

import { queueUrlVariable, type Workflow, workflowDefinition, type Workload } from '@hello-fargate/workload';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import type { DatabaseAccess } from './database.js';
import { createLogGroup } from './private/log-retention.js';
import {
  addAlarmActions,
  createScheduleDeadLetter,
  createSchedulerRole,
  ecsTasksArn,
  scheduleExpression,
} from './private/schedule-delivery.js';
import { createWorkloadTask, validateWorkloadTask, type WorkloadTask } from './private/workload-task.js';
import type { QueueSource } from './queues.js';

/** The managed rule `ecs:runTask.sync` creates (once per account and region) to learn when a task stops. */
export const SYNC_ECS_EVENTS_RULE = 'StepFunctionsGetEventsForECSTaskRule';

export interface ScheduledWorkflowProps {
  /** The workflow's declaration (`defineWorkflow`, from `system.workflows`). */
  readonly workflow: Workflow;
  /** The system's workloads (`system.workloads`); each workload a step names must be among them. */
  readonly workloads: readonly Workload[];
  /** The cluster the step tasks run in. */
  readonly cluster: ecs.ICluster;
  /** Subnets of the step tasks (the isolated ECS subnets); they never get a public IP. */
  readonly subnets: ec2.SubnetSelection;
  /**
   * VPC of the step tasks' security group.
   * @default - the cluster's VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The database, required exactly when a step workload declares `dependsOn.database`.
   * @default - none
   */
  readonly database?: DatabaseAccess;
  /**
   * Secrets per step workload name: one Secrets Manager secret per name in that workload's `secrets`.
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, secretsmanager.ISecret>>>>;
  /**
   * The system's queues: the notifyQueue, and the `dependsOn.queues` of step workloads (each gets
   * `<NAME>_QUEUE_URL` and may send to it). Required when either is declared.
   * @default - none
   */
  readonly queues?: QueueSource;
  /**
   * Key of the log groups and the schedule's dead-letter queue. It must let CloudWatch Logs use it (the `Platform`
   * key does).
   * @default - CloudWatch Logs' own encryption and SSE-SQS
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Days the log groups keep events (a value CloudWatch Logs accepts).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * The step containers' image (the same for every step workload; for tests).
   * @default - built per step workload from `dockerfile` in `buildContext`
   */
  readonly image?: ecs.ContainerImage;
  /**
   * Absolute path of the Docker build context. Required when `image` is not given.
   * @default - none
   */
  readonly buildContext?: string;
  /**
   * A step workload's Dockerfile relative to `buildContext`.
   * @default - `Dockerfile` in the workload's directory
   */
  readonly dockerfile?: (workload: Workload) => string | undefined;
  /**
   * Prefix of the step task definitions' families: `<prefix>-<workload>`.
   * @default - the stack name
   */
  readonly familyPrefix?: string;
  /**
   * What the state machine logs. ALL keeps every state transition (a few dozen events per run of a nightly
   * workflow, so the cost is negligible) and is what makes a failed run traceable step by step; cdk-nag requires it.
   * @default sfn.LogLevel.ALL
   */
  readonly logLevel?: sfn.LogLevel;
  /**
   * Topic every alarm notifies when it fires and when it recovers.
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
}

/** What was built for one step workload. */
export interface WorkflowStepTask extends WorkloadTask {
  readonly logGroup: logs.ILogGroup;
}

/**
 * The workflow of `workflowDefinition` (the same ASL the local runner interprets) as a STANDARD state machine:
 *
 * - a Fargate task definition per step workload, built like OneOffTask's (image asset from the workload's
 *   Dockerfile, non-root, read-only root filesystem with a writable /tmp, awslogs to an encrypted log group, ECS
 *   secrets, the environment contract) plus `<NAME>_QUEUE_URL` and send grants for its `dependsOn.queues`;
 * - one security group for every step task: no ingress, HTTPS out to the VPC endpoints (and PostgreSQL to the
 *   database when a step uses it);
 * - logging (ALL, execution data included; no secret passes through the state: secrets reach the containers as ECS
 *   secrets) to an encrypted log group, and X-Ray tracing;
 * - a role that may run only these task definitions and only in this cluster, stop and describe the cluster's tasks,
 *   tag the tasks it starts, pass only the step tasks' roles to ECS, manage the `StepFunctionsGetEventsForECSTaskRule`
 *   rule that `.sync` needs, and send to the notifyQueue (with its key);
 * - with `schedule`: an EventBridge Scheduler schedule (its time zone, flexible time window OFF, retry policy, a
 *   dead-letter queue) that starts an execution with input `{ ...schedule.input, scheduledTime }`;
 * - alarms: an execution failed, an execution timed out (each ≥ 1 in 5 minutes), the schedule's DLQ holds an
 *   invocation.
 *
 * An execution in flight during a deploy that replaces a step's task definition fails that step: the state machine
 * and the role move to the new revision together. Deploy outside the schedule's window.
 *
 * Verified only by the synthesized template (no AWS here): that `.sync` works with exactly these permissions, that
 * Scheduler's placeholders reach the execution input, and that tracing and log delivery are accepted.
 *
 * **Cost**: Step Functions standard state transitions (about 5 per step per run), Fargate per step task, Scheduler
 * invocations, CloudWatch Logs ingestion, X-Ray traces, 3 alarms.
 */
export class ScheduledWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The role the state machine runs as. */
  readonly role: iam.Role;
  /** The state machine's log group. */
  readonly logGroup: logs.ILogGroup;
  /** The step tasks' security group: no ingress. */
  readonly securityGroup: ec2.SecurityGroup;
  /** What was built per step workload, by workload name. */
  readonly stepTasks: ReadonlyMap<string, WorkflowStepTask>;
  /** The ASL the state machine was built from (with CDK tokens). */
  readonly definition: ReturnType<typeof workflowDefinition>;
  /** Present when the workflow has a schedule. */
  readonly schedule?: scheduler.Schedule;
  readonly scheduleRole?: iam.Role;
  readonly deadLetterQueue?: sqs.Queue;
  readonly failedAlarm: cloudwatch.Alarm;
  readonly timedOutAlarm: cloudwatch.Alarm;
  readonly deadLetterAlarm?: cloudwatch.Alarm;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ScheduledWorkflowProps) {
    super(scope, id);
    const { workflow } = props;
    const stepWorkloads = this.resolveStepWorkloads(props);
    const vpc = props.vpc ?? props.cluster.vpc;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `${workflow.name} step tasks: no ingress; HTTPS to AWS endpoints and PostgreSQL to the database only`,
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to the VPC endpoints and the S3 gateway; the ECS subnets have no route to the internet',
    );
    if (stepWorkloads.some((w) => w.dependsOn.database)) props.database?.allowFrom(this.securityGroup);

    const stepTasks = new Map<string, WorkflowStepTask>();
    for (const workload of stepWorkloads) stepTasks.set(workload.name, this.createStepTask(workload, props));
    this.stepTasks = stepTasks;

    const notifyQueue = workflow.notifyQueue === undefined ? undefined : props.queues?.queue(workflow.notifyQueue);
    const task = (name: string) => stepTasks.get(name) as WorkflowStepTask;
    this.definition = workflowDefinition(workflow, {
      cluster: props.cluster.clusterArn,
      taskDefinition: (name) => task(name).taskDefinition.taskDefinitionArn,
      containerName: (name) => task(name).container.containerName,
      subnets: vpc.selectSubnets(props.subnets).subnetIds,
      securityGroups: [this.securityGroup.securityGroupId],
      notifyQueueUrl: notifyQueue?.queueUrl,
    });

    this.role = new iam.Role(this, 'Role', {
      description: `Step Functions: runs the ${workflow.name} workflow's step tasks`,
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    this.grantStepTasks(props.cluster, [...stepTasks.values()]);
    if (notifyQueue) this.grantNotify(notifyQueue);

    this.logGroup = createLogGroup(this, 'LogGroup', props);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: workflow.description || undefined,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(Stack.of(this).toJsonString(this.definition)),
      role: this.role,
      logs: { destination: this.logGroup, level: props.logLevel ?? sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the statements Step Functions needs for log delivery (logs:CreateLogDelivery, …) and X-Ray ' +
        '(xray:PutTraceSegments, …) use Resource "*": those actions have no resource-level permissions.',
    });

    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, what: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: `${workflow.name}: ${what}`,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      addAlarmActions(created, props.alarmTopic);
      return created;
    };
    this.failedAlarm = alarm(
      'FailedAlarm',
      this.stateMachine.metricFailed(fiveMinutes),
      'an execution failed after its step retries',
    );
    this.timedOutAlarm = alarm(
      'TimedOutAlarm',
      this.stateMachine.metricTimedOut(fiveMinutes),
      'an execution timed out',
    );

    const alarms = [this.failedAlarm, this.timedOutAlarm];
    if (workflow.schedule) {
      const parts = this.createSchedule(workflow, props);
      this.schedule = parts.schedule;
      this.scheduleRole = parts.role;
      this.deadLetterQueue = parts.deadLetter.queue;
      this.deadLetterAlarm = parts.deadLetter.alarm;
      alarms.push(parts.deadLetter.alarm);
    }
    this.alarms = alarms;
  }

  /** The workloads the steps name, once each, in step order; checks they can be built. */
  private resolveStepWorkloads(props: ScheduledWorkflowProps): Workload[] {
    const { workflow } = props;
    const byName = new Map(props.workloads.map((w) => [w.name, w]));
    const names = [...new Set(workflow.steps.map((s) => s.workload))];
    return names.map((name) => {
      const workload = byName.get(name);
      if (!workload) {
        throw new ConstructValidationError(
          this,
          `workflow "${workflow.name}" has a step on workload "${name}", which is not in workloads; pass system.workloads`,
        );
      }
      if (workload.isService || (workload.kind !== 'scheduledjob' && workload.kind !== 'oneoff')) {
        throw new ConstructValidationError(
          this,
          `workflow "${workflow.name}" runs workload "${name}" (${workload.kind}${workload.isService ? ', a service' : ''}) ` +
            'as a step; steps run scheduledjob or oneoff tasks without a service trigger',
        );
      }
      if (workload.dependsOn.queues.length > 0 && !props.queues) {
        throw new ConstructValidationError(
          this,
          `step workload "${name}" uses queues ${workload.dependsOn.queues.join(', ')}; pass queues`,
        );
      }
      return workload;
    });
  }

  private createStepTask(workload: Workload, props: ScheduledWorkflowProps): WorkflowStepTask {
    const scope = new Construct(this, `Step${pascalCase(workload.name)}`);
    const queues = workload.dependsOn.queues.map((name) => ({
      name,
      queue: (props.queues as QueueSource).queue(name),
    }));
    const environment = Object.fromEntries(queues.map(({ name, queue }) => [queueUrlVariable(name), queue.queueUrl]));
    const options = {
      workload,
      database: workload.dependsOn.database ? props.database : undefined,
      secrets: props.secrets?.[workload.name],
      environment,
      image: props.image,
      buildContext: props.buildContext,
    };
    validateWorkloadTask(scope, options);
    const logGroup = createLogGroup(scope, 'LogGroup', props);
    const task = createWorkloadTask(scope, {
      ...options,
      logGroup,
      logStreamPrefix: workload.name,
      // A step's log is the record of what it did; block rather than drop lines when CloudWatch Logs is slow.
      logDriverMode: ecs.AwsLogDriverMode.BLOCKING,
      dockerfile: props.dockerfile?.(workload),
      cpuArchitecture: ecs.CpuArchitecture.X86_64,
      family: `${props.familyPrefix ?? Stack.of(this).stackName}-${workload.name}`,
    });
    for (const { queue } of queues) queue.grantSendMessages(task.taskRole);
    if (queues.length > 0) {
      const reason =
        "The queue send grant's KMS actions, on the queues' key ARN only: SQS needs the producer to make and use " +
        'data keys for SSE-KMS.';
      Validations.of(task.taskRole).acknowledge(
        { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
        { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
      );
    }
    return { ...task, logGroup };
  }

  /** RunTask of exactly the step task definitions in this cluster, and what `.sync` needs around it. */
  private grantStepTasks(cluster: ecs.ICluster, tasks: readonly WorkflowStepTask[]): void {
    const stack = Stack.of(this);
    const clusterTasks = ecsTasksArn(
      this,
      'Task ids are assigned by ECS when a step starts, so StopTask, DescribeTasks and the tag check of RunTask name ' +
        'task/*, each limited by a condition: ecs:cluster (this cluster) or ecs:CreateAction (RunTask).',
    );
    const inCluster = { ArnEquals: { 'ecs:cluster': cluster.clusterArn } };
    const statements = [
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: tasks.map((t) => t.taskDefinition.taskDefinitionArn),
        conditions: inCluster,
      }),
      new iam.PolicyStatement({
        actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
        resources: [clusterTasks.arn],
        conditions: inCluster,
      }),
      new iam.PolicyStatement({
        // The steps propagate the task definition's tags, which ECS authorizes as ecs:TagResource on the new task.
        actions: ['ecs:TagResource'],
        resources: [clusterTasks.arn],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      }),
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: tasks.flatMap((t) => [t.taskRole.roleArn, t.executionRole.roleArn]),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: SYNC_ECS_EVENTS_RULE })],
      }),
    ];
    for (const statement of statements) this.role.addToPrincipalPolicy(statement);
    clusterTasks.acknowledge(this.role);
  }

  /** SendMessage on the notifyQueue and, for SSE-KMS, the data key use it needs. */
  private grantNotify(queue: sqs.IQueue): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
    );
    const key = queue.encryptionMasterKey;
    if (key) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
      );
    }
  }

  private createSchedule(workflow: Workflow, props: ScheduledWorkflowProps) {
    const settings = workflow.schedule as NonNullable<Workflow['schedule']>;
    const scope = new Construct(this, 'Schedule');
    const role = createSchedulerRole(scope, 'Role', `EventBridge Scheduler: starts the ${workflow.name} workflow`);
    const deadLetter = createScheduleDeadLetter(scope, {
      role,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alarmTopic,
      what: `workflow ${workflow.name}`,
    });
    const schedule = new scheduler.Schedule(scope, 'Schedule', {
      description: `${workflow.name}: ${settings.expression} (${settings.timezone})`,
      schedule: scheduleExpression(settings),
      timeWindow: scheduler.TimeWindow.off(),
      enabled: settings.enabled,
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject({
          ...settings.input,
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        deadLetterQueue: deadLetter.queue,
        retryAttempts: settings.retryAttempts,
        maxEventAge: Duration.seconds(settings.maximumEventAgeSeconds),
      }),
    });
    return { schedule, role, deadLetter };
  }
}

/** `sales-report` → `SalesReport`: construct ids that read like the others. */
function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
