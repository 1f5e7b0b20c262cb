// OneOffTask: a Fargate task definition built from a task workload's declaration, started with ECS RunTask.

import { TASK_STACK_OUTPUTS, type Workload } from '@hello-fargate/workload';
import { CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import type { DatabaseAccess } from './database.js';
import { retentionDays } from './private/log-retention.js';
import { createWorkloadTask, validateWorkloadTask } from './private/workload-task.js';

export { NON_ROOT_USER } from './private/workload-task.js';

export interface OneOffTaskProps {
  /** The task workload's declaration (from its `workload.ts`). */
  readonly workload: Workload;
  /** The cluster RunTask starts the task in; exported as the `ClusterName` output. */
  readonly cluster: ecs.ICluster;
  /** Subnets RunTask places the task in (the isolated ECS subnets); exported as `SubnetIds`. */
  readonly subnets: ec2.SubnetSelection;
  /**
   * The VPC of the task's security group.
   * @default - the cluster's VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The database, required exactly when the workload declares `dependsOn.database`.
   * @default - none
   */
  readonly database?: DatabaseAccess;
  /**
   * One Secrets Manager secret per name in the workload's `secrets`; each becomes that environment variable.
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, secretsmanager.ISecret>>;
  /**
   * Platform-provided plain environment (queue URLs, …) added to the declaration's.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Log group for the container's awslogs driver.
   * @default - a new log group encrypted with `encryptionKey`, kept `logRetentionDays`
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * Key for the default log group. It must let CloudWatch Logs use it (the `Platform` key does).
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Days the default log group keeps events (a value CloudWatch Logs accepts).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * The container image.
   * @default - built at deploy time from `dockerfile` in `buildContext` (synth only stages the context)
   */
  readonly image?: ecs.ContainerImage;
  /**
   * Absolute path of the Docker build context (the repository root for this project's Dockerfiles). Its
   * `.dockerignore` decides what is staged. Required when `image` is not given.
   * @default - none
   */
  readonly buildContext?: string;
  /**
   * Dockerfile path relative to `buildContext`.
   * @default - `Dockerfile` in the workload's directory
   */
  readonly dockerfile?: string;
  /**
   * CPU architecture of the task and of the image built for it. Fargate Spot runs X86_64 only.
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * User (uid:gid) the container runs as; never root.
   * @default '65532:65532' (distroless `nonroot`)
   */
  readonly user?: string;
  /**
   * Task definition family.
   * @default - the stack name
   */
  readonly family?: string;
  /**
   * Create the stack outputs named in TASK_STACK_OUTPUTS (`hf run-task --env` reads them). One task per stack can.
   * @default true
   */
  readonly outputs?: boolean;
}

/**
 * A Fargate task definition for a task workload (oneoff, scheduled step): the declaration's cpu, memory, command,
 * stop timeout, environment and secrets; non-root, read-only root filesystem with a writable `/tmp` (a task-scoped
 * bind mount), awslogs to an encrypted log group, a security group with no ingress, an empty task role, and an
 * execution role that can only pull the image, write the log group and read the secrets it was given.
 *
 * The container's environment in AWS:
 * - `HF_WORKLOAD` (workload name), `NODE_ENV=production`, the declaration's `environment`, `props.environment`;
 * - each declared secret name, from the Secrets Manager secret given for it;
 * - with `dependsOn.database`: `PGHOST`, `PGPORT`, `PGDATABASE`, `PGSSLMODE=verify-full` (plain) and `PGUSER`,
 *   `PGPASSWORD` (ECS secrets from the database secret's JSON keys) — the runtime builds `DATABASE_URL` from them
 *   (see DATABASE_ENVIRONMENT);
 * - from ECS itself: `AWS_REGION`, `AWS_DEFAULT_REGION`, `ECS_CONTAINER_METADATA_URI_V4`, ….
 */
export class OneOffTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.ILogGroup;
  /** awslogs stream prefix; a task's stream is `<prefix>/<container name>/<task id>`. */
  readonly logStreamPrefix: string;
  /** The role the app's code runs as: no permissions unless granted. */
  readonly taskRole: iam.IRole;
  readonly executionRole: iam.IRole;

  constructor(scope: Construct, id: string, props: OneOffTaskProps) {
    super(scope, id);
    const { workload } = props;
    if (workload.isService) {
      throw new ConstructValidationError(this, `workload "${workload.name}" is a ${workload.kind} service, not a task`);
    }
    const vpc = props.vpc ?? props.cluster.vpc;
    this.logStreamPrefix = workload.name;
    validateWorkloadTask(this, props);

    this.logGroup =
      props.logGroup ??
      new logs.LogGroup(this, 'LogGroup', {
        encryptionKey: props.encryptionKey,
        retention: retentionDays(this, 'logRetentionDays', props.logRetentionDays ?? 30),
      });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `${workload.name} tasks: no ingress; HTTPS to AWS endpoints and PostgreSQL to the database only`,
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to the VPC endpoints and the S3 gateway; the ECS subnets have no route to the internet',
    );
    props.database?.allowFrom(this.securityGroup);

    const task = createWorkloadTask(this, {
      workload,
      database: props.database,
      secrets: props.secrets,
      environment: props.environment,
      logGroup: this.logGroup,
      logStreamPrefix: this.logStreamPrefix,
      // A migration's log is its record; block rather than drop lines when CloudWatch Logs is slow.
      logDriverMode: ecs.AwsLogDriverMode.BLOCKING,
      image: props.image,
      buildContext: props.buildContext,
      dockerfile: props.dockerfile,
      cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
      user: props.user,
      family: props.family ?? Stack.of(this).stackName,
    });
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.taskRole = task.taskRole;
    this.executionRole = task.executionRole;
    if (props.outputs ?? true) this.createOutputs(props);
  }

  private createOutputs(props: OneOffTaskProps): void {
    const vpc = props.vpc ?? props.cluster.vpc;
    const outputs: [keyof typeof TASK_STACK_OUTPUTS, string, string][] = [
      ['clusterName', props.cluster.clusterName, 'ECS cluster to run the task in'],
      ['taskDefinitionArn', this.taskDefinition.taskDefinitionArn, 'Task definition (family:revision) to run'],
      ['containerName', this.container.containerName, 'Container to override the command of'],
      ['subnetIds', Fn.join(',', vpc.selectSubnets(props.subnets).subnetIds), 'Subnets for awsvpc (no public IP)'],
      ['securityGroupIds', this.securityGroup.securityGroupId, 'Security groups for awsvpc'],
      ['logGroupName', this.logGroup.logGroupName, 'CloudWatch log group of the container'],
      ['logStreamPrefix', this.logStreamPrefix, 'awslogs stream prefix: <prefix>/<container>/<task id>'],
    ];
    for (const [key, value, description] of outputs) {
      new CfnOutput(this, TASK_STACK_OUTPUTS[key], { value, description }).overrideLogicalId(TASK_STACK_OUTPUTS[key]);
    }
  }
}
