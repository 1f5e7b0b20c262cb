// The environment's network stack: the VPC of the network plan. Deployed first; everything else lives in it.

import { Network } from '@hello-fargate/constructs';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/index.js';

export interface NetworkStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

export class NetworkStack extends Stack {
  readonly network: Network;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.network = new Network(this, 'Network', {
      availabilityZones: config.availabilityZones,
      vpcCidr: config.vpcCidr,
      ecsCidr: config.ecsCidr,
      natGateways: config.natGateways,
      flowLogRetentionDays: config.logRetentionDays,
    });
  }
}
