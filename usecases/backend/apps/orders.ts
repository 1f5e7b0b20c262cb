// Reading orders: one with its lines, or a page of summaries newest first (keyset pagination).

import { HttpError } from '@hello-fargate/runtime';
import type { OrderStatus } from './order-status.js';
import type { Queryable } from './queryable.js';

export interface OrderSummary {
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface OrderLine {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly lineTotalCents: number;
}

export interface Order extends OrderSummary {
  /** By sku. */
  readonly lines: readonly OrderLine[];
}

export interface OrderPage {
  readonly orders: readonly OrderSummary[];
  /** Pass as `before` for the next page; null on the last page. */
  readonly nextBefore: string | null;
}

interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  total_cents: number;
  created_at: Date;
  updated_at: Date;
}

const ORDER_COLUMNS = 'id, customer_id, status, total_cents, created_at, updated_at';

/** The order with its lines, or undefined. `forUpdate` locks the order row until the transaction ends. */
export async function findOrder(db: Queryable, id: string, forUpdate = false): Promise<Order | undefined> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const lines = await db.query<{
    product_id: string;
    sku: string;
    name: string;
    quantity: number;
    unit_price_cents: number;
    line_total_cents: number;
  }>(
    `SELECT l.product_id, p.sku, p.name, l.quantity, l.unit_price_cents, l.line_total_cents
       FROM order_lines l JOIN products p ON p.id = l.product_id
      WHERE l.order_id = $1
      ORDER BY p.sku`,
    [id],
  );
  return {
    ...toSummary(row),
    lines: lines.rows.map((line) => ({
      productId: line.product_id,
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unitPriceCents: line.unit_price_cents,
      lineTotalCents: line.line_total_cents,
    })),
  };
}

/**
 * Orders newest first, ordered by (created_at, id) so orders made in the same instant keep a stable order. The
 * cursor is the id of the last order of the previous page: the database compares its own timestamps, which keep
 * microseconds a JavaScript Date would lose.
 */
export async function listOrders(
  db: Queryable,
  query: { customerId?: string; before?: string; limit: number },
): Promise<OrderPage> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (query.customerId !== undefined) {
    values.push(query.customerId);
    conditions.push(`customer_id = $${values.length}`);
  }
  if (query.before !== undefined) {
    const known = await db.query('SELECT 1 FROM orders WHERE id = $1', [query.before]);
    if (known.rowCount === 0) {
      throw new HttpError(400, 'invalid_cursor', `before: no order with id ${query.before}`, [
        { path: 'querystring.before', message: 'must be the id of an order, as given in nextBefore' },
      ]);
    }
    values.push(query.before);
    conditions.push(`(created_at, id) < (SELECT created_at, id FROM orders WHERE id = $${values.length})`);
  }
  values.push(query.limit + 1);
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC
      LIMIT $${values.length}`,
    values,
  );
  const page = rows.slice(0, query.limit).map(toSummary);
  const more = rows.length > query.limit;
  return { orders: page, nextBefore: more ? (page.at(-1)?.id ?? null) : null };
}

function toSummary(row: OrderRow): OrderSummary {
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    totalCents: row.total_cents,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
