// The orders API on both databases: server-side pricing in integer cents, refusals, pagination, status changes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDatabases } from '../../../tools/testing/test-databases.js';
import { type Backend, newCustomer, PRODUCTS, startBackend } from './backend-fixture.js';

describe.each(backends)('orders API on $name', (database) => {
  let databases: TestDatabases;
  let backend: Backend;

  beforeAll(async () => {
    databases = await database.start();
    backend = await startBackend(databases);
  });
  afterAll(async () => {
    await backend?.close();
    await databases?.stop();
  });

  const post = (payload: object) => backend.app.inject({ method: 'POST', url: '/orders', payload });
  const countOrders = async () => Number((await backend.pool.query('SELECT count(*) AS n FROM orders')).rows[0].n);

  it('prices each line from the products table and totals quantity × price in integer cents', async () => {
    const response = await post({
      customerId: backend.customers.ann,
      lines: [
        { sku: 'TEA-1', quantity: 3 },
        { sku: 'MUG-1', quantity: 2 },
      ],
    });

    expect(response.statusCode).toBe(201);
    const order = response.json();
    expect(order).toMatchObject({
      customerId: backend.customers.ann,
      status: 'pending',
      totalCents: 3 * 450 + 2 * 1299,
      lines: [
        { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPriceCents: 1299, lineTotalCents: 2598 },
        { sku: 'TEA-1', name: 'Green tea', quantity: 3, unitPriceCents: 450, lineTotalCents: 1350 },
      ],
    });
    const stored = await backend.pool.query(
      'SELECT o.total_cents, sum(l.line_total_cents)::int AS sum FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.id = $1 GROUP BY o.id',
      [order.id],
    );
    expect(stored.rows[0]).toEqual({ total_cents: 3948, sum: 3948 });
    const fetched = await backend.app.inject({ method: 'GET', url: `/orders/${order.id}` });
    expect(fetched.json()).toEqual(order);
  });

  it('keeps the stored prices of an order when a product price changes afterwards', async () => {
    const created = (await post({ customerId: backend.customers.bob, lines: [{ sku: 'BAG-1', quantity: 4 }] })).json();

    await backend.pool.query("UPDATE products SET price_cents = 1500 WHERE sku = 'BAG-1'");
    const after = (await backend.app.inject({ method: 'GET', url: `/orders/${created.id}` })).json();
    const newOrder = (await post({ customerId: backend.customers.bob, lines: [{ sku: 'BAG-1', quantity: 4 }] })).json();
    await backend.pool.query("UPDATE products SET price_cents = 999 WHERE sku = 'BAG-1'");

    expect(after.totalCents).toBe(4 * 999);
    expect(after.lines[0]).toMatchObject({ unitPriceCents: 999, lineTotalCents: 3996 });
    expect(newOrder.totalCents).toBe(4 * 1500);
  });

  it('refuses unknown skus with 422 naming each one, and stores nothing', async () => {
    const before = await countOrders();

    const response = await post({
      customerId: backend.customers.ann,
      lines: [
        { sku: 'TEA-1', quantity: 1 },
        { sku: 'NOPE-1', quantity: 1 },
        { sku: 'OLD-1', quantity: 1 },
      ],
    });

    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({
      code: 'unknown_sku',
      message: 'no product with sku NOPE-1; product OLD-1 is no longer sold',
      details: [
        { path: 'body.lines[1].sku', sku: 'NOPE-1', message: 'no product with sku NOPE-1' },
        { path: 'body.lines[2].sku', sku: 'OLD-1', message: 'product OLD-1 is no longer sold' },
      ],
    });
    expect(await countOrders()).toBe(before);
  });

  it('refuses an inactive sku with 422 inactive_sku', async () => {
    const response = await post({ customerId: backend.customers.ann, lines: [{ sku: 'OLD-1', quantity: 1 }] });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('inactive_sku');
  });

  it('refuses an unknown customer with 422 unknown_customer', async () => {
    const customerId = '00000000-0000-4000-8000-000000000000';
    const response = await post({ customerId, lines: [{ sku: 'TEA-1', quantity: 1 }] });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({
      code: 'unknown_customer',
      details: [{ path: 'body.customerId', message: `no customer with id ${customerId}` }],
    });
  });

  it('answers bad input with 400 naming the path of each bad field', async () => {
    const response = await post({
      customerId: 'not-a-uuid',
      lines: [
        { sku: 'TEA-1', quantity: 0 },
        { sku: 'TEA-2', quantity: 1001 },
        { sku: 'MUG-1', quantity: 1.5 },
        { quantity: 1 },
        { sku: 'bag 1', quantity: 1, unitPriceCents: 1 },
      ],
    });

    expect(response.statusCode).toBe(400);
    const error = response.json().error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((detail: { path: string }) => detail.path).sort()).toEqual([
      'body.customerId',
      'body.lines[0].quantity',
      'body.lines[1].quantity',
      'body.lines[2].quantity',
      'body.lines[3].sku',
      'body.lines[4].sku',
      'body.lines[4].unitPriceCents',
    ]);
  });

  it('refuses an order without lines or with more than 50 lines', async () => {
    const empty = await post({ customerId: backend.customers.ann, lines: [] });
    const lines = Array.from({ length: 51 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 }));
    const tooMany = await post({ customerId: backend.customers.ann, lines });

    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details).toEqual([{ path: 'body.lines', message: 'must NOT have fewer than 1 items' }]);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.details).toEqual([{ path: 'body.lines', message: 'must NOT have more than 50 items' }]);
  });

  it('refuses a repeated sku with 400 rather than merging the lines', async () => {
    const response = await post({
      customerId: backend.customers.ann,
      lines: [
        { sku: 'TEA-1', quantity: 1 },
        { sku: 'MUG-1', quantity: 1 },
        { sku: 'TEA-1', quantity: 2 },
      ],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toEqual([
      {
        path: 'body.lines[2].sku',
        message: 'repeats sku TEA-1 of body.lines[0]; send one line per sku with the total quantity',
      },
    ]);
  });

  it('refuses an order whose total would not fit the integer cents column with 422', async () => {
    const before = await countOrders();
    const response = await post({ customerId: backend.customers.ann, lines: [{ sku: 'GOLD-1', quantity: 3 }] });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('order_too_large');
    expect(await countOrders()).toBe(before);
  });

  it('creates 20 orders concurrently, each with the right total', async () => {
    const customerId = await newCustomer(backend, 'Busy');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post({
          customerId,
          lines: [
            { sku: 'TEA-1', quantity: i + 1 },
            { sku: 'MUG-1', quantity: 1 },
          ],
        }),
      ),
    );

    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(201));
    expect(responses.map((response) => response.json().totalCents)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i + 1) * PRODUCTS['TEA-1'].priceCents + PRODUCTS['MUG-1'].priceCents),
    );
    const stored = await backend.pool.query(
      `SELECT count(DISTINCT o.id)::int AS orders, count(*)::int AS lines,
              bool_and(o.total_cents = (SELECT sum(line_total_cents) FROM order_lines WHERE order_id = o.id)) AS consistent
         FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.customer_id = $1`,
      [customerId],
    );
    expect(stored.rows[0]).toEqual({ orders: 20, lines: 40, consistent: true });
  });

  it('answers 404 for an order that does not exist and 400 for a malformed id', async () => {
    const missing = await backend.app.inject({ method: 'GET', url: '/orders/00000000-0000-4000-8000-000000000001' });
    const malformed = await backend.app.inject({ method: 'GET', url: '/orders/42' });

    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details).toEqual([{ path: 'params.id', message: expect.stringMatching(/pattern/) }]);
  });

  describe('listing', () => {
    let customerId: string;
    let created: string[];

    beforeAll(async () => {
      customerId = await newCustomer(backend, 'Pager');
      created = [];
      for (let i = 1; i <= 5; i++) {
        created.push((await post({ customerId, lines: [{ sku: 'TEA-1', quantity: i }] })).json().id);
      }
    });

    const list = (query: string) => backend.app.inject({ method: 'GET', url: `/orders?${query}` });

    it('pages through a customer’s orders newest first with keyset cursors', async () => {
      const first = (await list(`customerId=${customerId}&limit=2`)).json();
      const second = (await list(`customerId=${customerId}&limit=2&before=${first.nextBefore}`)).json();
      const third = (await list(`customerId=${customerId}&limit=2&before=${second.nextBefore}`)).json();

      const newestFirst = [...created].reverse();
      expect(first.orders.map((order: { id: string }) => order.id)).toEqual(newestFirst.slice(0, 2));
      expect(second.orders.map((order: { id: string }) => order.id)).toEqual(newestFirst.slice(2, 4));
      expect(third.orders.map((order: { id: string }) => order.id)).toEqual(newestFirst.slice(4));
      expect(first.nextBefore).toBe(newestFirst[1]);
      expect(third.nextBefore).toBeNull();
      expect(third.orders[0]).toMatchObject({ customerId, status: 'pending', totalCents: 450 });
      expect(third.orders[0]).not.toHaveProperty('lines');
    });

    it('returns 20 orders by default, and orders of every customer without customerId', async () => {
      const many = await newCustomer(backend, 'Many');
      await Promise.all(
        Array.from({ length: 21 }, () => post({ customerId: many, lines: [{ sku: 'MUG-1', quantity: 1 }] })),
      );

      const page = (await list(`customerId=${many}`)).json();
      const everyone = (await list('limit=100')).json();

      expect(page.orders).toHaveLength(20);
      expect(page.nextBefore).toEqual(page.orders[19].id);
      const customers = new Set(everyone.orders.map((order: { customerId: string }) => order.customerId));
      expect(customers).toContain(many);
      expect(customers).toContain(customerId);
    });

    it('refuses a limit above 100, a malformed customerId and an unknown cursor with 400', async () => {
      const tooBig = await list(`customerId=${customerId}&limit=101`);
      const badId = await list('customerId=ann');
      const unknownCursor = await list('before=00000000-0000-4000-8000-000000000002');

      expect(tooBig.statusCode).toBe(400);
      expect(tooBig.json().error.details).toEqual([{ path: 'querystring.limit', message: 'must be <= 100' }]);
      expect(badId.json().error.details[0].path).toBe('querystring.customerId');
      expect(unknownCursor.statusCode).toBe(400);
      expect(unknownCursor.json().error.code).toBe('invalid_cursor');
    });
  });

  describe('status changes', () => {
    const patch = (id: string, status: string) =>
      backend.app.inject({ method: 'PATCH', url: `/orders/${id}/status`, payload: { status } });
    const newOrder = async () =>
      (await post({ customerId: backend.customers.bob, lines: [{ sku: 'TEA-1', quantity: 1 }] })).json().id as string;

    it('follows pending → confirmed → invoiced → shipped → delivered', async () => {
      const id = await newOrder();
      for (const status of ['confirmed', 'invoiced', 'shipped', 'delivered']) {
        const response = await patch(id, status);
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({ id, status, lines: [{ sku: 'TEA-1' }] });
      }
      const stored = await backend.pool.query(
        'SELECT status, updated_at > created_at AS touched FROM orders WHERE id = $1',
        [id],
      );
      expect(stored.rows[0]).toEqual({ status: 'delivered', touched: true });
    });

    it('refuses a transition that is not allowed with 409, saying what is allowed', async () => {
      const id = await newOrder();

      const skip = await patch(id, 'shipped');

      expect(skip.statusCode).toBe(409);
      expect(skip.json().error).toMatchObject({
        code: 'invalid_transition',
        message: `order ${id} is pending: it can go to confirmed or cancelled, not shipped`,
      });
      expect((await patch(id, 'cancelled')).statusCode).toBe(200);
      const reopen = await patch(id, 'confirmed');
      expect(reopen.statusCode).toBe(409);
      expect(reopen.json().error.message).toBe(`order ${id} is cancelled: cancelled is final, not confirmed`);
    });

    it('treats setting the current status again as a successful no-op, so retried jobs are harmless', async () => {
      const id = await newOrder();
      const first = await patch(id, 'confirmed');
      const again = await patch(id, 'confirmed');
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(first.json());
    });

    it('answers 400 for an unknown status and 404 for an unknown order', async () => {
      const id = await newOrder();
      const unknownStatus = await patch(id, 'lost');
      const unknownOrder = await patch('00000000-0000-4000-8000-000000000003', 'confirmed');

      expect(unknownStatus.statusCode).toBe(400);
      expect(unknownStatus.json().error.details).toEqual([
        {
          path: 'body.status',
          message: 'must be one of pending, confirmed, invoiced, shipped, delivered, cancelled',
        },
      ]);
      expect(unknownOrder.statusCode).toBe(404);
    });
  });
});
