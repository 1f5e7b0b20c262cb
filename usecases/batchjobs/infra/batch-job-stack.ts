// A batchjob's stack: its AWS Batch job definition on the system's job queue, and the alarm on its failed jobs.

import { type BatchCompute, BatchJob } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { workloadDockerfile } from '../../../infra/stacks/workload-dockerfile.js';
import { prepareWorkloadStack, type WorkloadStackProps } from '../../../infra/workload-stack-props.js';

/** WorkloadStackProps plus the system's job queues, which the app passes when the system declares any. */
export type BatchJobStackProps = WorkloadStackProps & {
  /** The environment's batch queues stack's `BatchCompute`. */
  readonly batchCompute?: BatchCompute;
};

/**
 * The `BatchJob` (image built from usecases/<name>/Dockerfile) on the job queue its declaration names, with the
 * stack outputs the CLI reads (BATCH_JOB_STACK_OUTPUTS). Nothing runs on deploy: `hf batch submit` submits jobs.
 */
export class BatchJobStack extends Stack {
  readonly job: BatchJob;

  constructor(scope: Construct, id: string, props: BatchJobStackProps) {
    super(scope, id, props);
    const { workload, batchCompute } = props;
    if (!workload.batch || !batchCompute) {
      throw new Error(
        `workload "${workload.name}" is a batchjob, but the app built no batch queues stack; declare its job queue ` +
          'with defineJobQueue in system.ts jobQueues',
      );
    }
    const common = prepareWorkloadStack(this, props);
    // Before the job uses the queue (and, with the database, adds its rule to the queue's security group).
    this.addStackDependency(Stack.of(batchCompute));
    this.job = new BatchJob(this, 'Job', {
      ...common,
      jobQueue: batchCompute.queue(workload.batch.jobQueue),
      dockerfile: workloadDockerfile(workload, props.buildContext),
      alarmTopic: props.alarmTopic,
    });
  }
}
