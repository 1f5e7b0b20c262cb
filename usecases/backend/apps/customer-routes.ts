// Routes under /customers: lookup by email or id, and idempotent creation by email.

import { HttpError } from '@hello-fargate/runtime';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { ensureCustomer, findCustomerByEmail, findCustomerById } from './customers.js';
import { customerSchema, email, idParams } from './schemas.js';

export function customerRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Querystring: { email: string } }>(
    '/customers',
    {
      schema: {
        querystring: { type: 'object', required: ['email'], additionalProperties: false, properties: { email } },
        response: {
          200: { type: 'object', properties: { customers: { type: 'array', items: customerSchema } } },
        },
      },
    },
    async (request) => {
      const customer = await findCustomerByEmail(pool, request.query.email);
      return { customers: customer ? [customer] : [] };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/customers/:id',
    { schema: { params: idParams, response: { 200: customerSchema } } },
    async (request) => {
      const customer = await findCustomerById(pool, request.params.id);
      if (!customer) throw new HttpError(404, 'not_found', `no customer with id ${request.params.id}`);
      return customer;
    },
  );

  app.post<{ Body: { email: string; name: string } }>(
    '/customers',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'name'],
          additionalProperties: false,
          properties: { email, name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' } },
        },
        response: { 200: customerSchema, 201: customerSchema },
      },
    },
    async (request, reply) => {
      const { customer, created } = await ensureCustomer(pool, request.body);
      return reply.code(created ? 201 : 200).send(customer);
    },
  );
}
