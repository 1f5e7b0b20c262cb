// A partner machine client against the whole system under the local runner: oneoff migrations, backend, webapi.
//
// Every check is made twice: at the local ALB listener (jwt-validation, `endpoints.webapi`) and straight at a webapi
// replica's port, as a request that bypassed the load balancer would arrive. The JWT bad-input table
// (support/auth-cases.ts) is run here too, against the bundled app with the runner's own IdP: claim-level tokens are
// signed with that IdP's real key, read from `<stateDir>/identity-key.json` where the runner persists it. Here "no
// handler ran" means the real backend logged no line with the case's request id (every handler calls the backend
// first); a barrier request sent to each backend replica makes that absence check sound (see `backendSaw`).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineSystem } from '@hello-fargate/workload';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalRunner } from '../../../packages/local/src/local-runner.js';
import { withClient } from '../../../tools/testing/test-databases.js';
import { orderEventsQueue } from '../../backgroundjobs/workload.js';
import { backend } from '../../backend/workload.js';
import { oneoff } from '../../oneoff/workload.js';
import { webapi } from '../workload.js';
import { AUTH_CASES, type AuthCaseKit, expectedChallenge } from './support/auth-cases.js';
import { clientCredentialsToken, readSigningKey, resourceServers } from './support/test-identity.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('partner API under the local runner (ALB jwt-validation → webapi → backend → PostgreSQL)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'hf-webapi-system-'));
  const serverUrl = inject('postgresUrl');
  const database = `hf_webapi_${process.pid}_${Date.now()}`;
  const output: string[] = [];
  let runner: LocalRunner;
  let alb: string;
  let direct: string;
  let writer: string;
  let reader: string;
  let kit: AuthCaseKit;

  beforeAll(async () => {
    await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${database}`));
    const databaseUrl = new URL(serverUrl);
    databaseUrl.pathname = `/${database}`;
    runner = await LocalRunner.start({
      system: defineSystem({
        name: 'webapi-acceptance',
        resourceServers,
        // The declared webapi, told to accept only the local partner clients (so the foreign-client case applies).
        workloads: [oneoff, backend, { ...webapi, environment: { AUTH_CLIENT_IDS: 'partner-reader,partner-writer' } }],
        queues: [orderEventsQueue],
      }),
      root,
      stateDir,
      databaseUrl: databaseUrl.toString(),
      freeListenerPorts: true,
      earlyProbeSeconds: 0.05,
      output: (line) => output.push(line),
    });
    await withClient(databaseUrl.toString(), (client) =>
      client.query(
        `INSERT INTO products (sku, name, price_cents) VALUES ('TEA-1', 'Green tea', 450), ('MUG-1', 'Mug', 1299)`,
      ),
    );
    const { endpoints } = runner.status();
    alb = endpoints.webapi as string;
    const replica = runner
      .service('webapi')
      ?.snapshot()
      .tasks.find((t) => t.port !== undefined);
    direct = `http://127.0.0.1:${replica?.port}`;
    const origin = new URL(endpoints.identityIssuer as string).origin;
    writer = await clientCredentialsToken(origin, 'partner-writer', 'orders/read orders/write');
    reader = await clientCredentialsToken(origin, 'partner-reader');
    kit = {
      issuer: endpoints.identityIssuer as string,
      signingKey: readSigningKey(join(stateDir, 'identity-key.json')),
      readerToken: reader,
    };
  }, 60_000);

  afterAll(async () => {
    await runner?.stop();
    await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    rmSync(stateDir, { recursive: true, force: true });
  });

  const targets = [
    { target: 'the ALB listener', origin: () => alb },
    { target: 'a webapi replica directly', origin: () => direct },
  ];

  function call(origin: string, path: string, init: { token?: string; body?: unknown; requestId?: string } = {}) {
    return fetch(`${origin}${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.requestId ? { 'x-request-id': init.requestId } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  }

  /**
   * Whether a backend replica logged a line with `requestId`. First a barrier request goes to every backend replica
   * and the test waits for each one's log line: a replica's lines arrive in order, and any backend call a handler made
   * finished before the webapi answered, so once the barrier lines are in, any line for `requestId` is too.
   */
  async function backendSaw(requestId: string): Promise<boolean> {
    const replicas =
      runner
        .service('backend')
        ?.snapshot()
        .tasks.filter((t) => t.port !== undefined) ?? [];
    expect(replicas.length).toBe(2);
    const barrier = ulid();
    await Promise.all(
      replicas.map((t) => fetch(`http://127.0.0.1:${t.port}/health`, { headers: { 'x-request-id': barrier } })),
    );
    const deadline = Date.now() + 5000;
    while (output.filter((l) => l.startsWith('backend/') && l.includes(barrier)).length < replicas.length) {
      if (Date.now() > deadline) throw new Error(`the backend replicas did not log the barrier ${barrier}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return output.some((l) => l.startsWith('backend/') && l.includes(requestId));
  }

  describe.each(targets)('at $target', ({ origin }) => {
    it('lets partner-writer place an order: 201 with the catalogue’s prices, the total in cents and a Location', async () => {
      const requestId = ulid();
      const response = await call(origin(), '/orders', {
        token: writer,
        requestId,
        body: {
          customerEmail: 'partner@example.com',
          lines: [
            { sku: 'TEA-1', quantity: 3 },
            { sku: 'MUG-1', quantity: 2 },
          ],
        },
      });
      expect(response.status).toBe(201);
      const order = (await response.json()) as { id: string; totalCents: number; lines: unknown[] };
      expect(order.totalCents).toBe(3 * 450 + 2 * 1299);
      expect(order.lines).toHaveLength(2);
      expect(response.headers.get('location')).toBe(`/orders/${order.id}`);
      // The request id went webapi → backend: the backend's own log lines carry it.
      expect(response.headers.get('x-request-id')).toBe(requestId);
      expect(await backendSaw(requestId)).toBe(true);

      const read = await call(origin(), `/orders/${order.id}`, { token: reader });
      expect(read.status).toBe(200);
      expect(((await read.json()) as { totalCents: number }).totalCents).toBe(3948);
    });

    it('lets partner-reader list orders but refuses its POST with 403 insufficient_scope', async () => {
      const list = await call(origin(), '/orders?customerEmail=partner@example.com', { token: reader });
      expect(list.status).toBe(200);
      expect(((await list.json()) as { orders: unknown[] }).orders.length).toBeGreaterThan(0);

      const denied = await call(origin(), '/orders', {
        token: reader,
        body: { customerEmail: 'partner@example.com', lines: [{ sku: 'TEA-1', quantity: 1 }] },
      });
      expect(denied.status).toBe(403);
      expect(denied.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="orders/write"');
    });

    it('answers 401 without a token and with a bad one', async () => {
      const missing = await call(origin(), '/orders');
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      const bad = await call(origin(), '/orders', { token: `${writer.slice(0, -10)}AAAAAAAAAA` });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });
  });

  describe.each(targets)('JWT bad input at $target', ({ origin }) => {
    it.each(AUTH_CASES.map((c) => [c.name, c] as const))('%s', async (_name, authCase) => {
      const authorization = await authCase.authorization(kit);
      const requestId = ulid();
      const write = authCase.route === 'write';
      const response = await fetch(`${origin()}/orders`, {
        method: write ? 'POST' : 'GET',
        headers: {
          'x-request-id': requestId,
          ...(authorization !== undefined ? { authorization } : {}),
          ...(write ? { 'content-type': 'application/json' } : {}),
        },
        ...(write
          ? { body: JSON.stringify({ customerEmail: 'auth@example.com', lines: [{ sku: 'TEA-1', quantity: 1 }] }) }
          : {}),
      });
      expect(response.status).toBe(authCase.status);
      expect(response.headers.get('www-authenticate') ?? undefined).toBe(expectedChallenge(authCase));
      expect(await backendSaw(requestId), 'the backend saw the request: a handler ran').toBe(authCase.status === 200);
    });
  });
});
