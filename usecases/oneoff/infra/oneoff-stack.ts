// The oneoff workload's stack: its Fargate task definition, run by `hf run-task oneoff --env <env>` and before deploys.

import { OneOffTask, WorkloadSecrets } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { WorkloadStackProps } from '../../../infra/workload-stack-props.js';

/**
 * The task definition (image built from usecases/oneoff/Dockerfile), its log group, security group and the stack
 * outputs `hf run-task --env` reads (TASK_STACK_OUTPUTS). Nothing runs on deploy; RunTask starts it.
 */
export class OneOffStack extends Stack {
  readonly task: OneOffTask;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { workload, network, platform, database } = props;
    // Declared before any grant: KMS grants only stay in this stack's IAM policies (instead of editing the platform
    // key's policy, which would make the platform depend on this stack) when this dependency is already known.
    for (const shared of [network, platform, database]) this.addStackDependency(Stack.of(shared));
    const secrets = new WorkloadSecrets(this, 'Secrets', {
      workload,
      namePrefix: `${props.system.name}/${props.config.name}/${workload.name}`,
      encryptionKey: platform.encryptionKey,
    });
    this.task = new OneOffTask(this, 'Task', {
      workload,
      cluster: platform.cluster,
      vpc: network.vpc,
      subnets: network.ecsSubnets,
      database: workload.dependsOn.database ? database : undefined,
      secrets: secrets.secrets,
      logGroup: platform.createLogGroup(this, 'LogGroup'),
      buildContext: props.buildContext,
    });
  }
}
