// The task props every workload construct shares (OneOffTask and the services): network placement, database and
// secrets, logging, image and the task definition's architecture, user and family.

import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { DatabaseAccess } from './database.js';

/** What every workload construct takes to build its task (`OneOffTaskProps`, `WorkloadServiceProps`). */
export interface WorkloadTaskProps {
  /**
   * The VPC of the workload's security group.
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
   * Log group for the container's awslogs driver (and, for a service, the Service Connect proxy).
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
   * CPU architecture of the task and of the image built for it. Fargate Spot runs X86_64 only, so ARM64 services
   * cannot use it.
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
}
