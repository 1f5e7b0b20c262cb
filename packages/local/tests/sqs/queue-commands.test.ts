// `hf queue` library functions against the local SQS endpoint.

import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { defineQueue } from '@hello-fargate/workload';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queuePeek, queueRedrive, queueSend, queueStats } from '../../src/sqs/index.js';
import { startHarness, type SqsHarness } from './sqs-test-helpers.js';

let h: SqsHarness;
beforeEach(async () => {
  h = await startHarness();
  await h.endpoint.createQueues([defineQueue({ name: 'orders', maxReceiveCount: 1 })]);
});
afterEach(async () => {
  await h.stop();
});

describe('hf queue commands', () => {
  it('sends, peeks without receiving, and reports stats', async () => {
    const id = await queueSend(h.endpoint.url, 'orders', 'order-1');
    await queueSend(h.endpoint.url, 'orders', 'order-2');
    const peeked = await queuePeek(h.endpoint.url, 'orders', 1);
    expect(peeked).toEqual([
      expect.objectContaining({ MessageId: id, Body: 'order-1', ApproximateReceiveCount: 0, visible: true }),
    ]);
    expect(await queueStats(h.endpoint.url, ['orders', 'orders-dlq'])).toEqual([
      { name: 'orders', visible: 2, inFlight: 0, delayed: 0 },
      { name: 'orders-dlq', visible: 0, inFlight: 0, delayed: 0 },
    ]);
    await expect(queuePeek(h.endpoint.url, 'nope')).rejects.toThrow(/no queue named nope/);
  });

  it('redrives a dead-lettered message back to its queue', async () => {
    const url = h.endpoint.queueUrl('orders');
    await queueSend(h.endpoint.url, 'orders', 'bad');
    await h.client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
    await h.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
    expect(h.endpoint.stats('orders-dlq').visible).toBe(1);
    expect(await queueRedrive(h.endpoint.url, 'orders-dlq')).toBeTruthy();
    expect(h.endpoint.stats('orders')).toMatchObject({ visible: 1 });
    expect(h.endpoint.stats('orders-dlq').visible).toBe(0);
  });
});
