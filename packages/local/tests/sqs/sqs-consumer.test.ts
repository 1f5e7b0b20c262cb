// The local SQS endpoint driven by sqs-consumer, the library workers use to poll a queue.

import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { defineQueue } from '@hello-fargate/workload';
import { Consumer } from 'sqs-consumer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { startHarness, type SqsHarness } from './sqs-test-helpers.js';

let h: SqsHarness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

describe('local SQS endpoint with sqs-consumer', () => {
  it('processes every message once and deletes it', async () => {
    await h.endpoint.createQueues([defineQueue({ name: 'consumed' })]);
    const queueUrl = h.endpoint.queueUrl('consumed');
    for (let batch = 0; batch < 3; batch++) {
      await h.client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `job-${batch * 10 + i}` })),
        }),
      );
    }
    const seen: string[] = [];
    const consumer = Consumer.create({
      queueUrl,
      sqs: h.client,
      batchSize: 10,
      waitTimeSeconds: 1,
      handleMessage: async (message) => {
        seen.push(message.Body as string);
        return message;
      },
    });
    const errors: Error[] = [];
    consumer.on('error', (e) => errors.push(e));
    consumer.on('processing_error', (e) => errors.push(e));
    consumer.start();
    try {
      await waitFor(() => seen.length >= 30, 10_000, '30 messages handled');
      await waitFor(() => h.endpoint.stats('consumed').inFlight === 0, 5_000, 'deletes');
    } finally {
      consumer.stop({ abort: true });
    }
    expect(errors).toEqual([]);
    expect(new Set(seen).size).toBe(30);
    expect(seen).toHaveLength(30);
    expect(h.endpoint.stats('consumed')).toMatchObject({ visible: 0, inFlight: 0 });
  });
});
