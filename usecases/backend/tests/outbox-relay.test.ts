// The transactional outbox: an order's event is stored with the order and published by the relay exactly once.

import { SendMessageCommand, type SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backends, captureLogger, type TestDatabases } from '../../../tools/testing/test-databases.js';
import { relayOutboxBatch, startOutboxRelay } from '../apps/outbox-relay.js';
import { type Backend, startBackend } from './backend-fixture.js';

const QUEUE_URL = 'http://sqs.local/000000000000/order-events';

/** An SQS client whose SendMessage calls are recorded (and delayed, so relays overlap); `fail` makes them reject. */
function recordingSqs(delayMs = 0) {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const sent: SendMessageCommandInput[] = [];
  const state = { fail: false };
  mockClient(sqs)
    .on(SendMessageCommand)
    .callsFake(async (input: SendMessageCommandInput) => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (state.fail) throw new Error('SQS is unavailable');
      sent.push(input);
      return { MessageId: `m-${sent.length}` };
    });
  return { sqs, sent, state };
}

const jobIdOf = (input: SendMessageCommandInput) => input.MessageAttributes?.jobId?.StringValue as string;

describe.each(backends)('order events through the outbox on $name', (database) => {
  let databases: TestDatabases;
  let backend: Backend;
  const { logger, lines } = captureLogger('info');

  beforeAll(async () => {
    databases = await database.start();
    backend = await startBackend(databases);
  });
  afterAll(async () => {
    await backend?.close();
    await databases?.stop();
  });
  beforeEach(async () => {
    // Each test starts with nothing left to send.
    await backend.pool.query('UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL');
  });

  const createOrder = async (headers: Record<string, string> = {}, sku = 'TEA-1') =>
    backend.app.inject({
      method: 'POST',
      url: '/orders',
      headers,
      payload: { customerId: backend.customers.ann, lines: [{ sku, quantity: 2 }] },
    });
  const unsent = async () =>
    Number((await backend.pool.query('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL')).rows[0].n);

  it('stores an order.created event with the request id as correlation id, in the order transaction', async () => {
    const response = await createOrder({ 'x-request-id': '01JOUTBOXTEST0000000000001' });
    const order = response.json();

    const { rows } = await backend.pool.query(
      'SELECT event_type, aggregate_id, payload, correlation_id, sent_at FROM outbox WHERE aggregate_id = $1',
      [order.id],
    );
    expect(rows).toEqual([
      {
        event_type: 'order.created',
        aggregate_id: order.id,
        payload: { orderId: order.id, customerId: backend.customers.ann, totalCents: 900 },
        correlation_id: '01JOUTBOXTEST0000000000001',
        sent_at: null,
      },
    ]);
  });

  it('stores no event for an order that is refused', async () => {
    const before = await unsent();

    const response = await createOrder({}, 'OLD-1');

    expect(response.statusCode).toBe(422);
    expect(await unsent()).toBe(before);
  });

  it('publishes an event committed while no relay ran (a crash after commit), with its ids, and marks it sent', async () => {
    const order = (await createOrder({ 'x-request-id': '01JOUTBOXTEST0000000000002' })).json();
    const { sqs, sent } = recordingSqs();

    const published = await relayOutboxBatch({ pool: backend.pool, sqs, queueUrl: QUEUE_URL, logger });

    expect(published).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.QueueUrl).toBe(QUEUE_URL);
    expect(sent[0]?.MessageAttributes?.correlationId?.StringValue).toBe('01JOUTBOXTEST0000000000002');
    expect(jobIdOf(sent[0] as SendMessageCommandInput)).toBe(`${order.id}:order.created`);
    expect(JSON.parse(sent[0]?.MessageBody ?? '')).toMatchObject({
      type: 'order.created',
      orderId: order.id,
      customerId: backend.customers.ann,
      totalCents: 900,
    });
    expect(await unsent()).toBe(0);
    expect(await relayOutboxBatch({ pool: backend.pool, sqs, queueUrl: QUEUE_URL, logger })).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('keeps an event whose publish failed and sends it on the next pass', async () => {
    await createOrder();
    const { sqs, sent, state } = recordingSqs();
    state.fail = true;

    expect(await relayOutboxBatch({ pool: backend.pool, sqs, queueUrl: QUEUE_URL, logger })).toBe(0);
    expect(await unsent()).toBe(1);
    expect(lines.some((line) => /stays unsent and is retried on the next pass/.test(line.msg))).toBe(true);
    state.fail = false;
    expect(await relayOutboxBatch({ pool: backend.pool, sqs, queueUrl: QUEUE_URL, logger })).toBe(1);

    expect(sent).toHaveLength(1);
    expect(await unsent()).toBe(0);
  });

  it('publishes each of 60 orders exactly once with two relays polling the outbox at the same time', async () => {
    const orders = await Promise.all(Array.from({ length: 60 }, async () => (await createOrder()).json().id as string));
    const first = recordingSqs(5);
    const second = recordingSqs(5);
    const relays = [first, second].map(({ sqs }) =>
      startOutboxRelay({ pool: backend.pool, sqs, queueUrl: QUEUE_URL, logger, intervalMs: 10, batchSize: 4 }),
    );

    const deadline = Date.now() + 15_000;
    while ((await unsent()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all(relays.map((relay) => relay.stop()));

    const jobIds = [...first.sent, ...second.sent].map(jobIdOf);
    expect(await unsent()).toBe(0);
    expect(jobIds).toHaveLength(60);
    expect(new Set(jobIds)).toEqual(new Set(orders.map((id) => `${id}:order.created`)));
    if (database.name === 'PostgreSQL') {
      // Real concurrency: SKIP LOCKED lets both relays take rows instead of one waiting on the other's locks.
      expect(first.sent.length).toBeGreaterThan(0);
      expect(second.sent.length).toBeGreaterThan(0);
    }
  });
});
