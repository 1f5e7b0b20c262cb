// publishJob: sends a job to a queue as JSON, with the correlation and job ids a queue worker reads.

import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import { CORRELATION_ID_ATTRIBUTE, JOB_ID_ATTRIBUTE } from './queue-job.js';

export interface PublishJobOptions {
  /** Follows the flow across services; the worker puts it on every log line of the job. */
  readonly correlationId: string;
  /** The job's id, sent as the `jobId` message attribute. @default a new ULID */
  readonly jobId?: string;
  /** Seconds the message stays invisible before it can be received (SQS: 0–900). @default the queue's delay */
  readonly delaySeconds?: number;
}

export interface PublishedJob {
  readonly jobId: string;
  /** The SQS message id: the worker's `job.id`. */
  readonly messageId: string;
}

/** SendMessage with `JSON.stringify(body)` and the `correlationId` and `jobId` message attributes. */
export async function publishJob(
  sqs: SQSClient,
  queueUrl: string,
  body: unknown,
  options: PublishJobOptions,
): Promise<PublishedJob> {
  const jobId = options.jobId ?? ulid();
  const messageBody = JSON.stringify(body);
  if (messageBody === undefined) throw new TypeError(`publishJob: the body of job ${jobId} cannot be sent as JSON`);
  const output = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: messageBody,
      DelaySeconds: options.delaySeconds,
      MessageAttributes: {
        [CORRELATION_ID_ATTRIBUTE]: { DataType: 'String', StringValue: options.correlationId },
        [JOB_ID_ATTRIBUTE]: { DataType: 'String', StringValue: jobId },
      },
    }),
  );
  return { jobId, messageId: output.MessageId ?? '' };
}
