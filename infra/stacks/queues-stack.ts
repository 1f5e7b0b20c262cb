// The environment's queues stack: the system's SQS queues and their dead-letter queues, encrypted with the platform key.

import { type Platform, Queues } from '@hello-fargate/constructs';
import type { Queue } from '@hello-fargate/workload';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export interface QueuesStackProps extends StackProps {
  /** The system's queues (`system.queues`). */
  readonly queues: readonly Queue[];
  readonly platform: Platform;
  /** `<system>-<environment>`: physical names `<prefix>-<queue>` and `<prefix>-<queue>-dlq`. */
  readonly queueNamePrefix: string;
}

/**
 * One `Queues` for the whole system: a queue is shared by the workloads that send to it and the one that consumes
 * it, so it lives in neither's stack. Workload stacks depend on this stack and grant their own task roles.
 */
export class QueuesStack extends Stack {
  readonly queues: Queues;

  constructor(scope: Construct, id: string, props: QueuesStackProps) {
    super(scope, id, props);
    // Stated before the key is used, so nothing of this stack edits the platform key's policy.
    this.addStackDependency(Stack.of(props.platform));
    this.queues = new Queues(this, 'Queues', {
      queues: props.queues,
      encryptionKey: props.platform.encryptionKey,
      queueNamePrefix: props.queueNamePrefix,
    });
  }
}
