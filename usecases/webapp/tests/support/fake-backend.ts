// An in-memory backend behind a real ServiceClient (its fetch is replaced), counting every call the webapp makes.

import { randomUUID } from 'node:crypto';
import { createServiceClient, type ServiceClient } from '@hello-fargate/runtime';
import type { Order, Product } from '../../apps/orders-api.js';

export interface FakeBackend {
  readonly client: ServiceClient;
  /** Every call, as `METHOD /path?query`. */
  readonly calls: string[];
  readonly products: Product[];
  readonly orders: Order[];
  /** Customer ids by email. */
  readonly customers: Map<string, string>;
  /** Adds an order for a customer (created if new) and returns it. */
  addOrder(email: string, lines: readonly { sku: string; quantity: number }[], createdAt?: string): Order;
  /** Makes the next POST /orders answer this status and error (then back to normal). */
  refuseNextOrder(status: number, code: string, message: string): void;
}

export const PRODUCTS: Product[] = [
  { id: randomUUID(), sku: 'KB-MECH-01', name: 'Mechanical keyboard', priceCents: 8900 },
  { id: randomUUID(), sku: 'MS-TRAV-01', name: 'Travel mouse', priceCents: 1995 },
  { id: randomUUID(), sku: 'XSS-1', name: '<img src=x onerror=alert(1)> "Hacker" mug', priceCents: 123456 },
];

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const notFound = () => json(404, { error: { code: 'not_found', message: 'no such thing', requestId: 'x' } });

export function createFakeBackend(): FakeBackend {
  const calls: string[] = [];
  const products = PRODUCTS.map((product) => ({ ...product }));
  const orders: Order[] = [];
  const customers = new Map<string, string>();
  let refusal: { status: number; code: string; message: string } | undefined;

  const customerId = (email: string) => {
    if (!customers.has(email)) customers.set(email, randomUUID());
    return customers.get(email) as string;
  };
  const makeOrder = (id: string, lines: readonly { sku: string; quantity: number }[], createdAt: string): Order => {
    const priced = lines.map((line) => {
      const product = products.find((p) => p.sku === line.sku) as Product;
      return {
        sku: line.sku,
        name: product.name,
        quantity: line.quantity,
        unitPriceCents: product.priceCents,
        lineTotalCents: product.priceCents * line.quantity,
      };
    });
    const order = {
      id: randomUUID(),
      customerId: id,
      status: 'pending',
      totalCents: priced.reduce((sum, line) => sum + line.lineTotalCents, 0),
      createdAt,
      updatedAt: createdAt,
      lines: priced,
    };
    orders.unshift(order);
    return order;
  };

  const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${url.pathname}${url.search}`);
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    if (method === 'POST' && url.pathname === '/customers') {
      const known = customers.has(body.email);
      return json(known ? 200 : 201, { id: customerId(body.email), email: body.email, name: body.name });
    }
    if (method === 'GET' && url.pathname === '/products') return json(200, { products });
    if (method === 'POST' && url.pathname === '/orders') {
      if (refusal) {
        const { status, code, message } = refusal;
        refusal = undefined;
        return json(status, { error: { code, message, requestId: 'x' } });
      }
      return json(201, makeOrder(body.customerId, body.lines, new Date().toISOString()));
    }
    if (method === 'GET' && url.pathname === '/orders') {
      const mine = orders.filter((order) => order.customerId === url.searchParams.get('customerId'));
      return json(200, { orders: mine.map(({ lines: _lines, ...summary }) => summary), nextBefore: null });
    }
    const one = /^\/orders\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && one) {
      const order = orders.find((o) => o.id === one[1]);
      return order ? json(200, order) : notFound();
    }
    return notFound();
  };

  return {
    client: createServiceClient('backend', { baseUrl: 'http://backend.test', fetch: fakeFetch as typeof fetch }),
    calls,
    products,
    orders,
    customers,
    addOrder: (email, lines, createdAt = new Date().toISOString()) => makeOrder(customerId(email), lines, createdAt),
    refuseNextOrder(status, code, message) {
      refusal = { status, code, message };
    },
  };
}
