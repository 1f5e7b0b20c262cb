// The backend workload's stack: a private Fargate service other workloads reach through Service Connect.

import { BackendService } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  type BackendProvider,
  backendsFor,
  type WorkloadStackProps,
  prepareWorkloadStack,
} from '../../../infra/workload-stack-props.js';

/**
 * The service (image built from usecases/<name>/Dockerfile) in the isolated ECS subnets, served under its Service
 * Connect alias; callers' stacks let themselves in through `backend.allowFrom`.
 */
export class BackendStack extends Stack implements BackendProvider {
  readonly backend: BackendService;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { network, platform } = props;
    const common = prepareWorkloadStack(this, props);
    this.backend = new BackendService(this, 'Service', {
      ...common,
      namespace: platform.namespace,
      // No route out: ECR, logs, secrets and the other AWS APIs are VPC endpoints.
      subnets: network.ecsSubnets,
      backends: backendsFor(props),
    });
  }
}
