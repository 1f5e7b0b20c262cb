// The webapi workload's stack: its Fargate service behind an internet-facing ALB that validates Cognito tokens.

import { WebApi } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { webDomain } from '../../../infra/web-domain.js';
import { backendsFor, type WorkloadStackProps, prepareWorkloadStack } from '../../../infra/workload-stack-props.js';

/**
 * The service (image built from usecases/<name>/Dockerfile) behind `https://<name>.<dns zone>` with jwt-validation
 * against its own Cognito user pool, whose resource servers are the system's `resourceServers`.
 */
export class WebApiStack extends Stack {
  readonly webApi: WebApi;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { workload, network, platform, config } = props;
    const common = prepareWorkloadStack(this, props);
    this.webApi = new WebApi(this, 'WebApi', {
      ...common,
      namespace: platform.namespace,
      // The NAT (app) subnets: the app fetches the user pool's JWKS (AUTH_JWKS_URI) from the internet, which the
      // isolated ECS subnets cannot reach.
      subnets: network.appSubnets,
      loadBalancerSubnets: network.publicSubnets,
      backends: backendsFor(props),
      resourceServers: props.system.resourceServers,
      ...webDomain(this, config, workload),
      deletionProtection: config.loadBalancerDeletionProtection,
      domainPrefix: `${props.system.name}-${config.name}-${workload.name}`,
    });
  }
}
