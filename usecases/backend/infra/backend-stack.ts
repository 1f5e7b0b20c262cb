// The backend workload's stack: a private Fargate service other workloads reach through Service Connect.

import { BackendService, WorkloadSecrets } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type BackendProvider, backendsFor, type WorkloadStackProps } from '../../../infra/workload-stack-props.js';

/**
 * The service (image built from usecases/<name>/Dockerfile) in the isolated ECS subnets, served under its Service
 * Connect alias; callers' stacks let themselves in through `backend.allowFrom`.
 */
export class BackendStack extends Stack implements BackendProvider {
  readonly backend: BackendService;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { workload, network, platform, database } = props;
    // Declared before any grant so KMS grants stay in this stack's IAM policies (see OneOffStack).
    for (const shared of [network, platform, database]) this.addStackDependency(Stack.of(shared));
    const secrets = new WorkloadSecrets(this, 'Secrets', {
      workload,
      namePrefix: `${props.system.name}/${props.config.name}/${workload.name}`,
      encryptionKey: platform.encryptionKey,
    });
    this.backend = new BackendService(this, 'Service', {
      workload,
      cluster: platform.cluster,
      vpc: network.vpc,
      namespace: platform.namespace,
      // No route out: ECR, logs, secrets and the other AWS APIs are VPC endpoints.
      subnets: network.ecsSubnets,
      database: workload.dependsOn.database ? database : undefined,
      secrets: secrets.secrets,
      backends: backendsFor(props),
      logGroup: platform.createLogGroup(this, 'LogGroup'),
      buildContext: props.buildContext,
    });
  }
}
