import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../src/ports.js';
import {
  type ServiceConnectProxy,
  type ServiceTarget,
  startServiceConnectProxy,
} from '../src/service-connect-proxy.js';

describe('Service Connect stand-in', () => {
  const servers: Server[] = [];
  let proxy: ServiceConnectProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  async function replica(id: string): Promise<ServiceTarget> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-replica': id });
        res.end(JSON.stringify({ id, method: req.method, body, requestId: req.headers['x-request-id'] ?? null }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    return { id, port: (server.address() as AddressInfo).port };
  }

  it('balances requests across replicas, passing headers and bodies through', async () => {
    const targets = [await replica('a'), await replica('b')];
    proxy = await startServiceConnectProxy({ name: 'backend', targets: () => targets });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${proxy.url}/orders`, {
        method: 'POST',
        headers: { 'x-request-id': `r${i}` },
        body: `n=${i}`,
      });
      const json = (await res.json()) as { id: string; body: string; requestId: string };
      expect(json.body).toBe(`n=${i}`);
      expect(json.requestId).toBe(`r${i}`);
      seen.push(json.id);
    }
    expect(seen.filter((id) => id === 'a')).toHaveLength(2);
    expect(seen.filter((id) => id === 'b')).toHaveLength(2);
  });

  it('retries a refused connection on another replica and stops sending to the dead one', async () => {
    const dead: ServiceTarget = { id: 'dead', port: await freePort() };
    const live = await replica('live');
    proxy = await startServiceConnectProxy({ name: 'backend', targets: () => [dead, live] });
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${proxy.url}/x`, { method: 'POST', body: 'payload' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string; body: string }).body).toBe('payload');
    }
    const stats = proxy.stats();
    expect(stats.failures).toBe(0);
    expect(stats.retries).toBe(1); // once ejected, the dead replica gets nothing more
    expect(stats.ejected).toEqual(['dead']);
  });

  it('answers 503 when there is no replica and 502 when none can be reached', async () => {
    proxy = await startServiceConnectProxy({ name: 'backend', targets: () => [] });
    const none = await fetch(`${proxy.url}/x`);
    expect(none.status).toBe(503);
    expect(await none.json()).toEqual({
      error: { code: 'NO_HEALTHY_UPSTREAM', message: 'no running replica of "backend"' },
    });
    await proxy.close();
    const targets = [
      { id: 'a', port: await freePort() },
      { id: 'b', port: await freePort() },
    ];
    proxy = await startServiceConnectProxy({ name: 'backend', targets: () => targets });
    const unreachable = await fetch(`${proxy.url}/x`);
    expect(unreachable.status).toBe(502);
    expect(((await unreachable.json()) as { error: { message: string } }).error.message).toBe(
      'could not reach a replica of "backend" (tried 2)',
    );
  });
});
