// The backend workload's stack: a private Fargate service other workloads reach through Service Connect.

import { BackendService } from '@hello-fargate/constructs';
import { queueUrlVariable } from '@hello-fargate/workload';
import { Stack, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  type BackendProvider,
  backendsFor,
  type WorkloadStackProps,
  prepareWorkloadStack,
  queuesFor,
} from '../../../infra/workload-stack-props.js';

/**
 * The service (image built from usecases/<name>/Dockerfile) in the isolated ECS subnets, served under its Service
 * Connect alias; callers' stacks let themselves in through `backend.allowFrom`. A backend only sends to its
 * `dependsOn.queues` (the outbox relay → order-events): the container gets `<NAME>_QUEUE_URL` for each and the task
 * role may send to them (and use their KMS key for that), nothing more.
 */
export class BackendStack extends Stack implements BackendProvider {
  readonly backend: BackendService;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { network, platform } = props;
    // Depends on the queues stack too, before the grants below: the KMS grant stays in this stack's role policy.
    const common = prepareWorkloadStack(this, props);
    const queues = queuesFor(props);
    this.backend = new BackendService(this, 'Service', {
      ...common,
      namespace: platform.namespace,
      // No route out: ECR, logs, secrets, SQS and the other AWS APIs are VPC endpoints.
      subnets: network.ecsSubnets,
      backends: backendsFor(props),
      environment: Object.fromEntries([...queues].map(([name, queue]) => [queueUrlVariable(name), queue.queueUrl])),
    });
    for (const queue of queues.values()) queue.grantSendMessages(this.backend.taskRole);
    if (queues.size > 0) {
      const reason =
        "The queue send grant's KMS actions, on the queues' key ARN only: SQS needs the producer to make and use " +
        'data keys for SSE-KMS.';
      Validations.of(this.backend.taskRole).acknowledge(
        { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
        { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
      );
    }
  }
}
