// The environment's AWS Batch stack: per declared job queue, Fargate Spot and on-demand compute environments.

import { BatchCompute, type Database, type Network, type Platform } from '@hello-fargate/constructs';
import type { JobQueue } from '@hello-fargate/workload';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export interface BatchQueuesStackProps extends StackProps {
  /** The system's job queues (`system.jobQueues`). */
  readonly jobQueues: readonly JobQueue[];
  readonly network: Network;
  readonly platform: Platform;
  /** Batch jobs that use the database admit their queue's security group; the rules land in this stack. */
  readonly database: Database;
}

/**
 * One `BatchCompute` for the whole system: a job queue is shared by the batchjobs that name it, so it lives in none
 * of their stacks. Job stacks depend on this one; a job using the database adds the PostgreSQL rule of its queue's
 * security group here, which is why this stack depends on the database stack.
 */
export class BatchQueuesStack extends Stack {
  readonly batchCompute: BatchCompute;

  constructor(scope: Construct, id: string, props: BatchQueuesStackProps) {
    super(scope, id, props);
    for (const shared of [props.network, props.platform, props.database]) this.addStackDependency(Stack.of(shared));
    this.batchCompute = new BatchCompute(this, 'Batch', {
      jobQueues: props.jobQueues,
      vpc: props.network.vpc,
      // No route out: ECR, logs, secrets and the other AWS APIs are VPC endpoints.
      subnets: props.network.ecsSubnets,
    });
  }
}
