// The Fargate task definition every workload construct shares: declared size, non-root read-only container with a
// writable /tmp, the environment contract, ECS secrets, awslogs, and KMS grants that stay in the task's own stack.

import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RESERVED_ENVIRONMENT, type Workload } from '@hello-fargate/workload';
import { Duration, IgnoreMode, Stack, Validations } from 'aws-cdk-lib';
import { Platform as AssetPlatform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ConstructValidationError } from '../construct-validation-error.js';
import type { DatabaseAccess } from '../database.js';
import { DATABASE_ENVIRONMENT, DATABASE_ENVIRONMENT_NAMES, databaseEnvironment } from '../database-environment.js';

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

/** What a workload construct hands the shared task builder. */
export interface WorkloadTaskOptions {
  readonly workload: Workload;
  readonly database?: DatabaseAccess;
  readonly secrets?: Readonly<Record<string, secretsmanager.ISecret>>;
  /** Environment from the construct's caller (`props.environment`); may not override anything below. */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Environment the construct itself sets by the contract (`PORT`, `AUTH_ISSUER`, `BACKEND_URL`, …), with a word on
   * who sets it for error messages (e.g. `a webapi`).
   */
  readonly contractEnvironment?: Readonly<Record<string, string>>;
  readonly contractSetter?: string;
  readonly logGroup: logs.ILogGroup;
  readonly logStreamPrefix: string;
  readonly logDriverMode: ecs.AwsLogDriverMode;
  readonly image?: ecs.ContainerImage;
  readonly buildContext?: string;
  readonly dockerfile?: string;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly user?: string;
  readonly family: string;
  readonly portMappings?: readonly ecs.PortMapping[];
  readonly healthCheck?: ecs.HealthCheck;
}

/** What the builder made; the construct exposes these as its own fields. */
export interface WorkloadTask {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly taskRole: iam.IRole;
  readonly executionRole: iam.IRole;
}

/** The part of WorkloadTaskOptions that validateWorkloadTask checks. */
export type WorkloadTaskCheck = Pick<
  WorkloadTaskOptions,
  | 'workload'
  | 'database'
  | 'secrets'
  | 'environment'
  | 'contractEnvironment'
  | 'contractSetter'
  | 'image'
  | 'buildContext'
>;

/**
 * Checks that the props can build the workload's task: database and secrets exactly as declared, no variable set
 * twice, an image source. Throws a ConstructValidationError naming `scope`.
 */
export function validateWorkloadTask(scope: Construct, options: WorkloadTaskCheck): void {
  const { workload } = options;
  if (workload.dependsOn.database && !options.database) {
    throw new ConstructValidationError(scope, `workload "${workload.name}" declares dependsOn.database; pass database`);
  }
  if (!workload.dependsOn.database && options.database) {
    throw new ConstructValidationError(
      scope,
      `database was given but workload "${workload.name}" does not declare dependsOn.database`,
    );
  }
  const given = Object.keys(options.secrets ?? {});
  const missing = workload.secrets.filter((name) => !given.includes(name));
  if (missing.length > 0) {
    throw new ConstructValidationError(
      scope,
      `workload "${workload.name}" declares secrets ${missing.join(', ')}; pass a Secrets Manager secret for each`,
    );
  }
  const extra = given.filter((name) => !workload.secrets.includes(name));
  if (extra.length > 0) {
    throw new ConstructValidationError(
      scope,
      `secrets ${extra.join(', ')} are not declared by workload "${workload.name}"; declare them in its workload.ts`,
    );
  }
  const declared = [...Object.keys(workload.environment), ...workload.secrets];
  if (workload.dependsOn.database) {
    const clash = declared.filter((name) => DATABASE_ENVIRONMENT_NAMES.includes(name));
    if (clash.length > 0) {
      throw new ConstructValidationError(
        scope,
        `workload "${workload.name}" declares ${clash.join(', ')}, which the platform sets for dependsOn.database`,
      );
    }
  }
  const contract = Object.keys(options.contractEnvironment ?? {});
  const contractClash = declared.filter((name) => contract.includes(name));
  if (contractClash.length > 0) {
    throw new ConstructValidationError(
      scope,
      `workload "${workload.name}" declares ${contractClash.join(', ')}, which the platform sets for ` +
        `${options.contractSetter ?? 'this kind'}; rename it in its workload.ts`,
    );
  }
  const platformSet = [...RESERVED_ENVIRONMENT, ...DATABASE_ENVIRONMENT_NAMES, ...declared, ...contract];
  const overridden = Object.keys(options.environment ?? {}).filter((name) => platformSet.includes(name));
  if (overridden.length > 0) {
    throw new ConstructValidationError(
      scope,
      `environment ${overridden.join(', ')} would override the declaration or contract`,
    );
  }
  if (!options.image && !options.buildContext) {
    throw new ConstructValidationError(scope, 'pass buildContext (the Docker build context) or image');
  }
}

/**
 * Creates the task definition (`TaskDefinition`) and its container (`Container`) directly under `scope`, so the
 * logical ids are the construct's own. Call validateWorkloadTask first.
 */
export function createWorkloadTask(scope: Construct, options: WorkloadTaskOptions): WorkloadTask {
  const { workload } = options;
  /** Keys of secrets from other stacks; the execution role may decrypt with them through Secrets Manager only. */
  const secretKeys = new Set<kms.IKey>();
  const ecsSecret = (id: string, secret: secretsmanager.ISecret, field?: string): ecs.Secret => {
    // CDK's grant would add this stack's execution role to the policy of a key in another stack, making that stack
    // depend on this one (a cycle); so the secret is referenced by ARN and the role decrypts via Secrets Manager.
    const key = secret.encryptionKey;
    if (!key || Stack.of(key) === Stack.of(scope)) return ecs.Secret.fromSecretsManager(secret, field);
    secretKeys.add(key);
    const byArn =
      (scope.node.tryFindChild(id) as secretsmanager.ISecret | undefined) ??
      secretsmanager.Secret.fromSecretAttributes(scope, id, { secretCompleteArn: secret.secretArn });
    return ecs.Secret.fromSecretsManager(byArn, field);
  };

  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
    family: options.family,
    cpu: workload.cpu,
    memoryLimitMiB: workload.memory,
    runtimePlatform: {
      cpuArchitecture: options.cpuArchitecture,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
    // A bind mount with no host path is task-scoped ephemeral storage: the only writable path in the container.
    volumes: [{ name: 'tmp' }],
  });

  const secrets: Record<string, ecs.Secret> = {};
  if (options.database) {
    secrets[DATABASE_ENVIRONMENT.user] = ecsSecret('DatabaseSecret', options.database.secret, 'username');
    secrets[DATABASE_ENVIRONMENT.password] = ecsSecret('DatabaseSecret', options.database.secret, 'password');
  }
  for (const name of workload.secrets) {
    secrets[name] = ecsSecret(`Secret${name}`, options.secrets?.[name] as secretsmanager.ISecret);
  }

  const container = taskDefinition.addContainer('Container', {
    containerName: workload.name,
    image: options.image ?? imageFromDockerfile(scope, options),
    command: workload.command.length > 0 ? [...workload.command] : undefined,
    environment: {
      HF_WORKLOAD: workload.name,
      // The app drains within the stop timeout ECS gives it before SIGKILL (the runtime's serveHttp reads this).
      STOP_TIMEOUT_SECONDS: String(workload.stopTimeoutSeconds),
      NODE_ENV: 'production',
      ...(options.database ? databaseEnvironment(options.database) : {}),
      ...workload.environment,
      ...options.contractEnvironment,
      ...options.environment,
    },
    secrets,
    user: options.user ?? NON_ROOT_USER,
    readonlyRootFilesystem: true,
    stopTimeout: Duration.seconds(workload.stopTimeoutSeconds),
    essential: true,
    portMappings: options.portMappings ? [...options.portMappings] : undefined,
    healthCheck: options.healthCheck,
    logging: ecs.LogDrivers.awsLogs({
      logGroup: options.logGroup,
      streamPrefix: options.logStreamPrefix,
      mode: options.logDriverMode,
    }),
  });
  container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });

  const executionRole = taskDefinition.obtainExecutionRole();
  for (const key of secretKeys) {
    executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } },
      }),
    );
  }

  Validations.of(taskDefinition).acknowledge({
    id: 'AwsSolutions-ECS2',
    reason:
      'Only non-secret settings are plain environment (workload name, NODE_ENV, port, database host/port/name, TLS ' +
      "mode, service and issuer URLs, the declaration's non-secret environment); every credential is an ECS secret " +
      'from Secrets Manager.',
  });
  Validations.of(executionRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'ecr:GetAuthorizationToken has no resource-level permissions, so ECS image pulls need Resource "*"; ' +
      'every other statement names the repository, log group and secrets.',
  });
  return { taskDefinition, container, taskRole: taskDefinition.taskRole, executionRole };
}

/** The image asset built from the workload's Dockerfile (also used by BatchJob, whose container is not a task's). */
export function imageFromDockerfile(
  scope: Construct,
  options: Pick<WorkloadTaskOptions, 'workload' | 'buildContext' | 'dockerfile' | 'cpuArchitecture'>,
): ecs.ContainerImage {
  const buildContext = options.buildContext as string;
  const file = options.dockerfile ?? relative(buildContext, join(options.workload.directory, 'Dockerfile'));
  if (!existsSync(join(buildContext, file))) {
    throw new ConstructValidationError(
      scope,
      `no Dockerfile at ${join(buildContext, file)}; add it or pass dockerfile`,
    );
  }
  return ecs.ContainerImage.fromAsset(buildContext, {
    file,
    platform:
      options.cpuArchitecture === ecs.CpuArchitecture.ARM64 ? AssetPlatform.LINUX_ARM64 : AssetPlatform.LINUX_AMD64,
    ignoreMode: IgnoreMode.DOCKER,
    exclude: ALWAYS_EXCLUDED,
  });
}
