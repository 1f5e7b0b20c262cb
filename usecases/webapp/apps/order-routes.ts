// The order pages: list, form, create (POST, form body), and one order — always for the signed-in customer only.

import { ServiceError } from '@hello-fargate/runtime';
import type { FastifyInstance } from 'fastify';
import type { OrdersApi } from './orders-api.js';
import { parseOrderForm } from './parse-order-form.js';
import { renderErrorPage } from './render-error-page.js';
import { renderNewOrderPage } from './render-new-order-page.js';
import { renderOrderPage } from './render-order-page.js';
import { renderOrdersPage } from './render-orders-page.js';
import { sendPage } from './send-page.js';
import { signedInUser } from './signed-in-user.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function orderRoutes(app: FastifyInstance, api: OrdersApi): void {
  app.get('/', async (_request, reply) => reply.redirect('/orders', 302));

  app.get<{ Querystring: { before?: string } }>('/orders', async (request, reply) => {
    const user = signedInUser(request);
    const before = typeof request.query.before === 'string' ? request.query.before : undefined;
    if (before !== undefined && !UUID.test(before)) {
      return sendPage(reply, 400, notFoundPage(user.email, request.id, 'That page of orders does not exist.', 'Page'));
    }
    const customerId = await api.customerIdFor(user, request.id);
    const page = await api.orders(customerId, before, request.id).catch((error: unknown) => {
      if (error instanceof ServiceError && error.errorCode === 'invalid_cursor') return undefined;
      throw error;
    });
    if (!page)
      return sendPage(reply, 400, notFoundPage(user.email, request.id, 'That page of orders does not exist.', 'Page'));
    return sendPage(reply, 200, renderOrdersPage({ email: user.email, page, older: before !== undefined }));
  });

  app.get('/orders/new', async (request, reply) => {
    const user = signedInUser(request);
    const products = await api.products(request.id);
    return sendPage(reply, 200, renderNewOrderPage({ email: user.email, products }));
  });

  app.post('/orders', async (request, reply) => {
    const user = signedInUser(request);
    const products = await api.products(request.id);
    const form = parseOrderForm(request.body, products);
    if (form.errors.length > 0) {
      return sendPage(
        reply,
        422,
        renderNewOrderPage({ email: user.email, products, rows: form.rows, errors: form.errors }),
      );
    }
    const customerId = await api.customerIdFor(user, request.id);
    try {
      const order = await api.createOrder(customerId, form.lines, request.id);
      request.log.info({ orderId: order.id }, `placed order ${order.id}`);
      return reply.redirect(`/orders/${order.id}`, 303);
    } catch (error) {
      // The catalogue changed between the form and the order (a product retired): say so and keep the input.
      if (!(error instanceof ServiceError) || error.status === undefined || error.status >= 500 || error.status === 404)
        throw error;
      const refused = (error.body as { error?: { message?: unknown } } | undefined)?.error?.message;
      const message = `The order could not be placed: ${typeof refused === 'string' ? refused : 'the orders service refused it'}. Check the lines and try again.`;
      return sendPage(
        reply,
        422,
        renderNewOrderPage({ email: user.email, products, rows: form.rows, errors: [{ message }] }),
      );
    }
  });

  app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
    const user = signedInUser(request);
    const { id } = request.params;
    const order = UUID.test(id) ? await api.order(id, request.id) : undefined;
    // Someone else's order answers exactly like a missing one, so ids cannot be probed.
    if (!order || order.customerId !== (await api.customerIdFor(user, request.id))) {
      return sendPage(
        reply,
        404,
        notFoundPage(user.email, request.id, 'There is no order with this id among your orders.', 'Order not found'),
      );
    }
    return sendPage(reply, 200, renderOrderPage({ email: user.email, order }));
  });
}

function notFoundPage(email: string, requestId: string, message: string, title: string): string {
  return renderErrorPage({ title, message, requestId, email });
}
