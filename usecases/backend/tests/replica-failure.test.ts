// A backend replica killed under steady load: callers through the webapi see (almost) no errors, as with Service Connect.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRunner } from '@hello-fargate/local';
import { defineSystem } from '@hello-fargate/workload';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withClient } from '../../../tools/testing/test-databases.js';
import { orderEventsQueue } from '../../backgroundjobs/workload.js';
import { oneoff } from '../../oneoff/workload.js';
import { webapi } from '../../webapi/workload.js';
import { backend } from '../workload.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
// The partner rate limit (100 requests/s per client by default) is not under test here: lift it for this one client.
const unthrottledWebapi = { ...webapi, environment: { ...webapi.environment, RATE_LIMIT_PER_SECOND: '100000' } };
const TOTAL_REQUESTS = 3000;
const CONCURRENCY = 8;
const KILL_AFTER = 600;

function get(url: string, agent: Agent, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', () => resolve(0));
    req.end();
  });
}

describe('backend replica failure under load (webapi → Service Connect stand-in → backend → PostgreSQL)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'hf-replica-'));
  const lines: string[] = [];
  let runner: LocalRunner;
  let token: string;
  let orderUrl: string;
  const database = `hf_replica_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const server = inject('postgresUrl');
    await withClient(server, (client) => client.query(`CREATE DATABASE ${database}`));
    const url = new URL(server);
    url.pathname = `/${database}`;
    runner = await LocalRunner.start({
      system: defineSystem({
        name: 'replicas',
        workloads: [oneoff, backend, unthrottledWebapi],
        queues: [orderEventsQueue],
        resourceServers: [{ identifier: 'orders', scopes: ['read', 'write'] }],
      }),
      root,
      stateDir,
      databaseUrl: url.toString(),
      freeListenerPorts: true,
      earlyProbeSeconds: 0.1,
      output: (line) => lines.push(line),
    });
    const issuer = runner.status().endpoints.identityIssuer as string;
    const tokenResponse = await fetch(`${new URL(issuer).origin}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('partner-writer:partner-writer-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    token = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const created = await fetch(`${runner.status().endpoints.webapi}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ customerEmail: 'load@example.com', lines: [{ sku: 'KB-MECH-01', quantity: 1 }] }),
    });
    expect(created.status).toBe(201);
    orderUrl = `${runner.status().endpoints.webapi}${created.headers.get('location')}`;
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await withClient(inject('postgresUrl'), (client) =>
      client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    );
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('passes the request id from the webapi to the backend, in the log lines of both hops', async () => {
    const requestId = '01JCORRELATIONTEST0000000A';
    const response = await fetch(orderUrl, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    await new Promise((r) => setTimeout(r, 200));
    const hops = new Set(lines.filter((l) => l.includes(requestId)).map((l) => l.split('/')[0]));
    expect(hops).toEqual(new Set(['webapi', 'backend']));
  });

  it(`keeps the error rate at or below 0.1% over ${TOTAL_REQUESTS} requests while one of two backend replicas is killed`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const headers = { authorization: `Bearer ${token}` };
    const victim = runner.service('backend')?.currentTasks[0];
    expect(runner.service('backend')?.snapshot().healthyCount).toBe(2);
    let sent = 0;
    let killed = false;
    const failures: number[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < TOTAL_REQUESTS) {
          sent++;
          if (!killed && sent >= KILL_AFTER) {
            killed = true;
            process.kill(victim?.pid as number, 'SIGKILL');
          }
          const status = await get(orderUrl, agent, headers);
          if (status !== 200) failures.push(status);
        }
      }),
    );
    agent.destroy();
    expect(killed).toBe(true);
    expect(
      lines.some((l) => l.includes(`backend/${victim?.id.slice(0, 8)} | [runner] task stopped: killed by SIGKILL`)),
    ).toBe(true);
    const byStatus = failures.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    expect(
      failures.length / TOTAL_REQUESTS,
      `failed requests by status: ${JSON.stringify(byStatus)}`,
    ).toBeLessThanOrEqual(0.001);
  }, 60_000);
});
