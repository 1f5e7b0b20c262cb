// Reading an order event from the order-events queue: the backend's outbox relay is the producer.

import type { OrderCreatedEvent } from '../../backend/apps/order-events.js';
import { isRecord, isUuid, MalformedJobError } from './malformed-job-error.js';

export type { OrderCreatedEvent } from '../../backend/apps/order-events.js';

/** An event of a type this version does not know: skipped, so producers can add types before consumers handle them. */
export interface UnknownOrderEvent {
  readonly type: string;
  readonly known: false;
}

/** The event in the body; a MalformedJobError saying which field is wrong. */
export function parseOrderEvent(body: unknown): OrderCreatedEvent | UnknownOrderEvent {
  const fail = (problem: string): never => {
    throw new MalformedJobError('order-events', problem, body);
  };
  if (!isRecord(body)) return fail(`expected a JSON object, got ${JSON.stringify(body)}`);
  if (typeof body.type !== 'string' || body.type === '') return fail('"type" must be a non-empty string');
  if (body.type !== 'order.created') return { type: body.type, known: false };
  if (!isUuid(body.orderId)) fail(`"orderId" must be a UUID, got ${JSON.stringify(body.orderId)}`);
  if (!isUuid(body.customerId)) fail(`"customerId" must be a UUID, got ${JSON.stringify(body.customerId)}`);
  if (typeof body.totalCents !== 'number' || !Number.isInteger(body.totalCents) || body.totalCents < 0) {
    fail(`"totalCents" must be an integer of 0 or more, got ${JSON.stringify(body.totalCents)}`);
  }
  return {
    type: 'order.created',
    eventId: String(body.eventId ?? ''),
    orderId: body.orderId as string,
    customerId: body.customerId as string,
    totalCents: body.totalCents as number,
    occurredAt: String(body.occurredAt ?? ''),
  };
}
