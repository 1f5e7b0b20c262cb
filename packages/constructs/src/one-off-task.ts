// OneOffTask: a Fargate task definition built from a task workload's declaration, started with ECS RunTask.

import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RESERVED_ENVIRONMENT, TASK_STACK_OUTPUTS, type Workload } from '@hello-fargate/workload';
import { CfnOutput, Duration, Fn, IgnoreMode, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform as AssetPlatform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import type { DatabaseAccess } from './database.js';
import { DATABASE_ENVIRONMENT, DATABASE_ENVIRONMENT_NAMES, databaseEnvironment } from './database-environment.js';
import { retentionDays } from './private/log-retention.js';

/** The distroless `nonroot` user (uid:gid) the per-app Dockerfiles run as. */
export const NON_ROOT_USER = '65532:65532';

/**
 * Never staged into an image asset, whatever the build context's `.dockerignore` says: staging copies the context
 * into cdk.out on every synth, and these are large, generated or private.
 */
const ALWAYS_EXCLUDED = [
  '**/node_modules',
  'cdk.out',
  '**/cdk.out',
  '.git',
  '.hf',
  'test-artifacts',
  'secrets.local.json',
];

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
  /** Keys of secrets from other stacks; the execution role may decrypt with them through Secrets Manager only. */
  private readonly secretKeys = new Set<kms.IKey>();

  constructor(scope: Construct, id: string, props: OneOffTaskProps) {
    super(scope, id);
    const { workload } = props;
    this.validate(props);
    const cpuArchitecture = props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64;
    const vpc = props.vpc ?? props.cluster.vpc;
    this.logStreamPrefix = workload.name;

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

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: props.family ?? Stack.of(this).stackName,
      cpu: workload.cpu,
      memoryLimitMiB: workload.memory,
      runtimePlatform: { cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      // A bind mount with no host path is task-scoped ephemeral storage: the only writable path in the container.
      volumes: [{ name: 'tmp' }],
    });

    const secrets: Record<string, ecs.Secret> = {};
    if (props.database) {
      secrets[DATABASE_ENVIRONMENT.user] = this.ecsSecret('DatabaseSecret', props.database.secret, 'username');
      secrets[DATABASE_ENVIRONMENT.password] = this.ecsSecret('DatabaseSecret', props.database.secret, 'password');
    }
    for (const name of workload.secrets) {
      secrets[name] = this.ecsSecret(`Secret${name}`, props.secrets?.[name] as secretsmanager.ISecret);
    }

    this.container = this.taskDefinition.addContainer('Container', {
      containerName: workload.name,
      image: props.image ?? this.imageFromDockerfile(props, cpuArchitecture),
      command: workload.command.length > 0 ? [...workload.command] : undefined,
      environment: {
        HF_WORKLOAD: workload.name,
        NODE_ENV: 'production',
        ...(props.database ? databaseEnvironment(props.database) : {}),
        ...workload.environment,
        ...props.environment,
      },
      secrets,
      user: props.user ?? NON_ROOT_USER,
      readonlyRootFilesystem: true,
      stopTimeout: Duration.seconds(workload.stopTimeoutSeconds),
      essential: true,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: this.logStreamPrefix,
        // A migration's log is its record; block rather than drop lines when CloudWatch Logs is slow.
        mode: ecs.AwsLogDriverMode.BLOCKING,
      }),
    });
    this.container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });

    this.taskRole = this.taskDefinition.taskRole;
    this.executionRole = this.taskDefinition.obtainExecutionRole();
    for (const key of this.secretKeys) {
      this.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    this.acknowledgeFindings();
    if (props.outputs ?? true) this.createOutputs(props);
  }

  private validate(props: OneOffTaskProps): void {
    const { workload } = props;
    if (workload.isService) {
      throw new ConstructValidationError(this, `workload "${workload.name}" is a ${workload.kind} service, not a task`);
    }
    if (workload.dependsOn.database && !props.database) {
      throw new ConstructValidationError(
        this,
        `workload "${workload.name}" declares dependsOn.database; pass database`,
      );
    }
    if (!workload.dependsOn.database && props.database) {
      throw new ConstructValidationError(
        this,
        `database was given but workload "${workload.name}" does not declare dependsOn.database`,
      );
    }
    const given = Object.keys(props.secrets ?? {});
    const missing = workload.secrets.filter((name) => !given.includes(name));
    if (missing.length > 0) {
      throw new ConstructValidationError(
        this,
        `workload "${workload.name}" declares secrets ${missing.join(', ')}; pass a Secrets Manager secret for each`,
      );
    }
    const extra = given.filter((name) => !workload.secrets.includes(name));
    if (extra.length > 0) {
      throw new ConstructValidationError(
        this,
        `secrets ${extra.join(', ')} are not declared by workload "${workload.name}"; declare them in its workload.ts`,
      );
    }
    const declared = [...Object.keys(workload.environment), ...workload.secrets];
    if (workload.dependsOn.database) {
      const clash = declared.filter((name) => DATABASE_ENVIRONMENT_NAMES.includes(name));
      if (clash.length > 0) {
        throw new ConstructValidationError(
          this,
          `workload "${workload.name}" declares ${clash.join(', ')}, which the platform sets for dependsOn.database`,
        );
      }
    }
    const platformSet = [...RESERVED_ENVIRONMENT, ...DATABASE_ENVIRONMENT_NAMES, ...declared];
    const overridden = Object.keys(props.environment ?? {}).filter((name) => platformSet.includes(name));
    if (overridden.length > 0) {
      throw new ConstructValidationError(
        this,
        `environment ${overridden.join(', ')} would override the declaration or contract`,
      );
    }
    if (!props.image && !props.buildContext) {
      throw new ConstructValidationError(this, 'pass buildContext (the Docker build context) or image');
    }
  }

  /**
   * An ECS secret whose grants stay in this stack. For a secret encrypted with a key from another stack, CDK's grant
   * would add this stack's execution role to that key's policy, making the key's stack depend on this one (a cycle);
   * instead the secret is referenced by ARN and the role gets kms:Decrypt via Secrets Manager in its own policy (the
   * key policy already delegates to IAM in the account).
   */
  private ecsSecret(id: string, secret: secretsmanager.ISecret, field?: string): ecs.Secret {
    const key = secret.encryptionKey;
    if (!key || Stack.of(key) === Stack.of(this)) return ecs.Secret.fromSecretsManager(secret, field);
    this.secretKeys.add(key);
    const byArn =
      (this.node.tryFindChild(id) as secretsmanager.ISecret | undefined) ??
      secretsmanager.Secret.fromSecretAttributes(this, id, { secretCompleteArn: secret.secretArn });
    return ecs.Secret.fromSecretsManager(byArn, field);
  }

  private imageFromDockerfile(props: OneOffTaskProps, cpuArchitecture: ecs.CpuArchitecture): ecs.ContainerImage {
    const buildContext = props.buildContext as string;
    const file = props.dockerfile ?? relative(buildContext, join(props.workload.directory, 'Dockerfile'));
    if (!existsSync(join(buildContext, file))) {
      throw new ConstructValidationError(
        this,
        `no Dockerfile at ${join(buildContext, file)}; add it or pass dockerfile`,
      );
    }
    return ecs.ContainerImage.fromAsset(buildContext, {
      file,
      platform: cpuArchitecture === ecs.CpuArchitecture.ARM64 ? AssetPlatform.LINUX_ARM64 : AssetPlatform.LINUX_AMD64,
      ignoreMode: IgnoreMode.DOCKER,
      exclude: ALWAYS_EXCLUDED,
    });
  }

  private acknowledgeFindings(): void {
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'Only non-secret settings are plain environment (workload name, NODE_ENV, database host/port/name, TLS ' +
        "mode, the declaration's non-secret environment); every credential is an ECS secret from Secrets Manager.",
    });
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource-level permissions, so ECS image pulls need Resource "*"; ' +
        'every other statement names the repository, log group and secrets.',
    });
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
