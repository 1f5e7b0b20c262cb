// The partner API in process (fastify inject): a real local IdP's tokens, a fake backend, the app's own behaviour.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceClient } from '@hello-fargate/runtime';
import { createAccessTokenVerifier } from '@hello-fargate/runtime/auth';
import type { FastifyInstance } from 'fastify';
import { ulid } from 'ulid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, type LogLine } from '../../../tools/testing/test-databases.js';
import { createWebApiApp, type WebApiAppOptions } from '../apps/create-web-api-app.js';
import { newOrderBody, order as orderSchema } from '../apps/order-schemas.js';
import { type FakeBackend, startFakeBackend } from './support/fake-backend.js';
import { startTestIdentity, type TestIdentity } from './support/test-identity.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('webapi app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-webapi-'));
  let identity: TestIdentity;
  let backend: FakeBackend;
  let app: FastifyInstance;
  let lines: LogLine[];
  let writer: string;
  let reader: string;
  const apps: FastifyInstance[] = [];

  /** An app on the shared IdP and fake backend; `overrides` for the limits under test. */
  async function startApp(overrides: Partial<WebApiAppOptions> = {}) {
    const captured = captureLogger('info');
    const started = createWebApiApp({
      backend: createServiceClient('backend', { baseUrl: backend.url }),
      verifier: createAccessTokenVerifier({ issuer: identity.idp.issuer, jwksUri: identity.idp.jwksUri }),
      logger: captured.logger,
      ...overrides,
    });
    await started.ready();
    apps.push(started);
    return { app: started, lines: captured.lines };
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    identity = await startTestIdentity(dir);
    backend = await startFakeBackend();
    ({ app, lines } = await startApp());
    writer = await identity.token('partner-writer');
    reader = await identity.token('partner-reader');
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await backend?.close();
    await identity?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    backend.requests.length = 0;
  });

  async function placeOrder(customerEmail: string, orderLines = [{ sku: 'TEA-1', quantity: 3 }]) {
    return app.inject({
      method: 'POST',
      url: '/orders',
      headers: bearer(writer),
      payload: { customerEmail, lines: orderLines },
    });
  }

  describe('POST /orders', () => {
    it('creates the customer and the order through the backend and answers 201 with server-computed totals and a Location', async () => {
      const response = await placeOrder('Ann@Example.com', [
        { sku: 'TEA-1', quantity: 3 },
        { sku: 'MUG-1', quantity: 2 },
      ]);
      expect(response.statusCode).toBe(201);
      const order = response.json();
      expect(order.totalCents).toBe(3 * 450 + 2 * 1299);
      expect(order.lines).toEqual([
        { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPriceCents: 1299, lineTotalCents: 2598 },
        { sku: 'TEA-1', name: 'Green tea', quantity: 3, unitPriceCents: 450, lineTotalCents: 1350 },
      ]);
      expect(response.headers.location).toBe(`/orders/${order.id}`);
      expect(backend.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /customers', 'POST /orders']);
      expect(backend.requests[0]?.body).toEqual({ email: 'Ann@Example.com', name: 'Ann' });
      expect(backend.requests[1]?.body).toEqual({ customerId: order.customerId, lines: expect.any(Array) });
    });

    it('reuses the customer of a known email (the backend is idempotent on it)', async () => {
      const first = (await placeOrder('repeat@example.com')).json();
      const second = (await placeOrder('REPEAT@example.com')).json();
      expect(second.customerId).toBe(first.customerId);
      expect(second.id).not.toBe(first.id);
    });

    it('refuses an invalid body with 400 naming every bad field by path, without calling the backend', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/orders',
        headers: bearer(writer),
        payload: {
          customerEmail: 'not an email',
          lines: [
            { sku: 'TEA-1', quantity: 0 },
            { sku: 'bad sku', quantity: 1, unitPriceCents: 1 },
          ],
          discount: 10,
        },
      });
      expect(response.statusCode).toBe(400);
      const { error } = response.json();
      expect(error.code).toBe('validation_failed');
      expect(error.details.map((d: { path: string }) => d.path).sort()).toEqual([
        'body.customerEmail',
        'body.discount',
        'body.lines[0].quantity',
        'body.lines[1].sku',
        'body.lines[1].unitPriceCents',
      ]);
      expect(backend.requests).toEqual([]);
    });

    it('refuses an order with no lines, and one of more than 50 lines', async () => {
      for (const orderLines of [[], Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }))]) {
        const response = await placeOrder('lines@example.com', orderLines);
        expect(response.statusCode).toBe(400);
        expect(response.json().error.details[0].path).toBe('body.lines');
      }
    });

    it('answers 413 for a body over 64 KB before any handler runs', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/orders',
        headers: { ...bearer(writer), 'content-type': 'application/json' },
        payload: JSON.stringify({ customerEmail: 'big@example.com', lines: [], pad: 'x'.repeat(65 * 1024) }),
      });
      expect(response.statusCode).toBe(413);
      expect(response.json().error.code).toBe('body_too_large');
      expect(backend.requests).toEqual([]);
    });

    it('passes the backend’s 422 on with its code and the offending line', async () => {
      const response = await placeOrder('sku@example.com', [
        { sku: 'TEA-1', quantity: 1 },
        { sku: 'NOPE-1', quantity: 1 },
      ]);
      expect(response.statusCode).toBe(422);
      expect(response.json().error).toMatchObject({
        code: 'unknown_sku',
        details: [{ path: 'body.lines[1].sku', message: 'no product with sku "NOPE-1"' }],
      });
    });

    it('answers 502 with a generic message when the backend fails, and logs the cause', async () => {
      backend.failNext(500);
      const response = await placeOrder('fail@example.com');
      expect(response.statusCode).toBe(502);
      expect(response.json().error).toMatchObject({ code: 'backend_unavailable' });
      expect(response.json().error.message).not.toMatch(/fake backend/);
      const requestId = response.headers['x-request-id'];
      expect(lines.some((l) => l.requestId === requestId && l.level === 'error' && /answered 500/.test(l.msg))).toBe(
        true,
      );
    });
  });

  describe('GET /orders and /orders/:id', () => {
    it('reads an order with its lines, and answers 404 for an absent one and 400 for a malformed id', async () => {
      const created = (await placeOrder('reader@example.com')).json();
      const found = await app.inject({ url: `/orders/${created.id}`, headers: bearer(reader) });
      expect(found.statusCode).toBe(200);
      expect(found.json()).toMatchObject({ id: created.id, totalCents: 1350, lines: [{ sku: 'TEA-1', quantity: 3 }] });

      const absent = await app.inject({ url: '/orders/00000000-0000-4000-8000-000000000000', headers: bearer(reader) });
      expect(absent.statusCode).toBe(404);
      expect(absent.json().error.code).toBe('not_found');

      const malformed = await app.inject({ url: '/orders/42', headers: bearer(reader) });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error.details[0].path).toBe('params.id');
    });

    it('lists a customer’s orders newest first, a page at a time', async () => {
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await placeOrder('pages@example.com')).json().id);
      const first = await app.inject({
        url: '/orders?customerEmail=pages@example.com&limit=2',
        headers: bearer(reader),
      });
      expect(first.statusCode).toBe(200);
      expect(first.json().orders.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
      expect(first.json().nextBefore).toBe(ids[1]);
      const second = await app.inject({
        url: `/orders?customerEmail=pages@example.com&limit=2&before=${ids[1]}`,
        headers: bearer(reader),
      });
      expect(second.json()).toEqual({ orders: [expect.objectContaining({ id: ids[0] })], nextBefore: null });
    });

    it('answers an empty page for an unknown email without listing every order', async () => {
      const response = await app.inject({ url: '/orders?customerEmail=nobody@example.com', headers: bearer(reader) });
      expect(response.json()).toEqual({ orders: [], nextBefore: null });
      expect(backend.requests.map((r) => r.url)).toEqual(['/customers?email=nobody%40example.com']);
    });

    it('refuses a limit out of range and an unknown query parameter with their paths', async () => {
      const response = await app.inject({ url: '/orders?limit=0&page=2', headers: bearer(reader) });
      expect(response.statusCode).toBe(400);
      expect(
        response
          .json()
          .error.details.map((d: { path: string }) => d.path)
          .sort(),
      ).toEqual(['querystring.limit', 'querystring.page']);
    });
  });

  describe('authentication', () => {
    it('answers 401 with a Bearer challenge when no token is sent, and 403 naming the scope a reader lacks', async () => {
      const missing = await app.inject({ url: '/orders' });
      expect(missing.statusCode).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      expect(missing.json().error.code).toBe('missing_token');

      const forbidden = await placeOrderAs(reader);
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="orders/write"');
      expect(forbidden.json().error.code).toBe('insufficient_scope');
      expect(backend.requests).toEqual([]);
    });

    it('answers 401 with error="invalid_token" for a token it cannot verify', async () => {
      const response = await app.inject({ url: '/orders', headers: bearer(`${writer.slice(0, -4)}AAAA`) });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(response.json().error.code).toBe('invalid_token');
    });

    it('checks the token before the body: an unauthenticated invalid or oversized body is a 401', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/orders',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ pad: 'x'.repeat(65 * 1024) }),
      });
      expect(response.statusCode).toBe(401);
    });

    it('serves /health and /openapi.json without a token, and needs one for unknown paths', async () => {
      expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/admin' })).statusCode).toBe(401);
      expect((await app.inject({ url: '/admin', headers: bearer(reader) })).statusCode).toBe(404);
    });

    async function placeOrderAs(token: string) {
      return app.inject({
        method: 'POST',
        url: '/orders',
        headers: bearer(token),
        payload: { customerEmail: 'scope@example.com', lines: [{ sku: 'TEA-1', quantity: 1 }] },
      });
    }
  });

  describe('request ids', () => {
    it('passes the caller’s x-request-id to the backend and writes it on every log line of the request', async () => {
      const requestId = ulid();
      const logged = lines.length;
      const response = await app.inject({
        method: 'POST',
        url: '/orders',
        headers: { ...bearer(writer), 'x-request-id': requestId },
        payload: { customerEmail: 'ids@example.com', lines: [{ sku: 'TEA-1', quantity: 1 }] },
      });
      expect(response.headers['x-request-id']).toBe(requestId);
      expect(backend.requests.map((r) => r.headers['x-request-id'])).toEqual([requestId, requestId]);
      const during = lines.slice(logged);
      expect(during.map((l) => l.msg)).toEqual([
        expect.stringMatching(/^created order /),
        expect.stringMatching(/^POST \/orders 201 /),
      ]);
      expect(during.every((l) => l.requestId === requestId)).toBe(true);
    });

    it('makes a ULID when the caller sends none, and uses it towards the backend', async () => {
      const response = await app.inject({ url: '/orders', headers: bearer(reader) });
      const requestId = response.headers['x-request-id'] as string;
      expect(requestId).toMatch(ULID);
      expect(backend.requests[0]?.headers['x-request-id']).toBe(requestId);
    });
  });

  describe('rate limit', () => {
    it('answers 429 with Retry-After once a client is over its limit, counting each client_id on its own', async () => {
      const limited = await startApp({ rateLimitMax: 3, rateLimitWindowMs: 60_000 });
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await limited.app.inject({ url: '/orders', headers: bearer(reader) })).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const over = await limited.app.inject({ url: '/orders', headers: bearer(reader) });
      expect(over.json().error.code).toBe('too_many_requests');
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      // Another client from the same address has its own budget: the key is the verified client_id, not the IP.
      expect((await limited.app.inject({ url: '/orders', headers: bearer(writer) })).statusCode).toBe(200);
      expect(limited.lines.some((l) => l.msg === 'client partner-reader is over its rate limit')).toBe(true);
    });

    it('does not count the health check or rejected tokens against anyone', async () => {
      const limited = await startApp({ rateLimitMax: 1, rateLimitWindowMs: 60_000 });
      for (let i = 0; i < 3; i++) expect((await limited.app.inject({ url: '/health' })).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) expect((await limited.app.inject({ url: '/orders' })).statusCode).toBe(401);
      expect((await limited.app.inject({ url: '/orders', headers: bearer(reader) })).statusCode).toBe(200);
    });
  });

  describe('GET /openapi.json', () => {
    it('publishes an OpenAPI 3.1 document built from the schemas the routes validate with, with per-route scopes', async () => {
      const doc = (await app.inject({ url: '/openapi.json' })).json();
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths).sort()).toEqual(['/orders', '/orders/{id}']);
      const create = doc.paths['/orders'].post;
      expect(create.requestBody.content['application/json'].schema).toEqual(JSON.parse(JSON.stringify(newOrderBody)));
      expect(create.responses['201'].content['application/json'].schema).toEqual(
        JSON.parse(JSON.stringify(orderSchema)),
      );
      expect(create.responses['201'].headers.Location).toBeDefined();
      expect(create.security).toEqual([{ bearerAuth: ['orders/write'] }]);
      expect(doc.paths['/orders'].get.security).toEqual([{ bearerAuth: ['orders/read'] }]);
      expect(doc.paths['/orders/{id}'].get.security).toEqual([{ bearerAuth: ['orders/read'] }]);
      expect(doc.paths['/orders/{id}'].get.parameters).toEqual([
        { name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string' }) },
      ]);
      expect(doc.paths['/orders'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
        'customerEmail',
        'limit',
        'before',
      ]);
      expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
      for (const op of [create, doc.paths['/orders'].get, doc.paths['/orders/{id}'].get]) {
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '429']));
      }
      const refs = JSON.stringify(doc).match(/#\/components\/[^"]+/g) ?? [];
      for (const ref of refs) {
        const [, , kind, name] = ref.split('/');
        expect(doc.components[kind as string][name as string], ref).toBeDefined();
      }
    });
  });
});
