// The webapp workload's stack: its Fargate service behind an internet-facing ALB that signs users in with Cognito.

import { WebApp } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { webDomain } from '../../../infra/web-domain.js';
import { backendsFor, type WorkloadStackProps, prepareWorkloadStack } from '../../../infra/workload-stack-props.js';

/**
 * The service (image built from usecases/<name>/Dockerfile) behind `https://<name>.<dns zone>` with
 * authenticate-cognito against its own user pool and Cognito domain.
 */
export class WebAppStack extends Stack {
  readonly webApp: WebApp;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { workload, network, platform, config } = props;
    const common = prepareWorkloadStack(this, props);
    this.webApp = new WebApp(this, 'WebApp', {
      ...common,
      namespace: platform.namespace,
      // The NAT (app) subnets: the app fetches the ALB's signing keys (ALB_KEYS_URL) from the internet, which the
      // isolated ECS subnets cannot reach.
      subnets: network.appSubnets,
      loadBalancerSubnets: network.publicSubnets,
      backends: backendsFor(props),
      ...webDomain(this, config, workload),
      deletionProtection: config.loadBalancerDeletionProtection,
      domainPrefix: `${props.system.name}-${config.name}-${workload.name}`,
    });
  }
}
