// The webapi workload's stack: its Fargate service behind an internet-facing ALB that validates Cognito tokens.

import { WebApi, WorkloadSecrets } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { webDomain } from '../../../infra/web-domain.js';
import { backendsFor, type WorkloadStackProps } from '../../../infra/workload-stack-props.js';

/**
 * The service (image built from usecases/<name>/Dockerfile) behind `https://<name>.<dns zone>` with jwt-validation
 * against its own Cognito user pool, whose resource servers are the system's `resourceServers`.
 */
export class WebApiStack extends Stack {
  readonly webApi: WebApi;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { workload, network, platform, database, config } = props;
    for (const shared of [network, platform, database]) this.addStackDependency(Stack.of(shared));
    const secrets = new WorkloadSecrets(this, 'Secrets', {
      workload,
      namePrefix: `${props.system.name}/${config.name}/${workload.name}`,
      encryptionKey: platform.encryptionKey,
    });
    this.webApi = new WebApi(this, 'WebApi', {
      workload,
      cluster: platform.cluster,
      vpc: network.vpc,
      namespace: platform.namespace,
      // The NAT (app) subnets: the app fetches the user pool's JWKS (AUTH_JWKS_URI) from the internet, which the
      // isolated ECS subnets cannot reach.
      subnets: network.appSubnets,
      loadBalancerSubnets: network.publicSubnets,
      database: workload.dependsOn.database ? database : undefined,
      secrets: secrets.secrets,
      backends: backendsFor(props),
      resourceServers: props.system.resourceServers,
      ...webDomain(this, config, workload),
      deletionProtection: config.loadBalancerDeletionProtection,
      domainPrefix: `${props.system.name}-${config.name}-${workload.name}`,
      logGroup: platform.createLogGroup(this, 'LogGroup'),
      buildContext: props.buildContext,
    });
  }
}
