// GET /products: the active catalogue with prices in integer cents.

import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { listActiveProducts } from './products.js';
import { productSchema } from './schemas.js';

export function productRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get(
    '/products',
    {
      schema: {
        response: { 200: { type: 'object', properties: { products: { type: 'array', items: productSchema } } } },
      },
    },
    async () => ({ products: await listActiveProducts(pool) }),
  );
}
