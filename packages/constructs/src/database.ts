// Database: the system's Aurora PostgreSQL Serverless v2 cluster, reachable only from the security groups let in.

import { Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import { allowCloudWatchLogs } from './private/allow-cloudwatch-logs.js';
import { retentionDays } from './private/log-retention.js';

/** PostgreSQL's port. Kept (not obfuscated) so every client and the local runner use the same one. */
export const POSTGRES_PORT = 5432;

/** What a workload needs to connect to the database. `Database` implements it. */
export interface DatabaseAccess {
  /** Secrets Manager secret with the JSON keys `username` and `password` (also `host`, `port`, `dbname`, …). */
  readonly secret: secretsmanager.ISecret;
  /** Host name of the writer (cluster) endpoint. */
  readonly hostname: string;
  readonly port: number;
  /** Name of the database created in the cluster. */
  readonly databaseName: string;
  /** Admits PostgreSQL traffic from `client`; see `Database.allowFrom`. */
  allowFrom(client: ec2.ISecurityGroup): void;
}

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  /**
   * Where the cluster's instances go.
   * @default - the VPC's private subnets with egress (the app subnets)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Encrypts storage, snapshots, the credentials secret and the PostgreSQL log group. A key passed in must already
   * let CloudWatch Logs of this account use it (the `Platform` key does).
   * @default - a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Cluster identifier; also names the PostgreSQL log group `/aws/rds/cluster/<id>/postgresql`. Lower case.
   * @default - a unique name derived from the construct path
   */
  readonly clusterIdentifier?: string;
  /**
   * Engine version.
   * @default rds.AuroraPostgresEngineVersion.VER_16_6
   */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;
  /**
   * Fewest Aurora capacity units (ACUs) the writer scales down to: 0 (auto-pause) or 0.5 to 256 in steps of 0.5.
   * @default 0.5
   */
  readonly minCapacity?: number;
  /**
   * Most ACUs the writer scales up to: 1 to 256 in steps of 0.5, at least `minCapacity`.
   * @default 2
   */
  readonly maxCapacity?: number;
  /**
   * Refuse to delete the cluster (CloudFormation and console) until this is turned off.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * What happens to the data when the cluster leaves the stack.
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Database created in the cluster.
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * Master user name, stored with its generated password in the secret.
   * @default 'app_admin'
   */
  readonly username?: string;
  /**
   * Days of automated backups (1–35).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Days the PostgreSQL log group keeps events (a value CloudWatch Logs accepts).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Days between automatic rotations of the master password (1–1000).
   * @default 30
   */
  readonly rotationDays?: number;
  /**
   * Security groups admitted on the PostgreSQL port, created in this stack or in stacks deployed before it. Clients
   * in later stacks call `allowFrom` instead.
   * @default - none
   */
  readonly clientSecurityGroups?: readonly ec2.ISecurityGroup[];
}

/**
 * Aurora PostgreSQL Serverless v2 with one writer: storage encrypted with a customer-managed key, credentials
 * generated into Secrets Manager and rotated, IAM authentication on, TLS required (`rds.force_ssl`), automated
 * backups, PostgreSQL logs exported to an encrypted log group. Its security group admits only the PostgreSQL port,
 * only from the client security groups it is given, and has no egress.
 *
 * **Cost**: ACU-hours between `minCapacity` and `maxCapacity`, storage and I/O, backups beyond the cluster size.
 */
export class Database extends Construct implements DatabaseAccess, ec2.IConnectable {
  readonly cluster: rds.DatabaseCluster;
  readonly secret: secretsmanager.ISecret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
  readonly encryptionKey: kms.IKey;
  readonly logGroup: logs.LogGroup;
  readonly hostname: string;
  readonly port = POSTGRES_PORT;
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const settings = this.normalize(props);
    this.databaseName = settings.databaseName;
    this.encryptionKey = props.encryptionKey ?? this.createKey();

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `PostgreSQL ${POSTGRES_PORT} from the listed client security groups only`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({
      securityGroups: [this.securityGroup],
      defaultPort: ec2.Port.tcp(POSTGRES_PORT),
    });
    for (const client of props.clientSecurityGroups ?? []) {
      // These clients exist before this stack, so the rule belongs here (allowFrom would put it in their stack).
      this.securityGroup.addIngressRule(client, ec2.Port.tcp(POSTGRES_PORT), `PostgreSQL from ${client.node.path}`);
    }

    // Created before the cluster, with the name RDS exports to, so the logs get retention and encryption without a
    // log-retention custom resource.
    this.logGroup = new logs.LogGroup(this, 'PostgresqlLogGroup', {
      logGroupName: `/aws/rds/cluster/${settings.clusterIdentifier}/postgresql`,
      encryptionKey: this.encryptionKey,
      retention: settings.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: settings.engineVersion });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      clusterIdentifier: settings.clusterIdentifier,
      writer: rds.ClusterInstance.serverlessV2('Writer', {
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      }),
      serverlessV2MinCapacity: settings.minCapacity,
      serverlessV2MaxCapacity: settings.maxCapacity,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      port: POSTGRES_PORT,
      defaultDatabaseName: settings.databaseName,
      credentials: rds.Credentials.fromGeneratedSecret(settings.username, { encryptionKey: this.encryptionKey }),
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
      iamAuthentication: true,
      deletionProtection: settings.deletionProtection,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
      backup: { retention: Duration.days(settings.backupRetentionDays) },
      cloudwatchLogsExports: ['postgresql'],
      copyTagsToSnapshot: true,
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', {
        engine,
        description: 'TLS required for every connection',
        parameters: { 'rds.force_ssl': '1' },
      }),
    });
    this.cluster.node.addDependency(this.logGroup);
    this.secret = this.cluster.secret as secretsmanager.ISecret;
    this.hostname = this.cluster.clusterEndpoint.hostname;

    // The rotation function runs in the cluster's subnets and reaches Secrets Manager through the VPC endpoint.
    this.cluster.addRotationSingleUser({ automaticallyAfter: Duration.days(settings.rotationDays) });

    if (!settings.deletionProtection) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason:
          'deletionProtection is turned off on purpose for this environment (its config marks it disposable so ' +
          'it can be destroyed); production keeps it on.',
      });
    }
  }

  /**
   * Admits PostgreSQL from `client`. The rules (ingress on the database's group, egress on the client's) are created
   * beside the client when it lives in another stack, so the database stack never depends on its clients.
   * Use `clientSecurityGroups` for clients in stacks deployed before this one.
   */
  allowFrom(client: ec2.ISecurityGroup): void {
    client.connections.allowTo(this, ec2.Port.tcp(POSTGRES_PORT), `PostgreSQL to ${this.node.path}`);
  }

  private normalize(props: DatabaseProps) {
    const minCapacity = props.minCapacity ?? 0.5;
    const maxCapacity = props.maxCapacity ?? 2;
    const isHalfStep = (v: number) => Number.isFinite(v) && Number.isInteger(v * 2);
    if (!isHalfStep(minCapacity) || minCapacity < 0 || minCapacity > 256) {
      throw new ConstructValidationError(this, `minCapacity ${minCapacity} must be 0 to 256 in steps of 0.5`);
    }
    if (!isHalfStep(maxCapacity) || maxCapacity < 1 || maxCapacity > 256) {
      throw new ConstructValidationError(this, `maxCapacity ${maxCapacity} must be 1 to 256 in steps of 0.5`);
    }
    if (maxCapacity < minCapacity) {
      throw new ConstructValidationError(this, `maxCapacity ${maxCapacity} is below minCapacity ${minCapacity}`);
    }
    const databaseName = props.databaseName ?? 'app';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseName)) {
      throw new ConstructValidationError(this, `databaseName "${databaseName}" must be lower-case letters, digits, _`);
    }
    const username = props.username ?? 'app_admin';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(username) || ['postgres', 'rdsadmin', 'admin'].includes(username)) {
      throw new ConstructValidationError(
        this,
        `username "${username}" must be lower-case letters, digits, _ and not reserved`,
      );
    }
    const backupRetentionDays = props.backupRetentionDays ?? 7;
    if (!Number.isInteger(backupRetentionDays) || backupRetentionDays < 1 || backupRetentionDays > 35) {
      throw new ConstructValidationError(this, `backupRetentionDays ${backupRetentionDays} must be an integer 1–35`);
    }
    const rotationDays = props.rotationDays ?? 30;
    if (!Number.isInteger(rotationDays) || rotationDays < 1 || rotationDays > 1000) {
      throw new ConstructValidationError(this, `rotationDays ${rotationDays} must be an integer 1–1000`);
    }
    const clusterIdentifier =
      props.clusterIdentifier ?? Names.uniqueResourceName(this, { maxLength: 63, separator: '-' }).toLowerCase();
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(clusterIdentifier) || /--|-$/.test(clusterIdentifier)) {
      throw new ConstructValidationError(
        this,
        `clusterIdentifier "${clusterIdentifier}" must be lower-case letters, digits and single "-", at most 63`,
      );
    }
    return {
      minCapacity,
      maxCapacity,
      databaseName,
      username,
      backupRetentionDays,
      rotationDays,
      clusterIdentifier,
      engineVersion: props.engineVersion ?? rds.AuroraPostgresEngineVersion.VER_16_6,
      deletionProtection: props.deletionProtection ?? true,
      logRetention: retentionDays(this, 'logRetentionDays', props.logRetentionDays ?? 30),
    };
  }

  private createKey(): kms.Key {
    const key = new kms.Key(this, 'Key', {
      description: `Encrypts the database ${Stack.of(this).stackName}/${this.node.id}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
    });
    allowCloudWatchLogs(key);
    return key;
  }
}
