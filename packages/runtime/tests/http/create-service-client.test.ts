// createServiceClient against a real createHttpApp server: request id propagation, error mapping, timeouts.

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../tools/testing/postgres-server.js';
import { captureLogger } from '../../../../tools/testing/test-databases.js';
import { ConfigError, createHttpApp, createServiceClient, HttpError, ServiceError } from '../../src/index.js';

let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  app = createHttpApp({ logger: captureLogger('error').logger });
  app.get('/echo', async (request) => ({ requestId: request.id, seen: request.headers['x-request-id'] ?? null }));
  app.post('/echo', async (request, reply) => reply.code(201).send({ received: request.body }));
  app.get('/orders/missing', async () => {
    throw new HttpError(404, 'not_found', 'order 42 does not exist');
  });
  app.get('/slow', async () => new Promise((resolve) => setTimeout(() => resolve({ late: true }), 1000)));
  app.get('/text', async (_request, reply) => reply.type('text/plain').send('not json'));
  app.get('/empty', async (_request, reply) => reply.code(204).send());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  // fetch (undici) may hold a connection it opened ahead of need; close() alone would wait for it to time out.
  app?.server.closeAllConnections();
  await app?.close();
});

describe('createServiceClient', () => {
  it('reads the base URL from serviceUrlVariable(name), e.g. BACKEND_URL', async () => {
    const client = createServiceClient('backend', { env: { BACKEND_URL: `${baseUrl}/` } });
    expect(client.baseUrl).toBe(baseUrl);
    expect(await client.get('/echo', { requestId: 'r1' })).toMatchObject({ requestId: 'r1' });
  });

  it('refuses to start without the URL variable, naming it', () => {
    expect(() => createServiceClient('order-history', { env: {} })).toThrow(ConfigError);
    expect(() => createServiceClient('order-history', { env: {} })).toThrow(/ORDER_HISTORY_URL is not set/);
  });

  it('propagates the caller request id as x-request-id, which the service keeps for its own logs', async () => {
    const client = createServiceClient('backend', { baseUrl });
    const answer = await client.get('/echo', { requestId: '01J9ZQ3V4WJ8M2X5Y6Z7A8B9CD' });
    expect(answer).toEqual({ requestId: '01J9ZQ3V4WJ8M2X5Y6Z7A8B9CD', seen: '01J9ZQ3V4WJ8M2X5Y6Z7A8B9CD' });
  });

  it('sends a new ULID as x-request-id when the caller has none', async () => {
    const client = createServiceClient('backend', { baseUrl });
    const answer = await client.get<{ seen: string }>('/echo');
    expect(answer.seen).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('posts JSON and returns the parsed answer; an empty answer is undefined', async () => {
    const client = createServiceClient('backend', { baseUrl });
    expect(await client.post('/echo', { sku: 'A-1', quantity: 2 })).toEqual({ received: { sku: 'A-1', quantity: 2 } });
    expect(await client.get('/empty')).toBeUndefined();
  });

  it('turns an error answer into a ServiceError with the status and the service error body', async () => {
    const client = createServiceClient('backend', { baseUrl });

    const error = await client.get('/orders/missing', { requestId: 'req-404' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ServiceError);
    const serviceError = error as ServiceError;
    expect(serviceError).toMatchObject({
      code: 'HF_SERVICE_HTTP',
      status: 404,
      service: 'backend',
      method: 'GET',
      path: '/orders/missing',
      requestId: 'req-404',
      errorCode: 'not_found',
      body: { error: { code: 'not_found', message: 'order 42 does not exist', requestId: 'req-404' } },
    });
    expect(serviceError.message).toBe('backend GET /orders/missing answered 404: not_found: order 42 does not exist');
  });

  it('maps an unknown route to a 404 ServiceError too', async () => {
    const client = createServiceClient('backend', { baseUrl });
    await expect(client.post('/nowhere', {})).rejects.toMatchObject({ status: 404, errorCode: 'not_found' });
  });

  it('gives up after the timeout with a timeout ServiceError', async () => {
    const client = createServiceClient('backend', { baseUrl, timeoutMs: 100 });
    const started = Date.now();
    await expect(client.get('/slow')).rejects.toMatchObject({
      code: 'HF_SERVICE_TIMEOUT',
      status: undefined,
      message: 'backend GET /slow timed out after 100 ms',
    });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('reports an unreachable service with its URL and the connection error', async () => {
    const closedPort = await freePort();
    const client = createServiceClient('backend', { baseUrl: `http://127.0.0.1:${closedPort}` });
    await expect(client.get('/echo')).rejects.toMatchObject({
      code: 'HF_SERVICE_UNREACHABLE',
      message: `cannot reach backend at http://127.0.0.1:${closedPort} for GET /echo: ECONNREFUSED`,
    });
  });

  it('rejects a success answer that is not JSON', async () => {
    const client = createServiceClient('backend', { baseUrl });
    await expect(client.get('/text')).rejects.toMatchObject({ code: 'HF_SERVICE_BAD_RESPONSE', status: 200 });
  });
});
