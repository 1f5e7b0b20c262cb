// The environment's platform stack: ECS cluster, Cloud Map namespace, KMS key, alarm topic and AppRegistry application.

import { type Network, Platform } from '@hello-fargate/constructs';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/index.js';

export interface PlatformStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly network: Network;
  /** `<system>-<environment>`: names the cluster, key alias and application. */
  readonly platformName: string;
  /** What the system is, for the AppRegistry application and the key. */
  readonly applicationDescription: string;
}

export class PlatformStack extends Stack {
  readonly platform: Platform;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    this.platform = new Platform(this, 'Platform', {
      vpc: props.network.vpc,
      name: props.platformName,
      description: props.applicationDescription,
      logRetentionDays: props.config.logRetentionDays,
      alarmEmails: props.config.alarmEmails,
    });
  }
}
