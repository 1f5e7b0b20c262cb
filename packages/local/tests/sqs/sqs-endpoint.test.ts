// The local SQS endpoint driven by @aws-sdk/client-sqs: the operations, errors and redrive a worker relies on.

import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { defineQueue } from '@hello-fargate/workload';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { md5OfMessageAttributes } from '../../src/sqs/index.js';
import { credentials, startHarness, type SqsHarness } from './sqs-test-helpers.js';

let h: SqsHarness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await h.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl as string;
}

describe('local SQS endpoint with the AWS SDK', () => {
  it('sends, receives and deletes a message, with the body MD5 the SDK checks', async () => {
    const url = await createQueue('jobs');
    expect(url).toBe(`${h.endpoint.url}/000000000000/jobs`);
    const sent = await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'héllo ✓' }));
    expect(sent.MessageId).toBeTruthy();
    const { Messages } = await h.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['héllo ✓']);
    expect(Messages?.[0]?.MessageId).toBe(sent.MessageId);
    expect(h.endpoint.stats('jobs')).toMatchObject({ visible: 0, inFlight: 1 });
    await h.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages?.[0]?.ReceiptHandle }));
    expect(h.endpoint.stats('jobs')).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('uses the queue URL origin as endpoint when the client has none configured', async () => {
    const url = await createQueue('by-url');
    const plain = new SQSClient({
      region: 'us-east-1',
      credentials,
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    try {
      await plain.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'routed' }));
      expect(h.endpoint.stats('by-url').visible).toBe(1);
    } finally {
      plain.destroy();
    }
  });

  it('answers GetQueueUrl, ListQueues and GetQueueAttributes with counts', async () => {
    const url = await createQueue('counted', { VisibilityTimeout: '45' });
    await createQueue('other');
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b', DelaySeconds: 60 }));
    await h.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'c' }));
    expect((await h.client.send(new GetQueueUrlCommand({ QueueName: 'counted' }))).QueueUrl).toBe(url);
    const listed = await h.client.send(new ListQueuesCommand({ QueueNamePrefix: 'co' }));
    expect(listed.QueueUrls).toEqual([url]);
    const { Attributes } = await h.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
      VisibilityTimeout: '45',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:counted',
    });
  });

  it('sends a batch with per-entry failures and deletes a batch', async () => {
    const url = await createQueue('batch', { MaximumMessageSize: '1024' });
    const result = await h.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'one', MessageBody: '1' },
          {
            Id: 'big',
            MessageBody: 'x'.repeat(1000),
            MessageAttributes: { k: { DataType: 'String', StringValue: 'y'.repeat(100) } },
          },
          { Id: 'two', MessageBody: '2' },
        ],
      }),
    );
    expect(result.Successful?.map((s) => s.Id)).toEqual(['one', 'two']);
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'big', SenderFault: true, Code: 'InvalidParameterValue' }),
    ]);
    const { Messages = [] } = await h.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((m) => m.Body).sort()).toEqual(['1', '2']);
    const deleted = await h.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
          { Id: 'bad', ReceiptHandle: 'nope' },
        ],
      }),
    );
    expect(deleted.Successful).toHaveLength(2);
    expect(deleted.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' })]);
    expect(h.endpoint.stats('batch')).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('wakes a long poll as soon as a message is sent', async () => {
    const url = await createQueue('long');
    const started = Date.now();
    const receive = h.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 300));
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake' }));
    const { Messages } = await receive;
    expect(Messages?.[0]?.Body).toBe('wake');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('returns nothing after WaitTimeSeconds when the queue stays empty', async () => {
    const url = await createQueue('quiet');
    const started = Date.now();
    const { Messages } = await h.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(Messages ?? []).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('redelivers after the visibility timeout with ApproximateReceiveCount 2, and a stale handle does not delete', async () => {
    const url = await createQueue('redeliver');
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const first = await h.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1, MessageSystemAttributeNames: ['All'] }),
    );
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await h.client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toEqual([]);
    const second = await h.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 3,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp', 'ApproximateFirstReceiveTimestamp'],
      }),
    );
    const message = second.Messages?.[0];
    expect(message?.Body).toBe('again');
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(0);
    expect(message?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(
      first.Messages?.[0]?.Attributes?.ApproximateFirstReceiveTimestamp,
    );
    expect(message?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
    await h.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }));
    expect(h.endpoint.stats('redeliver').inFlight).toBe(1);
    await h.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect(h.endpoint.stats('redeliver').visible).toBe(1);
  });

  it('moves a message to the DLQ on the receive after maxReceiveCount, and StartMessageMoveTask brings it back', async () => {
    await h.endpoint.createQueues([defineQueue({ name: 'work', maxReceiveCount: 2 })]);
    const url = h.endpoint.queueUrl('work');
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    const receive = () =>
      h.client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
    expect((await receive()).Messages?.[0]?.Body).toBe('poison');
    expect((await receive()).Messages?.[0]?.Body).toBe('poison');
    expect((await receive()).Messages ?? []).toEqual([]);
    expect(h.endpoint.stats('work')).toMatchObject({ visible: 0, inFlight: 0 });
    expect(h.endpoint.stats('work-dlq').visible).toBe(1);

    const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:work-dlq';
    const { TaskHandle } = await h.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect(TaskHandle).toBeTruthy();
    const tasks = await h.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    expect(tasks.Results?.[0]).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1 });
    const back = await h.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(back.Messages?.[0]?.Body).toBe('poison');
    expect(back.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(h.endpoint.stats('work-dlq').visible).toBe(0);
  });

  it('maps a missing queue to the SDK QueueDoesNotExist class', async () => {
    const error = await h.client
      .send(new SendMessageCommand({ QueueUrl: `${h.endpoint.url}/000000000000/missing`, MessageBody: 'x' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect((error as QueueDoesNotExist).$metadata.httpStatusCode).toBe(400);
    expect((error as { Code?: string }).Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    const byName = await h.client.send(new GetQueueUrlCommand({ QueueName: 'missing' })).catch((e: unknown) => e);
    expect(byName).toBeInstanceOf(QueueDoesNotExist);
  });

  it('rejects a message over 1 MiB with InvalidParameterValue', async () => {
    const url = await createQueue('sized');
    const error = await h.client
      .send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1_048_577) }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SQSServiceException);
    expect((error as SQSServiceException).name).toBe('InvalidParameterValue');
    expect((error as SQSServiceException).message).toMatch(/shorter than 1048576 bytes/);
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1_048_576) }));
  });

  it('round-trips message attributes with the documented MD5', async () => {
    const url = await createQueue('attrs');
    const MessageAttributes = {
      tenant: { DataType: 'String', StringValue: 'acme' },
      attempt: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
    };
    const sent = await h.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'with attrs', MessageAttributes }),
    );
    const { Messages } = await h.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }),
    );
    const message = Messages?.[0];
    expect(message?.MessageAttributes?.tenant?.StringValue).toBe('acme');
    expect(message?.MessageAttributes?.attempt).toMatchObject({ DataType: 'Number', StringValue: '3' });
    expect([...(message?.MessageAttributes?.blob?.BinaryValue ?? [])]).toEqual([0, 1, 2, 255]);
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    const expected = md5OfMessageAttributes({
      tenant: { DataType: 'String', StringValue: 'acme' },
      attempt: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]).toString('base64') },
    });
    expect(message?.MD5OfMessageAttributes).toBe(expected);
    const some = await h.client.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(some.$metadata.httpStatusCode).toBe(200);
    expect(h.endpoint.stats('attrs')).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('keeps a delayed message invisible until its delay passes', async () => {
    const url = await createQueue('delayed');
    await h.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));
    expect(h.endpoint.stats('delayed')).toMatchObject({ visible: 0, delayed: 1 });
    expect((await h.client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toEqual([]);
    const { Messages } = await h.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 3 }));
    expect(Messages?.[0]?.Body).toBe('later');
  });
});
