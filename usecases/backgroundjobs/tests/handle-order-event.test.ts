// main-job's decisions: which follow-ups an order event causes, with deterministic ids and the event's correlation id.

import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueueJob } from '@hello-fargate/runtime/worker';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../../tools/testing/test-databases.js';
import { decideFollowUps, parseBackgroundJob } from '../apps/background-jobs.js';
import { createOrderEventHandler } from '../apps/handle-order-event.js';
import { MalformedJobError } from '../apps/malformed-job-error.js';
import { parseOrderEvent } from '../apps/order-event.js';

const ORDER = '0190a0a0-0000-4000-8000-000000000001';
const CUSTOMER = '0190a0a0-0000-4000-8000-0000000000c1';
const event = {
  type: 'order.created',
  eventId: '7',
  orderId: ORDER,
  customerId: CUSTOMER,
  totalCents: 8900,
  occurredAt: '2026-11-21T07:00:00.000Z',
};
const QUEUE_URL = 'http://sqs.local/000000000000/background-jobs';

function queueJob(body: unknown, correlationId = '01JCORRELATION000000000001'): QueueJob {
  return {
    id: 'm-1',
    body,
    attributes: { correlationId, jobId: `${ORDER}:order.created` },
    receiveCount: 1,
    correlationId,
    logger: captureLogger().logger,
    signal: new AbortController().signal,
  };
}

function mockedSqs() {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(sqs);
  return { sqs, mock };
}

describe('decideFollowUps', () => {
  it('asks for an invoice and a notification for a new order, each with the job id <orderId>:<type>', () => {
    const followUps = decideFollowUps(parseOrderEvent(event) as Parameters<typeof decideFollowUps>[0]);

    expect(followUps).toEqual([
      { jobId: `${ORDER}:invoice`, body: { type: 'invoice', orderId: ORDER, customerId: CUSTOMER } },
      { jobId: `${ORDER}:notification`, body: { type: 'notification', orderId: ORDER, customerId: CUSTOMER } },
    ]);
  });

  it('gives the same job ids for a re-published event, so the work is recognised as done', () => {
    const first = decideFollowUps(parseOrderEvent(event) as Parameters<typeof decideFollowUps>[0]);
    const again = decideFollowUps(parseOrderEvent({ ...event, eventId: '8' }) as Parameters<typeof decideFollowUps>[0]);

    expect(again.map((followUp) => followUp.jobId)).toEqual(first.map((followUp) => followUp.jobId));
  });
});

describe('parsing queue bodies', () => {
  it.each([
    ['a string', 'order.created', /expected a JSON object/],
    ['no type', { ...event, type: undefined }, /"type" must be a non-empty string/],
    ['a bad order id', { ...event, orderId: 'nope' }, /"orderId" must be a UUID/],
    ['a fractional total', { ...event, totalCents: 1.5 }, /"totalCents" must be an integer/],
  ])('refuses an order event with %s, naming the field and the DLQ', (_what, body, problem) => {
    expect(() => parseOrderEvent(body)).toThrow(MalformedJobError);
    expect(() => parseOrderEvent(body)).toThrow(problem);
    expect(() => parseOrderEvent(body)).toThrow(/order-events-dlq/);
  });

  it('refuses a background job of an unknown type', () => {
    expect(() => parseBackgroundJob({ type: 'refund', orderId: ORDER, customerId: CUSTOMER })).toThrow(
      /"type" must be one of invoice, notification, got "refund"/,
    );
  });
});

describe('the order event handler', () => {
  it('sends each follow-up to background-jobs with its job id and the event correlation id', async () => {
    const { sqs, mock } = mockedSqs();
    mock.on(SendMessageCommand).resolves({ MessageId: 'sent' });
    const handle = createOrderEventHandler({ sqs, queueUrl: QUEUE_URL });

    await handle(queueJob(event, '01JREQUEST0000000000000042'));

    const sent = mock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(sent).toHaveLength(2);
    expect(sent.map((input) => input.QueueUrl)).toEqual([QUEUE_URL, QUEUE_URL]);
    expect(sent.map((input) => input.MessageAttributes?.jobId?.StringValue).sort()).toEqual([
      `${ORDER}:invoice`,
      `${ORDER}:notification`,
    ]);
    expect(sent.map((input) => input.MessageAttributes?.correlationId?.StringValue)).toEqual([
      '01JREQUEST0000000000000042',
      '01JREQUEST0000000000000042',
    ]);
    expect(sent.map((input) => JSON.parse(input.MessageBody ?? '').type).sort()).toEqual(['invoice', 'notification']);
  });

  it('throws when a send fails, so the event is received again', async () => {
    const { sqs, mock } = mockedSqs();
    mock.on(SendMessageCommand).rejects(new Error('throttled'));

    await expect(createOrderEventHandler({ sqs, queueUrl: QUEUE_URL })(queueJob(event))).rejects.toThrow('throttled');
  });

  it('skips an event type it does not know, sending nothing', async () => {
    const { sqs, mock } = mockedSqs();

    await createOrderEventHandler({ sqs, queueUrl: QUEUE_URL })(queueJob({ type: 'order.shipped', orderId: ORDER }));

    expect(mock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});
