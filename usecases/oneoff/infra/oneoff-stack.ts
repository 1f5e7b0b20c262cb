// The oneoff workload's stack: its Fargate task definition, run by `hf run-task oneoff --env <env>` and before deploys.

import { OneOffTask } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { prepareWorkloadStack, type WorkloadStackProps } from '../../../infra/workload-stack-props.js';

/**
 * The task definition (image built from usecases/oneoff/Dockerfile), its log group, security group and the stack
 * outputs `hf run-task --env` reads (TASK_STACK_OUTPUTS). Nothing runs on deploy; RunTask starts it.
 */
export class OneOffStack extends Stack {
  readonly task: OneOffTask;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { network } = props;
    const common = prepareWorkloadStack(this, props);
    this.task = new OneOffTask(this, 'Task', {
      ...common,
      subnets: network.ecsSubnets,
    });
  }
}
