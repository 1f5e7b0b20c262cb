// Order events: what the backend tells the rest of the system, written to the outbox in the order's transaction.

import type { Queryable } from './queryable.js';

/** The event type of a new order. */
export const ORDER_CREATED = 'order.created';

/** The body of an `order.created` message on the `order-events` queue. */
export interface OrderCreatedEvent {
  readonly type: typeof ORDER_CREATED;
  /** The outbox row's id, as a string: unique per event, kept across re-publishes. */
  readonly eventId: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly totalCents: number;
  /** When the order was committed (ISO 8601). */
  readonly occurredAt: string;
}

export type OrderEvent = OrderCreatedEvent;

/** The event's `jobId` message attribute: one per event, the same on every re-publish (`<orderId>:order.created`). */
export function orderEventJobId(event: Pick<OrderEvent, 'orderId' | 'type'>): string {
  return `${event.orderId}:${event.type}`;
}

/**
 * Adds an `order.created` row to the outbox. Call it with the transaction's client, so the event exists exactly when
 * the order does; the relay publishes it after commit.
 */
export async function recordOrderCreated(
  client: Queryable,
  order: { readonly id: string; readonly customerId: string; readonly totalCents: number },
  correlationId: string,
): Promise<void> {
  await client.query(`INSERT INTO outbox (event_type, aggregate_id, payload, correlation_id) VALUES ($1, $2, $3, $4)`, [
    ORDER_CREATED,
    order.id,
    JSON.stringify({ orderId: order.id, customerId: order.customerId, totalCents: order.totalCents }),
    correlationId,
  ]);
}
