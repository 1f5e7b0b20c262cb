// A backgroundjob workload's stack (main-job, background-job): a Fargate service with no port that works its queue.

import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { QueueWorker } from '@hello-fargate/constructs';
import type { Workload } from '@hello-fargate/workload';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  backendsFor,
  prepareWorkloadStack,
  queuesFor,
  type WorkloadStackProps,
} from '../../../infra/workload-stack-props.js';

/**
 * Which queues a worker consumes and which it sends to, from its declaration alone: it **consumes the first queue
 * of `dependsOn.queues` and sends to the rest**. main-job (`['order-events', 'background-jobs']`) consumes
 * order-events and sends to background-jobs; background-job (`['background-jobs']`) consumes background-jobs.
 * So list the queue a worker receives from first.
 */
export function queueRoles(workload: Workload): { consumes: string[]; sendsTo: string[] } {
  const [consumed, ...sendsTo] = workload.dependsOn.queues;
  return { consumes: consumed === undefined ? [] : [consumed], sendsTo };
}

/**
 * The image's Dockerfile, relative to the build context: `Dockerfile.<workload name>` in the workload's directory
 * when there is one (several workloads share usecases/backgroundjobs/), else the construct's default
 * `<directory>/Dockerfile`.
 */
function dockerfileOf(workload: Workload, buildContext: string): string | undefined {
  const own = join(workload.directory, `Dockerfile.${workload.name}`);
  return existsSync(own) ? relative(buildContext, own) : undefined;
}

/**
 * The worker (`QueueWorker`) in the isolated ECS subnets: it reaches SQS, ECR, logs and secrets through VPC
 * endpoints and the database in the app subnets; nothing reaches it. Consumes/sends per `queueRoles`; it scales on
 * the consumed queue's backlog between the declared minCount (0: no task while idle) and maxCount.
 */
export class QueueWorkerStack extends Stack {
  readonly worker: QueueWorker;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { network, platform, workload } = props;
    const common = prepareWorkloadStack(this, props);
    // queuesFor refuses a workload with queues when the app built no queues stack.
    const { queues } = props;
    if (queuesFor(props).size === 0 || !queues) {
      throw new Error(`workload "${workload.name}" is a backgroundjob with no dependsOn.queues; it needs a queue`);
    }
    this.worker = new QueueWorker(this, 'Worker', {
      ...common,
      ...queueRoles(workload),
      queues,
      namespace: platform.namespace,
      // No route out: SQS, ECR, logs, secrets and the other AWS APIs are VPC endpoints.
      subnets: network.ecsSubnets,
      backends: backendsFor(props),
      dockerfile: dockerfileOf(workload, props.buildContext),
      alarmTopic: props.alarmTopic,
    });
  }
}
