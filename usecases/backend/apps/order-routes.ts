// Routes under /orders: create (priced server-side), read one, list newest first, change status.

import { HttpError } from '@hello-fargate/runtime';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { changeOrderStatus } from './change-order-status.js';
import { createOrder, type NewOrder } from './create-order.js';
import { ORDER_STATUSES, type OrderStatus } from './order-status.js';
import { findOrder, listOrders } from './orders.js';
import { idParams, orderSchema, orderSummarySchema, sku, uuid } from './schemas.js';

/** Most lines an order may have, and most orders a page may hold. */
export const MAX_ORDER_LINES = 50;
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

const newOrderBody = {
  type: 'object',
  required: ['customerId', 'lines'],
  additionalProperties: false,
  properties: {
    customerId: uuid,
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_ORDER_LINES,
      items: {
        type: 'object',
        required: ['sku', 'quantity'],
        additionalProperties: false,
        properties: { sku, quantity: { type: 'integer', minimum: 1, maximum: 1000 } },
      },
    },
  },
} as const;

export function orderRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.post<{ Body: NewOrder }>(
    '/orders',
    { schema: { body: newOrderBody, response: { 201: orderSchema } } },
    async (request, reply) => {
      const order = await createOrder(pool, request.body, { correlationId: request.id });
      request.log.info({ orderId: order.id, totalCents: order.totalCents }, `created order ${order.id}`);
      return reply.code(201).send(order);
    },
  );

  app.get<{ Querystring: { customerId?: string; before?: string; limit?: number } }>(
    '/orders',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            customerId: uuid,
            before: uuid,
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['orders', 'nextBefore'],
            properties: {
              orders: { type: 'array', items: orderSummarySchema },
              nextBefore: { anyOf: [uuid, { type: 'null' }] },
            },
          },
        },
      },
    },
    async (request) => {
      const { customerId, before, limit } = request.query;
      return listOrders(pool, { customerId, before, limit: limit ?? DEFAULT_PAGE_SIZE });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/orders/:id',
    { schema: { params: idParams, response: { 200: orderSchema } } },
    async (request) => {
      const order = await findOrder(pool, request.params.id);
      if (!order) throw new HttpError(404, 'not_found', `no order with id ${request.params.id}`);
      return order;
    },
  );

  app.patch<{ Params: { id: string }; Body: { status: OrderStatus } }>(
    '/orders/:id/status',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['status'],
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ORDER_STATUSES } },
        },
        response: { 200: orderSchema },
      },
    },
    async (request) => {
      const order = await changeOrderStatus(pool, request.params.id, request.body.status);
      request.log.info({ orderId: order.id, status: order.status }, `order ${order.id} is ${order.status}`);
      return order;
    },
  );
}
