// Creating an order: every line priced from the products table and totalled in integer cents, in one transaction.

import { type ErrorDetail, HttpError } from '@hello-fargate/runtime';
import type pg from 'pg';
import { ulid } from 'ulid';
import { findCustomerById } from './customers.js';
import { recordOrderCreated } from './order-events.js';
import { findOrder, type Order } from './orders.js';
import { productsBySku } from './products.js';
import { withTransaction } from './queryable.js';

export interface NewOrder {
  readonly customerId: string;
  /** Shape checked by the route's schema: 1–50 lines, sku format, integer quantity 1–1000. */
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
}

export interface CreateOrderOptions {
  /** Carried by the order's `order.created` event to every job it causes (the request's x-request-id). @default a new ULID */
  readonly correlationId?: string;
}

/** Largest value of a PostgreSQL `integer`: the most cents a line or an order can hold (21 474 836.47). */
export const MAX_CENTS = 2_147_483_647;

/**
 * Validates, prices and stores the order, and returns it as stored. Unit prices come from the products table as it
 * is in this transaction; what the client sends is only skus and quantities. Throws HttpError 400 for a repeated sku,
 * 422 for an unknown customer, an unknown or inactive sku, or a total above MAX_CENTS — and then stores nothing.
 * The order's `order.created` event goes into the outbox in the same transaction, so it exists exactly when the order does.
 */
export async function createOrder(pool: pg.Pool, input: NewOrder, options: CreateOrderOptions = {}): Promise<Order> {
  rejectRepeatedSkus(input);
  return withTransaction(pool, async (client) => {
    const customer = await findCustomerById(client, input.customerId);
    if (!customer) {
      throw new HttpError(422, 'unknown_customer', `no customer with id ${input.customerId}`, [
        { path: 'body.customerId', message: `no customer with id ${input.customerId}` },
      ]);
    }

    const products = await productsBySku(
      client,
      input.lines.map((line) => line.sku),
    );
    const unknown: ErrorDetail[] = [];
    const inactive: ErrorDetail[] = [];
    input.lines.forEach((line, i) => {
      const product = products.get(line.sku);
      const path = `body.lines[${i}].sku`;
      if (!product) unknown.push({ path, sku: line.sku, message: `no product with sku ${line.sku}` });
      else if (!product.active)
        inactive.push({ path, sku: line.sku, message: `product ${line.sku} is no longer sold` });
    });
    if (unknown.length > 0 || inactive.length > 0) {
      const code = unknown.length > 0 ? 'unknown_sku' : 'inactive_sku';
      const problems = [...unknown, ...inactive];
      throw new HttpError(422, code, problems.map((problem) => problem.message).join('; '), problems);
    }

    const priced = input.lines.map((line) => {
      const product = products.get(line.sku);
      if (!product) throw new Error(`sku ${line.sku} vanished between checks`);
      return {
        productId: product.id,
        quantity: line.quantity,
        unitPriceCents: product.priceCents,
        lineTotalCents: line.quantity * product.priceCents,
      };
    });
    // Integers in JavaScript are exact up to 2^53, far above anything 50 lines × 1000 × MAX_CENTS can reach.
    const totalCents = priced.reduce((sum, line) => sum + line.lineTotalCents, 0);
    if (totalCents > MAX_CENTS) {
      throw new HttpError(
        422,
        'order_too_large',
        `the order total of ${totalCents} cents is above the most an order can hold (${MAX_CENTS} cents); split the order`,
      );
    }

    const { rows } = await client.query<{ id: string }>(
      'INSERT INTO orders (customer_id, total_cents) VALUES ($1, $2) RETURNING id',
      [input.customerId, totalCents],
    );
    const orderId = (rows[0] as { id: string }).id;
    await client.query(
      `INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents, line_total_cents)
       SELECT $1, product_id, quantity, unit_price_cents, line_total_cents
         FROM unnest($2::uuid[], $3::integer[], $4::integer[], $5::integer[])
           AS line (product_id, quantity, unit_price_cents, line_total_cents)`,
      [
        orderId,
        priced.map((line) => line.productId),
        priced.map((line) => line.quantity),
        priced.map((line) => line.unitPriceCents),
        priced.map((line) => line.lineTotalCents),
      ],
    );
    await recordOrderCreated(
      client,
      { id: orderId, customerId: input.customerId, totalCents },
      options.correlationId ?? ulid(),
    );
    return (await findOrder(client, orderId)) as Order;
  });
}

/**
 * One line per sku: a repeated sku is refused rather than merged, so a client bug (the same line sent twice) shows
 * instead of silently doubling a quantity.
 */
function rejectRepeatedSkus(input: NewOrder): void {
  const firstIndex = new Map<string, number>();
  const details: ErrorDetail[] = [];
  input.lines.forEach((line, i) => {
    const first = firstIndex.get(line.sku);
    if (first === undefined) firstIndex.set(line.sku, i);
    else
      details.push({
        path: `body.lines[${i}].sku`,
        message: `repeats sku ${line.sku} of body.lines[${first}]; send one line per sku with the total quantity`,
      });
  });
  if (details.length > 0) {
    const listed = details.map((detail) => `${detail.path} ${detail.message}`).join('; ');
    throw new HttpError(400, 'validation_failed', `the request is invalid: ${listed}`, details);
  }
}
