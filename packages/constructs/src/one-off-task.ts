// OneOffTask: a Fargate task definition built from a task workload's declaration, started with ECS RunTask.

import { TASK_STACK_OUTPUTS, type Workload } from '@hello-fargate/workload';
import { CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import { createLogGroup } from './private/log-retention.js';
import { createWorkloadTask, validateWorkloadTask } from './private/workload-task.js';
import type { WorkloadTaskProps } from './workload-task-props.js';

export { NON_ROOT_USER } from './private/workload-task.js';

export interface OneOffTaskProps extends WorkloadTaskProps {
  /** The task workload's declaration (from its `workload.ts`). */
  readonly workload: Workload;
  /** The cluster RunTask starts the task in; exported as the `ClusterName` output. */
  readonly cluster: ecs.ICluster;
  /** Subnets RunTask places the task in (the isolated ECS subnets); exported as `SubnetIds`. */
  readonly subnets: ec2.SubnetSelection;
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

    this.logGroup = props.logGroup ?? createLogGroup(this, 'LogGroup', props);

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
