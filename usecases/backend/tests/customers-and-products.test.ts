// Customers, products and the health check of the backend on both databases.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDatabases } from '../../../tools/testing/test-databases.js';
import { type Backend, startBackend } from './backend-fixture.js';

describe.each(backends)('customers and products on $name', (database) => {
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

  it('creates a customer with 201, then returns the same one with 200 for the same email in any case', async () => {
    const created = await backend.app.inject({
      method: 'POST',
      url: '/customers',
      payload: { email: 'Carol@Example.com', name: ' Carol ' },
    });
    const again = await backend.app.inject({
      method: 'POST',
      url: '/customers',
      payload: { email: 'carol@example.COM', name: 'Someone else' },
    });

    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ email: 'carol@example.com', name: 'Carol', id: expect.any(String) });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(created.json());
  });

  it('gives concurrent creations of one email the same customer', async () => {
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        backend.app.inject({ method: 'POST', url: '/customers', payload: { email: 'dan@example.com', name: 'Dan' } }),
      ),
    );
    expect(new Set(responses.map((response) => response.json().id)).size).toBe(1);
    expect(responses.filter((response) => response.statusCode === 201)).toHaveLength(1);
  });

  it('refuses a malformed email or a blank name with 400 naming the field', async () => {
    const response = await backend.app.inject({
      method: 'POST',
      url: '/customers',
      payload: { email: 'bob@', name: '   ' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details.map((detail: { path: string }) => detail.path)).toEqual([
      'body.email',
      'body.name',
    ]);
  });

  it('finds a customer by email, case-insensitively, as a list of zero or one', async () => {
    const found = await backend.app.inject({ method: 'GET', url: '/customers?email=ANN@example.com' });
    const none = await backend.app.inject({ method: 'GET', url: '/customers?email=nobody@example.com' });

    expect(found.json()).toEqual({
      customers: [{ id: backend.customers.ann, email: 'ann@example.com', name: 'Ann', createdAt: expect.any(String) }],
    });
    expect(none.json()).toEqual({ customers: [] });
  });

  it('requires the email query parameter', async () => {
    const response = await backend.app.inject({ method: 'GET', url: '/customers' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toEqual([{ path: 'querystring.email', message: 'is required' }]);
  });

  it('reads a customer by id: 404 when absent, 400 when the id is not a uuid', async () => {
    const found = await backend.app.inject({ method: 'GET', url: `/customers/${backend.customers.bob}` });
    const missing = await backend.app.inject({ method: 'GET', url: '/customers/00000000-0000-4000-8000-000000000009' });
    const malformed = await backend.app.inject({ method: 'GET', url: '/customers/bob' });

    expect(found.json()).toMatchObject({ id: backend.customers.bob, email: 'bob@example.com' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    expect(malformed.statusCode).toBe(400);
  });

  it('lists active products only, by name, with prices in integer cents', async () => {
    const response = await backend.app.inject({ method: 'GET', url: '/products' });

    expect(response.statusCode).toBe(200);
    const products = response.json().products;
    expect(products.map((product: { sku: string }) => product.sku)).toEqual(['GOLD-1', 'TEA-1', 'MUG-1', 'BAG-1']);
    expect(products[1]).toEqual({ id: expect.any(String), sku: 'TEA-1', name: 'Green tea', priceCents: 450 });
  });

  it('is healthy while the database answers', async () => {
    const response = await backend.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });
});
