// `hf queue` as library functions: stats, peek, send and redrive against a (local or AWS) SQS endpoint.

import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { PEEK_PATH, type PeekedMessage } from './peek-route.js';

export interface QueueCommandOptions {
  /** The client to use. @default a client for `endpointUrl` with dummy credentials, region us-east-1 */
  readonly sqs?: SQSClient;
}

export interface QueueStatsRow {
  readonly name: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

function clientFor(endpointUrl: string, options: QueueCommandOptions): { sqs: SQSClient; done: () => void } {
  if (options.sqs) return { sqs: options.sqs, done: () => {} };
  const sqs = new SQSClient({
    endpoint: endpointUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { sqs, done: () => sqs.destroy() };
}

async function urlOf(sqs: SQSClient, name: string): Promise<string> {
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
}

/** One row of message counts per queue (ApproximateNumberOfMessages*, via GetQueueAttributes). */
export async function queueStats(
  endpointUrl: string,
  names: readonly string[],
  options: QueueCommandOptions = {},
): Promise<QueueStatsRow[]> {
  const { sqs, done } = clientFor(endpointUrl, options);
  try {
    return await Promise.all(
      names.map(async (name) => {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: await urlOf(sqs, name),
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        );
        return {
          name,
          visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
        };
      }),
    );
  } finally {
    done();
  }
}

/**
 * Up to `max` messages of a queue, oldest first, without receiving them: the local endpoint's read-only
 * `GET /_hf/peek/<name>` route, so receive counts (and so DLQ moves) and visibility are untouched. Local only.
 */
export async function queuePeek(endpointUrl: string, name: string, max = 10): Promise<PeekedMessage[]> {
  const response = await fetch(`${endpointUrl.replace(/\/+$/, '')}${PEEK_PATH}${encodeURIComponent(name)}?max=${max}`);
  const body = (await response.json()) as { messages?: PeekedMessage[]; message?: string };
  if (!response.ok) throw new Error(`hf queue peek ${name}: ${body.message ?? response.statusText}`);
  return body.messages ?? [];
}

/** Sends one message; returns its id. */
export async function queueSend(
  endpointUrl: string,
  name: string,
  body: string,
  options: QueueCommandOptions = {},
): Promise<string> {
  const { sqs, done } = clientFor(endpointUrl, options);
  try {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: await urlOf(sqs, name), MessageBody: body }));
    return sent.MessageId as string;
  } finally {
    done();
  }
}

/** Moves a DLQ's messages back to the queues they came from (StartMessageMoveTask); returns the task handle. */
export async function queueRedrive(
  endpointUrl: string,
  dlqName: string,
  options: QueueCommandOptions = {},
): Promise<string> {
  const { sqs, done } = clientFor(endpointUrl, options);
  try {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: await urlOf(sqs, dlqName), AttributeNames: ['QueueArn'] }),
    );
    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: Attributes.QueueArn }));
    return task.TaskHandle as string;
  } finally {
    done();
  }
}
