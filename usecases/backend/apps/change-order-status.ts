// Moving an order along its lifecycle, one transaction with the order row locked.

import { HttpError } from '@hello-fargate/runtime';
import type pg from 'pg';
import { canChangeStatus, ORDER_TRANSITIONS, type OrderStatus } from './order-status.js';
import { findOrder, type Order } from './orders.js';
import { withTransaction } from './queryable.js';

/**
 * Sets the status when ORDER_TRANSITIONS allows it. Asking for the status the order already has changes nothing and
 * succeeds, so a job that is delivered twice does no harm. 404 when there is no such order, 409 when not allowed.
 */
export async function changeOrderStatus(pool: pg.Pool, id: string, status: OrderStatus): Promise<Order> {
  return withTransaction(pool, async (client) => {
    const order = await findOrder(client, id, true);
    if (!order) throw new HttpError(404, 'not_found', `no order with id ${id}`);
    if (order.status === status) return order;
    if (!canChangeStatus(order.status, status)) {
      const allowed = ORDER_TRANSITIONS[order.status];
      const next = allowed.length > 0 ? `it can go to ${allowed.join(' or ')}` : `${order.status} is final`;
      throw new HttpError(409, 'invalid_transition', `order ${id} is ${order.status}: ${next}, not ${status}`, [
        { path: 'body.status', message: `cannot go from ${order.status} to ${status}`, from: order.status, allowed },
      ]);
    }
    await client.query('UPDATE orders SET status = $2 WHERE id = $1', [id, status]);
    return (await findOrder(client, id)) as Order;
  });
}
