// A small stand-in for the backend (node:http) that prices orders like it and records every request it receives.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface FakeBackend {
  /** `http://127.0.0.1:<port>`: the webapi's BACKEND_URL. */
  readonly url: string;
  /** Every request received, health checks excluded. */
  readonly requests: ReceivedRequest[];
  /** Answer the next `count` requests with this status and an error body (e.g. 500), then behave again. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

/** The catalogue: sku → price in cents and name. */
export const CATALOGUE: Readonly<Record<string, { priceCents: number; name: string }>> = {
  'TEA-1': { priceCents: 450, name: 'Green tea' },
  'MUG-1': { priceCents: 1299, name: 'Mug' },
};

interface Customer {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

interface Order {
  id: string;
  customerId: string;
  status: string;
  totalCents: number;
  createdAt: string;
  updatedAt: string;
  lines: {
    productId: string;
    sku: string;
    name: string;
    quantity: number;
    unitPriceCents: number;
    lineTotalCents: number;
  }[];
}

export async function startFakeBackend(): Promise<FakeBackend> {
  const requests: ReceivedRequest[] = [];
  const customers: Customer[] = [];
  const orders: Order[] = [];
  let failing: { status: number; count: number } | undefined;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const url = new URL(req.url ?? '/', 'http://backend');
      if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (failing && failing.count > 0) {
        failing.count -= 1;
        return send(res, failing.status, error('internal_error', 'the fake backend was told to fail'));
      }
      route(req.method ?? '', url, body, res);
    });
  });

  function route(method: string, url: URL, body: unknown, res: ServerResponse): void {
    const now = new Date().toISOString();
    if (method === 'POST' && url.pathname === '/customers') {
      const { email, name } = body as { email: string; name: string };
      const known = customers.find((c) => c.email === email.toLowerCase());
      if (known) return send(res, 200, known);
      const customer = { id: randomUUID(), email: email.toLowerCase(), name, createdAt: now };
      customers.push(customer);
      return send(res, 201, customer);
    }
    if (method === 'GET' && url.pathname === '/customers') {
      const email = (url.searchParams.get('email') ?? '').toLowerCase();
      return send(res, 200, { customers: customers.filter((c) => c.email === email) });
    }
    if (method === 'POST' && url.pathname === '/orders') {
      const { customerId, lines } = body as { customerId: string; lines: { sku: string; quantity: number }[] };
      if (!customers.some((c) => c.id === customerId)) {
        return send(res, 422, error('unknown_customer', `no customer with id ${customerId}`));
      }
      const unknown = lines.flatMap((line, i) =>
        CATALOGUE[line.sku] ? [] : [{ path: `body.lines[${i}].sku`, message: `no product with sku "${line.sku}"` }],
      );
      if (unknown.length > 0) return send(res, 422, error('unknown_sku', 'the order names unknown skus', unknown));
      const priced = lines
        .map((line) => {
          const product = CATALOGUE[line.sku] as { priceCents: number; name: string };
          return {
            productId: randomUUID(),
            sku: line.sku,
            name: product.name,
            quantity: line.quantity,
            unitPriceCents: product.priceCents,
            lineTotalCents: product.priceCents * line.quantity,
          };
        })
        .sort((a, b) => a.sku.localeCompare(b.sku));
      const totalCents = priced.reduce((sum, line) => sum + line.lineTotalCents, 0);
      const order = {
        id: randomUUID(),
        customerId,
        status: 'pending',
        totalCents,
        createdAt: now,
        updatedAt: now,
        lines: priced,
      };
      orders.unshift(order);
      return send(res, 201, order);
    }
    const one = /^\/orders\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && one) {
      const order = orders.find((o) => o.id === one[1]);
      return order ? send(res, 200, order) : send(res, 404, error('not_found', `no order with id ${one[1]}`));
    }
    if (method === 'GET' && url.pathname === '/orders') {
      const customerId = url.searchParams.get('customerId');
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const before = url.searchParams.get('before');
      let list = orders.filter((o) => !customerId || o.customerId === customerId);
      if (before) {
        const at = list.findIndex((o) => o.id === before);
        if (at < 0) return send(res, 400, error('invalid_cursor', `before=${before} is not the id of an order`));
        list = list.slice(at + 1);
      }
      const page = list.slice(0, limit).map(({ lines: _lines, ...summary }) => summary);
      const nextBefore = list.length > limit ? (page[page.length - 1]?.id ?? null) : null;
      return send(res, 200, { orders: page, nextBefore });
    }
    send(res, 404, error('not_found', `no route ${method} ${url.pathname}`));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext(status, count = 1) {
      failing = { status, count };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function error(code: string, message: string, details?: unknown[]): unknown {
  return { error: { code, message, requestId: 'fake', ...(details ? { details } : {}) } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
