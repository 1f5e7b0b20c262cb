// BatchJob: a batchjob workload as an AWS Batch job definition on Fargate, with an alarm on its failed jobs.

import { BATCH_JOB_STACK_OUTPUTS, type Workload } from '@hello-fargate/workload';
import { CfnOutput, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BatchQueue } from './batch-compute.js';
import { ConstructValidationError } from './construct-validation-error.js';
import { DATABASE_ENVIRONMENT, databaseEnvironment } from './database-environment.js';
import { createLogGroup } from './private/log-retention.js';
import { failureEventInbox } from './private/failure-event-inbox.js';
import { imageFromDockerfile, NON_ROOT_USER, validateWorkloadTask } from './private/workload-task.js';
import type { WorkloadTaskProps } from './workload-task-props.js';

/** CloudFormation output keys of a batchjob's stack (shared with the CLI through @hello-fargate/workload). */
export { BATCH_JOB_STACK_OUTPUTS };

/** AWS Batch gives a container this long between SIGTERM and SIGKILL; a declaration cannot lengthen it. */
const BATCH_STOP_SECONDS = 30;

/** The name of the volume mounted at `/tmp`. */
const TMP_VOLUME = 'tmp';

export interface BatchJobProps extends Omit<WorkloadTaskProps, 'vpc' | 'family' | 'cpuArchitecture'> {
  /** The batchjob's declaration; its `batch` names the job queue and the retry strategy. */
  readonly workload: Workload;
  /** The job queue of `workload.batch.jobQueue` (from `BatchCompute.queue`). */
  readonly jobQueue: BatchQueue;
  /**
   * Job definition name; every deploy registers a new revision of it.
   * @default - the stack name
   */
  readonly jobDefinitionName?: string;
  /**
   * Topic the failed-jobs alarm notifies when it fires and when it recovers.
   * @default - an alarm without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Create the stack outputs named in BATCH_JOB_STACK_OUTPUTS. One job per stack can.
   * @default true
   */
  readonly outputs?: boolean;
}

/**
 * An `EcsJobDefinition` (Fargate, X86_64, no public IP) from a batchjob's declaration: cpu as vCPUs (1024 = 1),
 * memory, command, the environment contract (`HF_WORKLOAD`, `NODE_ENV`, `STOP_TIMEOUT_SECONDS` = 30, the database's
 * `PG*` settings, the declared environment) and secrets as ECS secrets; non-root, read-only root filesystem with a
 * writable `/tmp`; awslogs to an encrypted log group; an empty job role; an execution role that can only pull the
 * image, write the log group and read its secrets. `retryStrategy` is `batch.attempts` with `batch.evaluateOnExit`
 * (AWS retries an attempt no rule matches), the timeout `batch.attemptDurationSeconds`. Batch sets
 * `AWS_BATCH_JOB_ID`, `AWS_BATCH_JOB_ATTEMPT` and, for array children, `AWS_BATCH_JOB_ARRAY_INDEX`/`…_SIZE`.
 *
 * Failed jobs: an EventBridge rule on `Batch Job State Change` with status FAILED for this job definition sends each
 * event to a `FailedJobs` SQS queue (SSE-SQS, so EventBridge needs no key grant; kept 14 days, so the events with
 * their `statusReason` can be read), and an alarm fires when that queue received at least one in 5 minutes
 * (NumberOfMessagesSent counts EventBridge's sends). Batch itself publishes no per-job-definition failure metric.
 *
 * On Fargate the job's security group is its compute environment's: a job that uses the database admits the job
 * queue's security group, and so every job of that queue.
 *
 * The `/tmp` volume has only a name (no `host`, which Batch documents as not applicable to Fargate jobs).
 *
 * Verified only by the synthesized template (no AWS here): that Batch accepts the name-only volume for `/tmp` on
 * Fargate and that it is writable by the non-root user, and that the event pattern's job definition prefix matches
 * the ARNs Batch puts in its events.
 *
 * **Cost**: Fargate (or Fargate Spot) per running job; EventBridge rule matches are free for AWS service events; SQS
 * requests per failed job; one alarm.
 */
export class BatchJob extends Construct {
  readonly jobDefinition: batch.EcsJobDefinition;
  readonly container: batch.EcsFargateContainerDefinition;
  readonly jobRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly logGroup: logs.ILogGroup;
  readonly logStreamPrefix: string;
  /** Receives the `Batch Job State Change` event of every failed job of this definition. */
  readonly failedJobsQueue: sqs.Queue;
  readonly failedJobsRule: events.Rule;
  readonly failedJobsAlarm: cloudwatch.Alarm;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: BatchJobProps) {
    super(scope, id);
    const { workload } = props;
    const settings = this.normalizeProps(props);
    validateWorkloadTask(this, props);
    this.logStreamPrefix = workload.name;
    this.logGroup = props.logGroup ?? createLogGroup(this, 'LogGroup', props);
    props.database?.allowFrom(props.jobQueue.securityGroup);

    this.jobRole = new iam.Role(this, 'JobRole', {
      description: `${workload.name} job containers: no permissions unless granted`,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      description: `${workload.name} jobs: pull the image, write the log group, read the secrets`,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    this.container = new batch.EcsFargateContainerDefinition(this, 'Container', {
      image:
        props.image ??
        imageFromDockerfile(this, {
          workload,
          buildContext: props.buildContext,
          dockerfile: props.dockerfile,
          cpuArchitecture: ecs.CpuArchitecture.X86_64,
        }),
      cpu: workload.cpu / 1024,
      memory: Size.mebibytes(workload.memory),
      command: workload.command.length > 0 ? [...workload.command] : undefined,
      environment: {
        HF_WORKLOAD: workload.name,
        STOP_TIMEOUT_SECONDS: String(Math.min(workload.stopTimeoutSeconds, BATCH_STOP_SECONDS)),
        NODE_ENV: 'production',
        ...(props.database ? databaseEnvironment(props.database) : {}),
        ...workload.environment,
        ...props.environment,
      },
      secrets: this.createSecrets(props),
      jobRole: this.jobRole,
      executionRole: this.executionRole,
      user: props.user ?? NON_ROOT_USER,
      readonlyRootFilesystem: true,
      // The only writable path in the container. The L2 renders a host volume as `Host: {}`; Batch says `host` is not
      // applicable to Fargate jobs and should not be given, so the job definition drops it below (a volume with only
      // a name: a Fargate bind mount, task-scoped storage, as OneOffTask's /tmp).
      volumes: [batch.EcsVolume.host({ name: TMP_VOLUME, containerPath: '/tmp', readonly: false })],
      assignPublicIp: false,
      fargateCpuArchitecture: ecs.CpuArchitecture.X86_64,
      fargateOperatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: this.logStreamPrefix,
        mode: ecs.AwsLogDriverMode.BLOCKING,
      }),
    });
    this.jobDefinition = new batch.EcsJobDefinition(this, 'JobDefinition', {
      jobDefinitionName: settings.jobDefinitionName,
      container: this.container,
      retryAttempts: settings.attempts,
      retryStrategies: settings.retryStrategies,
      timeout: settings.timeout,
      propagateTags: true,
    });
    this.dropHostOfTmpVolume();
    Validations.of(this.jobDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'Only non-secret settings are plain environment (workload name, NODE_ENV, stop timeout, database host/port/' +
        "name, TLS mode, the declaration's non-secret environment); every credential is a secret from Secrets Manager.",
    });
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource-level permissions, so image pulls need Resource "*"; every other ' +
        'statement names the repository, log group and secrets.',
    });

    const inbox = failureEventInbox(this, {
      id: 'FailedJobs',
      what: 'failed-job events',
      ruleDescription: `${this.node.path}: Batch jobs of ${settings.jobDefinitionName} that FAILED`,
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job State Change'],
        detail: {
          status: ['FAILED'],
          // Every revision: events carry `…:job-definition/<name>:<revision>`.
          jobDefinition: events.Match.prefix(
            Stack.of(this).formatArn({
              service: 'batch',
              resource: 'job-definition',
              resourceName: `${settings.jobDefinitionName}:`,
            }),
          ),
        },
      },
      alarmDescription: `${workload.name}: a job (or array child) failed after its attempts; see the FailedJobs queue`,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
    this.failedJobsQueue = inbox.queue;
    this.failedJobsRule = inbox.rule;
    this.failedJobsAlarm = inbox.alarm;
    this.alarms = [this.failedJobsAlarm];
    if (props.outputs ?? true) this.createOutputs(props.jobQueue);
  }

  private normalizeProps(props: BatchJobProps) {
    const { workload } = props;
    if (workload.kind !== 'batchjob' || !workload.batch) {
      throw new ConstructValidationError(
        this,
        `workload "${workload.name}" is a ${workload.kind}; BatchJob builds batchjob workloads (with batch settings)`,
      );
    }
    const { batch: options } = workload;
    if (props.jobQueue.declaration.name !== options.jobQueue) {
      throw new ConstructValidationError(
        this,
        `workload "${workload.name}" declares batch.jobQueue "${options.jobQueue}" but jobQueue ` +
          `"${props.jobQueue.declaration.name}" was given; pass batchCompute.queue("${options.jobQueue}")`,
      );
    }
    const jobDefinitionName = props.jobDefinitionName ?? Stack.of(this).stackName;
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(jobDefinitionName)) {
      throw new ConstructValidationError(
        this,
        `jobDefinitionName "${jobDefinitionName}" must be up to 128 letters, digits, "-" and "_"`,
      );
    }
    const retryStrategies = options.evaluateOnExit.map((rule) =>
      batch.RetryStrategy.of(
        rule.action === 'RETRY' ? batch.Action.RETRY : batch.Action.EXIT,
        batch.Reason.custom({
          onExitCode: rule.onExitCode,
          onReason: rule.onReason,
          onStatusReason: rule.onStatusReason,
        }),
      ),
    );
    return {
      jobDefinitionName,
      attempts: options.attempts,
      retryStrategies,
      timeout:
        options.attemptDurationSeconds === undefined ? undefined : Duration.seconds(options.attemptDurationSeconds),
    };
  }

  /**
   * Removes `Host` from the `/tmp` volume of the rendered job definition (escape hatch: the L2 has no name-only
   * volume). Batch's `Volume.host`: "isn't applicable to jobs that are running on Fargate resources and shouldn't be
   * provided"; a volume with just a `name` is what ECS documents as a Fargate bind mount (empty, task-scoped).
   */
  private dropHostOfTmpVolume(): void {
    const index = this.container.volumes.findIndex((volume) => volume.name === TMP_VOLUME);
    const cfn = this.jobDefinition.node.defaultChild as batch.CfnJobDefinition;
    cfn.addPropertyDeletionOverride(`ContainerProperties.Volumes.${index}.Host`);
  }

  /**
   * ECS secrets by ARN: a grant through the secret object would add this stack's execution role to the policy of a
   * key in another stack (a dependency cycle), so the role decrypts through Secrets Manager only (see OneOffTask).
   */
  private createSecrets(props: BatchJobProps): Record<string, batch.Secret> {
    const keys = new Set<kms.IKey>();
    const byArn = (id: string, secret: secretsmanager.ISecret) => {
      if (secret.encryptionKey) keys.add(secret.encryptionKey);
      return (
        (this.node.tryFindChild(id) as secretsmanager.ISecret | undefined) ??
        secretsmanager.Secret.fromSecretAttributes(this, id, { secretCompleteArn: secret.secretArn })
      );
    };
    const secrets: Record<string, batch.Secret> = {};
    if (props.database) {
      const secret = byArn('DatabaseSecret', props.database.secret);
      secrets[DATABASE_ENVIRONMENT.user] = batch.Secret.fromSecretsManager(secret, 'username');
      secrets[DATABASE_ENVIRONMENT.password] = batch.Secret.fromSecretsManager(secret, 'password');
    }
    for (const name of props.workload.secrets) {
      const given = props.secrets?.[name] as secretsmanager.ISecret;
      secrets[name] = batch.Secret.fromSecretsManager(byArn(`Secret${name}`, given));
    }
    for (const key of keys) {
      this.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    return secrets;
  }

  private createOutputs(jobQueue: BatchQueue): void {
    const outputs: [keyof typeof BATCH_JOB_STACK_OUTPUTS, string, string][] = [
      ['jobQueueArn', jobQueue.jobQueue.jobQueueArn, 'Job queue to submit to'],
      ['jobQueueName', jobQueue.jobQueue.jobQueueName, 'Name of the job queue'],
      ['jobDefinitionArn', this.jobDefinition.jobDefinitionArn, 'Job definition (name:revision) to submit'],
      ['jobDefinitionName', this.jobDefinition.jobDefinitionName, 'Job definition name (its latest revision)'],
      ['logGroupName', this.logGroup.logGroupName, 'CloudWatch log group of the job containers'],
      ['logStreamPrefix', this.logStreamPrefix, 'awslogs stream prefix: <prefix>/default/<task id>'],
      ['failedJobsQueueUrl', this.failedJobsQueue.queueUrl, 'Queue of Batch Job State Change events of failed jobs'],
    ];
    for (const [key, value, description] of outputs) {
      new CfnOutput(this, BATCH_JOB_STACK_OUTPUTS[key], { value, description }).overrideLogicalId(
        BATCH_JOB_STACK_OUTPUTS[key],
      );
    }
  }
}
