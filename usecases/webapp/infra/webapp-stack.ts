// The webapp workload's stack: its Fargate service behind an internet-facing ALB that signs users in with Cognito.

import { WebApp, WorkloadSecrets } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { webDomain } from '../../../infra/web-domain.js';
import { backendsFor, type WorkloadStackProps } from '../../../infra/workload-stack-props.js';

/**
 * The service (image built from usecases/<name>/Dockerfile) behind `https://<name>.<dns zone>` with
 * authenticate-cognito against its own user pool and Cognito domain.
 */
export class WebAppStack extends Stack {
  readonly webApp: WebApp;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { workload, network, platform, database, config } = props;
    for (const shared of [network, platform, database]) this.addStackDependency(Stack.of(shared));
    const secrets = new WorkloadSecrets(this, 'Secrets', {
      workload,
      namePrefix: `${props.system.name}/${config.name}/${workload.name}`,
      encryptionKey: platform.encryptionKey,
    });
    this.webApp = new WebApp(this, 'WebApp', {
      workload,
      cluster: platform.cluster,
      vpc: network.vpc,
      namespace: platform.namespace,
      // The NAT (app) subnets: the app fetches the ALB's signing keys (ALB_KEYS_URL) from the internet, which the
      // isolated ECS subnets cannot reach.
      subnets: network.appSubnets,
      loadBalancerSubnets: network.publicSubnets,
      database: workload.dependsOn.database ? database : undefined,
      secrets: secrets.secrets,
      backends: backendsFor(props),
      ...webDomain(this, config, workload),
      deletionProtection: config.loadBalancerDeletionProtection,
      domainPrefix: `${props.system.name}-${config.name}-${workload.name}`,
      logGroup: platform.createLogGroup(this, 'LogGroup'),
      buildContext: props.buildContext,
    });
  }
}
