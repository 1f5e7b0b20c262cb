// QueueWorker: a backgroundjob workload as a Fargate service with no port that consumes its queues, scales on their
// backlog (down to zero) and raises the alarms of a message-driven worker.

import { queueUrlVariable } from '@hello-fargate/workload';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import { createBackgroundService, exposeWorkloadService } from './private/workload-service.js';
import type { QueueSource } from './queues.js';
import type { WorkloadServiceProps } from './workload-service-props.js';

/**
 * Steps of the scale-out policy on the consumed queues' visible messages (`ChangeInCapacity`, bounded by maxCount):
 * one more task as soon as a message waits, more at once for a deep backlog.
 */
export const DEFAULT_BACKLOG_STEPS: readonly appscaling.ScalingInterval[] = [
  { lower: 1, change: +1 },
  { lower: 100, change: +2 },
  { lower: 500, change: +5 },
];

export interface QueueWorkerProps extends Omit<
  WorkloadServiceProps,
  'cpuTargetUtilizationPercent' | 'nodeBinary' | 'namespace'
> {
  /**
   * The namespace for Service Connect, used only when the worker calls `backends`.
   * @default - the cluster's default Cloud Map namespace
   */
  readonly namespace?: WorkloadServiceProps['namespace'];
  /** The system's queues (a `Queues`): the worker gets exactly the ones in its `dependsOn.queues`. */
  readonly queues: QueueSource;
  /**
   * Queues (of `dependsOn.queues`) the worker receives from and deletes: it scales on their backlog and alarms on
   * them and their DLQs.
   * @default - the only queue in `dependsOn.queues`; required when it lists more than one
   */
  readonly consumes?: readonly string[];
  /**
   * Queues (of `dependsOn.queues`) the worker sends to, e.g. the main job's background queue. Every queue in
   * `dependsOn.queues` must be consumed, sent to, or both.
   * @default - the queues of `dependsOn.queues` it does not consume
   */
  readonly sendsTo?: readonly string[];
  /**
   * Scale-out steps on the consumed queues' ApproximateNumberOfMessagesVisible (lower bounds ≥ 1, changes > 0).
   * @default DEFAULT_BACKLOG_STEPS
   */
  readonly backlogSteps?: readonly appscaling.ScalingInterval[];
  /**
   * Visible messages in a consumed queue above which its depth alarm fires.
   * @default 50
   */
  readonly queueDepthThreshold?: number;
  /**
   * Age of a consumed queue's oldest message above which its age alarm fires.
   * @default Duration.seconds(300)
   */
  readonly maxMessageAge?: Duration;
  /**
   * Error lines (`"level":"error"` in the service's JSON logs) per 5 minutes above which the error alarm fires.
   * @default 5
   */
  readonly errorLinesThreshold?: number;
  /**
   * Topic every alarm notifies when it fires and when it recovers.
   * @default - alarms without actions (visible in the CloudWatch console only)
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A backgroundjob workload as an ECS service with no port, no load balancer and no ingress, that long-polls the
 * queues it consumes and sends to the ones it feeds. The container gets `<NAME>_QUEUE_URL` (see `queueUrlVariable`)
 * for each queue in `dependsOn.queues`; the task role may receive, change visibility and delete on the consumed
 * queues, send to the others, and use the queues' KMS key through those grants — nothing else.
 *
 * Scaling: between the declared minCount (0 allowed: no task while the queues are empty) and maxCount, with two
 * step-scaling policies. Scale-out on ApproximateNumberOfMessagesVisible (sum over the consumed queues, maximum per
 * minute) adds `backlogSteps` tasks. Scale-in to minCount happens only when visible + in flight
 * (ApproximateNumberOfMessagesNotVisible) is 0, so a task still working a message is not stopped under it. Step
 * scaling rather than target tracking on backlog per task: a per-task ratio is undefined at 0 tasks, so target
 * tracking cannot start the first task from zero.
 *
 * Alarms (seed 002): each consumed queue's DLQ has visible messages; a consumed queue holds more than
 * `queueDepthThreshold` visible messages; its oldest message is older than `maxMessageAge`; service CPU or memory
 * above 80% for 10 minutes; more than `errorLinesThreshold` error log lines in 5 minutes. Missing data (no tasks,
 * idle queues) is not breaching.
 *
 * **Cost**: Fargate vCPU/GB-hours per task (Spot ones up to 70% less; none at minCount 0 while idle); SQS requests
 * (an empty long poll every 20 s per task); 5 + 3 per consumed queue CloudWatch alarms; KMS requests.
 */
export class QueueWorker extends Construct implements ec2.IConnectable {
  readonly workloadName: string;
  readonly service!: ecs.FargateService;
  readonly taskDefinition!: ecs.FargateTaskDefinition;
  readonly container!: ecs.ContainerDefinition;
  readonly securityGroup!: ec2.SecurityGroup;
  /** The tasks' security group (no ingress); `connections.allowTo(peer, port)` lets the worker reach a peer. */
  readonly connections!: ec2.Connections;
  readonly logGroup!: logs.ILogGroup;
  /** The role the app's code runs as: only the grants on its queues. */
  readonly taskRole!: iam.IRole;
  readonly executionRole!: iam.IRole;
  readonly scaling!: ecs.ScalableTaskCount;
  /** Names of the queues it consumes and of those it sends to. */
  readonly consumes: readonly string[];
  readonly sendsTo: readonly string[];
  /** Count of `"level":"error"` log lines (from a metric filter on `logGroup`). */
  readonly errorLines: cloudwatch.Metric;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    const { workload } = props;
    this.workloadName = workload.name;
    const settings = this.normalizeProps(props);
    this.consumes = settings.consumes;
    this.sendsTo = settings.sendsTo;

    const queues = new Map(workload.dependsOn.queues.map((name) => [name, props.queues.queue(name)]));
    const environment = Object.fromEntries(
      [...queues].map(([name, queue]) => [queueUrlVariable(name), queue.queueUrl]),
    );
    const built = createBackgroundService(
      this,
      { ...props, environment: { ...props.environment, ...environment } },
      { kind: 'backgroundjob', constructName: 'QueueWorker', ingressDescription: 'nowhere' },
    );
    exposeWorkloadService(this, built, new ec2.Connections({ securityGroups: [built.securityGroup] }));

    this.grantQueues(queues);
    const consumed = this.consumes.map((name) => ({
      name,
      queue: queues.get(name) as sqs.IQueue,
      dlq: props.queues.dlq(name),
    }));
    this.createScaling(consumed, settings.backlogSteps, workload.maxCount);
    this.errorLines = this.createErrorMetric();
    this.alarms = this.createAlarms(consumed, settings, props.alarmTopic);
  }

  private normalizeProps(props: QueueWorkerProps) {
    const { workload } = props;
    if (workload.kind !== 'backgroundjob') {
      throw new ConstructValidationError(
        this,
        `workload "${workload.name}" is a ${workload.kind}; QueueWorker builds backgroundjob workloads`,
      );
    }
    const declared = workload.dependsOn.queues;
    if (declared.length === 0) {
      throw new ConstructValidationError(
        this,
        `workload "${workload.name}" declares no queues; a QueueWorker consumes dependsOn.queues`,
      );
    }
    if (props.consumes === undefined && declared.length > 1) {
      throw new ConstructValidationError(
        this,
        `workload "${workload.name}" uses queues ${declared.join(', ')}; pass consumes to say which it receives from`,
      );
    }
    const consumes = [...(props.consumes ?? declared)];
    const sendsTo = [...(props.sendsTo ?? declared.filter((name) => !consumes.includes(name)))];
    const undeclared = [...consumes, ...sendsTo].filter((name) => !declared.includes(name));
    if (undeclared.length > 0) {
      throw new ConstructValidationError(
        this,
        `queues ${[...new Set(undeclared)].join(', ')} are not in dependsOn.queues of workload "${workload.name}"; declare them`,
      );
    }
    if (consumes.length === 0) {
      throw new ConstructValidationError(this, `consumes is empty; a QueueWorker consumes at least one queue`);
    }
    const unused = declared.filter((name) => !consumes.includes(name) && !sendsTo.includes(name));
    if (unused.length > 0) {
      throw new ConstructValidationError(
        this,
        `workload "${workload.name}" declares queues ${unused.join(', ')} but neither consumes nor sends to them`,
      );
    }
    if (workload.maxCount < 1) {
      throw new ConstructValidationError(this, `workload "${workload.name}" has maxCount 0; a worker needs at least 1`);
    }
    const backlogSteps = props.backlogSteps ?? DEFAULT_BACKLOG_STEPS;
    if (backlogSteps.length === 0 || backlogSteps.some((s) => s.lower === undefined || s.lower < 1 || s.change <= 0)) {
      throw new ConstructValidationError(this, 'backlogSteps need a lower bound ≥ 1 and a positive change each');
    }
    const queueDepthThreshold = props.queueDepthThreshold ?? 50;
    const errorLinesThreshold = props.errorLinesThreshold ?? 5;
    for (const [field, value] of Object.entries({ queueDepthThreshold, errorLinesThreshold })) {
      if (!Number.isInteger(value) || value < 0) {
        throw new ConstructValidationError(this, `${field} ${value} must be a whole number ≥ 0`);
      }
    }
    const maxMessageAge = props.maxMessageAge ?? Duration.seconds(300);
    return { consumes, sendsTo, backlogSteps, queueDepthThreshold, errorLinesThreshold, maxMessageAge };
  }

  /** Consume and send grants, each on its queue's ARN and (through the grant) its key; nothing with Resource "*". */
  private grantQueues(queues: ReadonlyMap<string, sqs.IQueue>): void {
    const own = Stack.of(this);
    for (const queue of queues.values()) {
      // A key grant to a role in a stack that does not yet depend on the key's stack would add the role to the key
      // policy (a dependency cycle); depending first keeps the grant on the role's own policy.
      for (const other of [Stack.of(queue), queue.encryptionMasterKey && Stack.of(queue.encryptionMasterKey)]) {
        if (other && other !== own) own.addStackDependency(other);
      }
    }
    for (const name of this.consumes) queues.get(name)?.grantConsumeMessages(this.taskRole);
    for (const name of this.sendsTo) queues.get(name)?.grantSendMessages(this.taskRole);
    if (this.sendsTo.length > 0) {
      Validations.of(this.taskRole).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
          reason:
            "The queue send grant's KMS actions, on the queues' key ARN only: SQS needs the producer to make and use " +
            'data keys for SSE-KMS.',
        },
        {
          id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          reason:
            "The queue send grant's KMS actions, on the queues' key ARN only: SQS needs the producer to make and use " +
            'data keys for SSE-KMS.',
        },
      );
    }
  }

  private createScaling(
    consumed: readonly ConsumedQueue[],
    backlogSteps: readonly appscaling.ScalingInterval[],
    maxCount: number,
  ): void {
    const visible = sumOf(
      'visible',
      consumed.map((c) => c.queue.metricApproximateNumberOfMessagesVisible(PER_MINUTE_MAX)),
    );
    const visibleAndInFlight = sumOf(
      'backlog',
      consumed.flatMap((c) => [
        c.queue.metricApproximateNumberOfMessagesVisible(PER_MINUTE_MAX),
        c.queue.metricApproximateNumberOfMessagesNotVisible(PER_MINUTE_MAX),
      ]),
    );
    // A zero-change step below 1 keeps each policy one-sided (only its own alarm).
    this.scaling.scaleOnMetric('Backlog', {
      metric: visible,
      scalingSteps: [{ upper: 0, change: 0 }, ...backlogSteps],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.seconds(60),
    });
    this.scaling.scaleOnMetric('Idle', {
      metric: visibleAndInFlight,
      // Removing maxCount tasks lands on minCount: nothing waits or is in flight, so no task has work.
      scalingSteps: [
        { upper: 0, change: -maxCount },
        { lower: 1, change: 0 },
      ],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.seconds(300),
      evaluationPeriods: 5,
    });
  }

  private createErrorMetric(): cloudwatch.Metric {
    const namespace = `HelloFargate/${Stack.of(this).stackName}`;
    const metricName = `${this.workloadName}-error-lines`;
    new logs.MetricFilter(this, 'ErrorLinesFilter', {
      logGroup: this.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.level', '=', 'error'),
      metricNamespace: namespace,
      metricName,
      metricValue: '1',
      defaultValue: 0,
    });
    return new cloudwatch.Metric({
      namespace,
      metricName,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
    });
  }

  private createAlarms(
    consumed: readonly ConsumedQueue[],
    settings: ReturnType<QueueWorker['normalizeProps']>,
    topic: sns.ITopic | undefined,
  ): cloudwatch.Alarm[] {
    const alarms: cloudwatch.Alarm[] = [];
    const alarm = (id: string, description: string, props: Omit<cloudwatch.AlarmProps, 'alarmDescription'>) => {
      const created = new cloudwatch.Alarm(this, id, {
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
        alarmDescription: `${this.workloadName}: ${description}`,
      });
      if (topic) {
        created.addAlarmAction(new cloudwatchActions.SnsAction(topic));
        created.addOkAction(new cloudwatchActions.SnsAction(topic));
      }
      alarms.push(created);
    };
    const fiveMinutesMax = { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM };
    for (const { name, queue, dlq } of consumed) {
      const id = name.replace(/[^A-Za-z0-9]/g, '');
      alarm(`${id}DlqAlarm`, `messages in the dead-letter queue of ${name}`, {
        metric: dlq.metricApproximateNumberOfMessagesVisible(fiveMinutesMax),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
      alarm(`${id}DepthAlarm`, `more than ${settings.queueDepthThreshold} messages waiting in ${name}`, {
        metric: queue.metricApproximateNumberOfMessagesVisible(fiveMinutesMax),
        threshold: settings.queueDepthThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
      const maxAgeSeconds = settings.maxMessageAge.toSeconds();
      alarm(`${id}AgeAlarm`, `oldest message in ${name} older than ${maxAgeSeconds} s`, {
        metric: queue.metricApproximateAgeOfOldestMessage(fiveMinutesMax),
        threshold: maxAgeSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
    }
    const tenMinutes = { evaluationPeriods: 2, threshold: 80 };
    alarm('CpuAlarm', 'CPU above 80% for 10 minutes', {
      metric: this.service.metricCpuUtilization({ period: Duration.minutes(5) }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ...tenMinutes,
    });
    alarm('MemoryAlarm', 'memory above 80% for 10 minutes', {
      metric: this.service.metricMemoryUtilization({ period: Duration.minutes(5) }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ...tenMinutes,
    });
    alarm('ErrorsAlarm', `more than ${settings.errorLinesThreshold} error log lines in 5 minutes`, {
      metric: this.errorLines,
      threshold: settings.errorLinesThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    return alarms;
  }
}

interface ConsumedQueue {
  readonly name: string;
  readonly queue: sqs.IQueue;
  readonly dlq: sqs.IQueue;
}

/** SQS publishes its metrics once a minute; the maximum in the minute reacts to a burst. */
const PER_MINUTE_MAX: cloudwatch.MetricOptions = { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM };

/** The metric itself, or metric math summing them (`m0 + m1 + …`). */
function sumOf(label: string, metrics: readonly cloudwatch.IMetric[]): cloudwatch.IMetric {
  if (metrics.length === 1) return metrics[0] as cloudwatch.IMetric;
  const usingMetrics = Object.fromEntries(metrics.map((metric, i) => [`m${i}`, metric]));
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics).join(' + '),
    usingMetrics,
    label,
    period: Duration.minutes(1),
  });
}
