// The environment's database stack: Aurora PostgreSQL Serverless v2 in the app subnets, encrypted with the platform key.

import { Database, type Network, type Platform } from '@hello-fargate/constructs';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/index.js';

export interface DatabaseStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly network: Network;
  readonly platform: Platform;
  /** Cluster identifier, `<system>-<environment>`. */
  readonly clusterIdentifier: string;
}

export class DatabaseStack extends Stack {
  readonly database: Database;

  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id, props);
    const { config } = props;
    // Known before any grant on the platform key, so grants stay in this stack (see OneOffStack).
    for (const shared of [props.network, props.platform]) this.addStackDependency(Stack.of(shared));
    this.database = new Database(this, 'Database', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.appSubnets,
      encryptionKey: props.platform.encryptionKey,
      clusterIdentifier: props.clusterIdentifier,
      minCapacity: config.database.minCapacity,
      maxCapacity: config.database.maxCapacity,
      deletionProtection: config.database.deletionProtection,
      logRetentionDays: config.logRetentionDays,
    });
  }
}
