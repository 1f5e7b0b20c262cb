// Queues: the system's SQS queues and their dead-letter queues, built from the `Queue` declarations.

import type { Queue } from '@hello-fargate/workload';
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';

/** The system's queues as a worker sees them: each declared queue and its DLQ by name. `Queues` implements it. */
export interface QueueSource {
  /** The queue declared as `name`; throws a ConstructValidationError for a name not declared. */
  queue(name: string): sqs.IQueue;
  /** The dead-letter queue of the queue declared as `name`. */
  dlq(name: string): sqs.IQueue;
}

export interface QueuesProps {
  /** The system's queues with their defaults resolved (`system.queues`, or `defineQueue(…)` each). */
  readonly queues: readonly Queue[];
  /** Key every queue and DLQ is encrypted with (the `Platform` key): SSE-KMS rather than SQS-managed SSE. */
  readonly encryptionKey: kms.IKey;
  /**
   * Prefix of the physical queue names: `<prefix>-<name>` and `<prefix>-<name>-dlq` (SQS allows 80 characters).
   * @default - names CloudFormation generates; workloads get the URLs as `<NAME>_QUEUE_URL` either way
   */
  readonly queueNamePrefix?: string;
  /**
   * Seconds SQS reuses a data key before asking KMS again: longer means fewer KMS requests (cost), shorter less
   * data under one key. SQS allows 60–86400.
   * @default 300
   */
  readonly dataKeyReuseSeconds?: number;
}

/**
 * One SQS standard queue per declaration: SSE-KMS with the given key, long polling (`receiveWaitTimeSeconds`), the
 * declared visibility timeout, retention and delay, a policy that denies requests not over TLS, and a dead-letter
 * queue (`<name>-dlq`, same key and TLS policy, `dlqRetentionSeconds`) that takes a message after `maxReceiveCount`
 * receives.
 *
 * **Cost**: SQS bills per request (long polling keeps empty receives down); SSE-KMS adds KMS requests, one per data
 * key per `dataKeyReuseSeconds` per caller.
 */
export class Queues extends Construct implements QueueSource {
  /** The declarations, in the order given. */
  readonly declarations: readonly Queue[];
  private readonly queues = new Map<string, sqs.Queue>();
  private readonly dlqs = new Map<string, sqs.Queue>();

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    this.declarations = props.queues;
    const dataKeyReuseSeconds = props.dataKeyReuseSeconds ?? 300;
    if (!Number.isInteger(dataKeyReuseSeconds) || dataKeyReuseSeconds < 60 || dataKeyReuseSeconds > 86_400) {
      throw new ConstructValidationError(this, `dataKeyReuseSeconds ${dataKeyReuseSeconds} must be 60–86400`);
    }
    const encryption = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.seconds(dataKeyReuseSeconds),
      enforceSSL: true,
    };
    const physicalName = (name: string) =>
      props.queueNamePrefix === undefined ? undefined : `${props.queueNamePrefix}-${name}`;

    for (const declaration of props.queues) {
      if (this.queues.has(declaration.name)) {
        throw new ConstructValidationError(this, `queue "${declaration.name}" is declared twice`);
      }
      const queueName = physicalName(declaration.name);
      if (queueName !== undefined && `${queueName}-dlq`.length > 80) {
        throw new ConstructValidationError(
          this,
          `queue name "${queueName}-dlq" is longer than SQS's 80 characters; shorten queueNamePrefix`,
        );
      }
      const dlq = new sqs.Queue(this, declaration.dlqName, {
        ...encryption,
        queueName: physicalName(declaration.dlqName),
        retentionPeriod: Duration.seconds(declaration.dlqRetentionSeconds),
      });
      const queue = new sqs.Queue(this, declaration.name, {
        ...encryption,
        queueName,
        visibilityTimeout: Duration.seconds(declaration.visibilityTimeoutSeconds),
        retentionPeriod: Duration.seconds(declaration.retentionSeconds),
        deliveryDelay: Duration.seconds(declaration.delaySeconds),
        receiveMessageWaitTime: Duration.seconds(declaration.receiveWaitTimeSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: declaration.maxReceiveCount },
      });
      this.queues.set(declaration.name, queue);
      this.dlqs.set(declaration.name, dlq);
    }
  }

  queue(name: string): sqs.Queue {
    return this.lookup(this.queues, name);
  }

  dlq(name: string): sqs.Queue {
    return this.lookup(this.dlqs, name);
  }

  private lookup(queues: Map<string, sqs.Queue>, name: string): sqs.Queue {
    const queue = queues.get(name);
    if (!queue) {
      const known = [...this.queues.keys()].join(', ') || 'none';
      throw new ConstructValidationError(
        this,
        `no queue "${name}" is declared (declared: ${known}); add it to the system`,
      );
    }
    return queue;
  }
}
