// Routes under /orders: create an order for a customer known by email, read one, list newest first.

import type { ServiceClient } from '@hello-fargate/runtime';
import type { FastifyContextConfig, FastifyInstance, FastifySchema } from 'fastify';
import { accessTokenOf, type RouteAuthConfig } from './create-auth-hook.js';
import { backendFailure } from './backend-failure.js';
import { DEFAULT_PAGE_SIZE, listOrdersQuery, newOrderBody, order, orderIdParams, orderPage } from './order-schemas.js';

interface NewOrder {
  customerEmail: string;
  customerName?: string;
  lines: { sku: string; quantity: number }[];
}

interface Customer {
  id: string;
}

interface Order {
  id: string;
  totalCents: number;
}

/** What a route publishes in /openapi.json besides its schemas. */
interface OperationDoc extends RouteAuthConfig {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
}

/**
 * A route's `config` (its scope, read by the auth hook) and `schema` (validation, plus the operation's OpenAPI fields,
 * which fastify ignores and the document builder reads). fastify's types know neither; the casts keep module
 * augmentation, which would change fastify's types for the whole repository, out of this workload.
 */
function described(doc: OperationDoc, schema: FastifySchema): { config: FastifyContextConfig; schema: FastifySchema } {
  const { scope, ...operation } = doc;
  return { config: { scope } as FastifyContextConfig, schema: { ...operation, ...schema } as FastifySchema };
}

/** The backend's name limit; a customer made from an email uses its local part. */
const MAX_NAME_LENGTH = 200;

export function orderRoutes(app: FastifyInstance, backend: ServiceClient): void {
  app.post<{ Body: NewOrder }>(
    '/orders',
    described(
      {
        scope: 'orders/write',
        operationId: 'createOrder',
        summary: 'Place an order for a customer, priced by the server',
        description:
          'Finds the customer by email or creates it, then creates the order. Unit prices and totals (integer cents) ' +
          'come from the catalogue. Unknown or inactive skus are refused (422) with the offending line in `details`.',
      },
      { body: newOrderBody, response: { 201: order } },
    ),
    async (request, reply) => {
      const call = { requestId: request.id };
      const { customerEmail, customerName, lines } = request.body;
      try {
        const customer = await backend.post<Customer>(
          '/customers',
          { email: customerEmail, name: customerName ?? defaultName(customerEmail) },
          call,
        );
        const created = await backend.post<Order>('/orders', { customerId: customer.id, lines }, call);
        request.log.info(
          { orderId: created.id, totalCents: created.totalCents, clientId: accessTokenOf(request)?.client_id },
          `created order ${created.id}`,
        );
        return reply.code(201).header('location', `/orders/${created.id}`).send(created);
      } catch (error) {
        throw backendFailure(error, request);
      }
    },
  );

  app.get<{ Querystring: { customerEmail?: string; limit?: number; before?: string } }>(
    '/orders',
    described(
      {
        scope: 'orders/read',
        operationId: 'listOrders',
        summary: 'List orders, newest first, a page at a time',
        description:
          'Keyset pagination: pass the answer’s `nextBefore` as `before` for the next page. Orders created meanwhile ' +
          'do not shift later pages. Without `customerEmail`, every customer’s orders.',
      },
      { querystring: listOrdersQuery, response: { 200: orderPage } },
    ),
    async (request) => {
      const call = { requestId: request.id };
      const { customerEmail, before } = request.query;
      const query = new URLSearchParams({ limit: String(request.query.limit ?? DEFAULT_PAGE_SIZE) });
      if (before !== undefined) query.set('before', before);
      try {
        if (customerEmail !== undefined) {
          const found = await backend.get<{ customers: Customer[] }>(
            `/customers?${new URLSearchParams({ email: customerEmail })}`,
            call,
          );
          const customer = found.customers[0];
          if (!customer) return { orders: [], nextBefore: null };
          query.set('customerId', customer.id);
        }
        return await backend.get(`/orders?${query}`, call);
      } catch (error) {
        throw backendFailure(error, request);
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/orders/:id',
    described(
      { scope: 'orders/read', operationId: 'getOrder', summary: 'One order with its lines' },
      { params: orderIdParams, response: { 200: order } },
    ),
    async (request) => {
      try {
        return await backend.get(`/orders/${encodeURIComponent(request.params.id)}`, { requestId: request.id });
      } catch (error) {
        throw backendFailure(error, request);
      }
    },
  );
}

/** `ann.lee@example.com` → `ann.lee`: a customer created by a partner order needs a name, which partners may omit. */
function defaultName(email: string): string {
  return email.slice(0, email.indexOf('@')).slice(0, MAX_NAME_LENGTH);
}
