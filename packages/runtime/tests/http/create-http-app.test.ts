// createHttpApp: request ids, access log, health check, and the JSON error answers, through fastify's inject.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../../tools/testing/test-databases.js';
import { createHttpApp, type HttpAppOptions, HttpError } from '../../src/index.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** An app with a few routes that exercise each kind of answer, and the lines it logs. */
function testApp(options: HttpAppOptions = {}) {
  const { logger, lines } = captureLogger('info');
  app = createHttpApp({ logger, ...options });
  app.get('/hello', async (request) => {
    request.log.info('saying hello');
    return { hello: 'world' };
  });
  app.post(
    '/items',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name', 'lines'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1 },
            lines: {
              type: 'array',
              items: {
                type: 'object',
                required: ['quantity'],
                properties: { quantity: { type: 'integer', minimum: 1 } },
              },
            },
          },
        },
      },
    },
    async (_request, reply) => reply.code(201).send({ ok: true }),
  );
  app.get('/boom', async () => {
    throw new Error('password=hunter2 in a SQL error');
  });
  app.get('/conflict', async () => {
    throw new HttpError(409, 'invalid_transition', 'cannot go from delivered to pending', [
      { path: 'body.status', message: 'delivered is final' },
    ]);
  });
  return { app, lines };
}

describe('createHttpApp', () => {
  it('makes a ULID request id when none is sent, echoes it and logs it on every line of the request', async () => {
    const { app, lines } = testApp();

    const response = await app.inject({ method: 'GET', url: '/hello' });

    expect(response.statusCode).toBe(200);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(ULID);
    const requestLines = lines.filter((line) => line.requestId === requestId);
    expect(requestLines.map((line) => line.msg)).toEqual(['saying hello', expect.stringMatching(/^GET \/hello 200 /)]);
  });

  it('keeps a valid x-request-id from the caller', async () => {
    const { app, lines } = testApp();

    const response = await app.inject({ method: 'GET', url: '/hello', headers: { 'x-request-id': 'web-abc_123' } });

    expect(response.headers['x-request-id']).toBe('web-abc_123');
    expect(lines.filter((line) => line.requestId === 'web-abc_123')).toHaveLength(2);
  });

  it('replaces an unsafe or too long x-request-id with a new ULID', async () => {
    const { app } = testApp();
    for (const sent of ['has space', 'x'.repeat(65), 'quote"d', '']) {
      const response = await app.inject({ method: 'GET', url: '/hello', headers: { 'x-request-id': sent } });
      expect(response.headers['x-request-id']).toMatch(ULID);
    }
  });

  it('writes one access line per request with method, path without query, status and duration', async () => {
    const { app, lines } = testApp();

    await app.inject({ method: 'GET', url: '/hello?email=ann@example.com' });

    const access = lines.filter((line) => line.method !== undefined);
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ level: 'info', method: 'GET', url: '/hello', statusCode: 200 });
    expect(access[0]?.durationMs).toEqual(expect.any(Number));
    expect(JSON.stringify(lines)).not.toContain('ann@example.com');
  });

  it('answers GET /health with 200 {status: ok}', async () => {
    const { app } = testApp();
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 when the health check fails, and logs why', async () => {
    const { app, lines } = testApp({
      health: {
        check: async () => {
          throw new Error('connection refused');
        },
      },
    });

    const response = await app.inject({ method: 'GET', url: '/health' });

    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable' });
    expect(lines.some((line) => line.msg === 'health check failed: connection refused')).toBe(true);
  });

  it('answers 503 when the health check takes longer than its timeout', async () => {
    const { app } = testApp({ health: { check: () => new Promise(() => undefined), timeoutMs: 50 } });
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
  });

  it('answers a schema violation with 400 listing every problem with its path', async () => {
    const { app } = testApp();

    const response = await app.inject({
      method: 'POST',
      url: '/items',
      headers: { 'x-request-id': 'req-1' },
      payload: { lines: [{ quantity: 1 }, { quantity: 0 }, {}], colour: 'red' },
    });

    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error).toMatchObject({ code: 'validation_failed', requestId: 'req-1' });
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'body.name', message: 'is required' },
        { path: 'body.colour', message: 'is not an allowed field' },
        { path: 'body.lines[1].quantity', message: 'must be >= 1' },
        { path: 'body.lines[2].quantity', message: 'is required' },
      ]),
    );
    expect(body.error.details).toHaveLength(4);
    expect(body.error.message).toContain('body.lines[1].quantity must be >= 1');
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const { app } = testApp();
    const response = await app.inject({
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_json');
  });

  it('answers a body over the limit with 413 in the error shape', async () => {
    const { app } = testApp({ bodyLimit: 1024 });

    const response = await app.inject({
      method: 'POST',
      url: '/items',
      headers: { 'x-request-id': 'big-1' },
      payload: { name: 'x'.repeat(2000), lines: [] },
    });

    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      error: { code: 'body_too_large', message: expect.any(String), requestId: 'big-1' },
    });
  });

  it('limits bodies to 100 KB by default', async () => {
    const { app } = testApp();
    const payload = { name: 'x'.repeat(100 * 1024), lines: [] };
    const response = await app.inject({ method: 'POST', url: '/items', payload });
    expect(response.statusCode).toBe(413);
    const fits = await app.inject({ method: 'POST', url: '/items', payload: { name: 'x'.repeat(90_000), lines: [] } });
    expect(fits.statusCode).toBe(201);
  });

  it('answers an unsupported content type with 415', async () => {
    const { app } = testApp();
    const response = await app.inject({
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('unsupported_media_type');
  });

  it('answers an unknown route with 404 naming the method and path, with the request id', async () => {
    const { app, lines } = testApp();

    const response = await app.inject({ method: 'DELETE', url: '/nowhere?x=1' });

    expect(response.statusCode).toBe(404);
    const requestId = response.headers['x-request-id'];
    expect(response.json()).toEqual({
      error: { code: 'not_found', message: 'no route DELETE /nowhere', requestId },
    });
    expect(lines.find((line) => line.method === 'DELETE')).toMatchObject({ statusCode: 404, error: 'not_found' });
  });

  it('answers an HttpError with its status, code, message and details', async () => {
    const { app } = testApp();
    const response = await app.inject({ method: 'GET', url: '/conflict' });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({
      code: 'invalid_transition',
      message: 'cannot go from delivered to pending',
      details: [{ path: 'body.status', message: 'delivered is final' }],
    });
  });

  it('answers an unexpected error with a generic 500 and keeps the message and stack in the log only', async () => {
    const { app, lines } = testApp();

    const response = await app.inject({ method: 'GET', url: '/boom' });

    expect(response.statusCode).toBe(500);
    const requestId = response.headers['x-request-id'];
    expect(response.json()).toEqual({
      error: { code: 'internal_error', message: expect.any(String), requestId },
    });
    expect(response.body).not.toContain('hunter2');
    const logged = lines.find((line) => line.level === 'error');
    expect(logged).toMatchObject({ requestId, msg: 'unexpected error: password=hunter2 in a SQL error' });
    expect(JSON.stringify(logged?.err)).toContain('create-http-app.test.ts');
  });

  it('sends no x-powered-by header', async () => {
    const { app } = testApp();
    for (const url of ['/hello', '/nowhere', '/boom']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.headers).not.toHaveProperty('x-powered-by');
    }
  });
});
