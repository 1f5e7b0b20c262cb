// The load balancer's target group and forwarding: health states, round-robin, fail open, 502/503/504, headers, streaming.

import { createServer, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type LoadBalancer, type LoadBalancerTarget, startLoadBalancer } from '../../src/load-balancer/index.js';
import {
  closeServer,
  FAST_HEALTH_CHECK,
  listen,
  send,
  startTarget,
  stateOf,
  type TestTarget,
  waitFor,
} from './helpers.js';

describe('load balancer forwarding', () => {
  let lb: LoadBalancer | undefined;
  const targets: TestTarget[] = [];
  afterEach(async () => {
    await lb?.close();
    lb = undefined;
    await Promise.all(targets.splice(0).map((target) => target.close()));
  });

  async function twoTargets(): Promise<[TestTarget, TestTarget]> {
    const a = await startTarget('a');
    const b = await startTarget('b');
    targets.push(a, b);
    return [a, b];
  }

  async function balance(registered: () => readonly LoadBalancerTarget[], healthCheck = {}) {
    lb = await startLoadBalancer({
      name: 'web',
      targets: registered,
      healthCheck: { ...FAST_HEALTH_CHECK, ...healthCheck },
      action: { type: 'forward' },
    });
    return lb;
  }

  async function targetOf(balancer: LoadBalancer): Promise<string> {
    const answer = await send(`${balancer.url}/`);
    expect(answer.status).toBe(200);
    return (JSON.parse(answer.body) as { target: string }).target;
  }

  it('round-robins across two healthy targets', async () => {
    const [a, b] = await twoTargets();
    const balancer = await balance(() => [a, b]);
    await waitFor(() => balancer.targetHealth().every((t) => t.state === 'healthy'), 'both targets healthy');
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(await targetOf(balancer));
    expect(seen.filter((id) => id === 'a')).toHaveLength(3);
    expect(seen.filter((id) => id === 'b')).toHaveLength(3);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('starts targets as initial and makes them healthy only after healthyThresholdCount passes', async () => {
    const [a] = await twoTargets();
    const balancer = await balance(() => [a], { healthyThresholdCount: 4 });
    expect(balancer.targetHealth()[0]).toMatchObject({ id: 'a', state: 'initial' });
    await waitFor(() => stateOf(balancer, 'a') === 'healthy', 'a healthy');
    expect(a.probes.length).toBeGreaterThanOrEqual(4);
    expect(balancer.targetHealth()[0]).toEqual({
      id: 'a',
      url: a.url,
      state: 'healthy',
      reason: undefined,
      description: undefined,
    });
  });

  it('stops routing to a target after unhealthyThresholdCount failed checks and resumes after healthyThresholdCount passes', async () => {
    const [a, b] = await twoTargets();
    const balancer = await balance(() => [a, b], { unhealthyThresholdCount: 3, healthyThresholdCount: 3 });
    await waitFor(() => balancer.targetHealth().every((t) => t.state === 'healthy'), 'both targets healthy');

    b.healthStatus = 500;
    const probesBeforeFailing = b.probes.length;
    await waitFor(() => stateOf(balancer, 'b') === 'unhealthy', 'b unhealthy');
    expect(b.probes.length - probesBeforeFailing).toBeGreaterThanOrEqual(3);
    expect(balancer.targetHealth().find((t) => t.id === 'b')).toMatchObject({
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [500]',
    });
    const received = b.received.length;
    for (let i = 0; i < 4; i++) expect(await targetOf(balancer)).toBe('a');
    expect(b.received.length).toBe(received);

    b.healthStatus = 200;
    const probesBeforeRecovering = b.probes.length;
    await waitFor(() => stateOf(balancer, 'b') === 'healthy', 'b healthy again');
    expect(b.probes.length - probesBeforeRecovering).toBeGreaterThanOrEqual(3);
    const seen = [await targetOf(balancer), await targetOf(balancer)];
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('does not route to an initial target while another target is healthy', async () => {
    const [a, b] = await twoTargets();
    let registered: TestTarget[] = [a];
    const balancer = await balance(() => registered, { healthyThresholdCount: 10 });
    await waitFor(() => stateOf(balancer, 'a') === 'healthy', 'a healthy', 5_000);
    registered = [a, b];
    for (let i = 0; i < 4; i++) expect(await targetOf(balancer)).toBe('a');
    expect(stateOf(balancer, 'b')).toBe('initial');
    expect(b.received).toHaveLength(0);
  });

  it('fails open: with every target unhealthy it routes to all of them', async () => {
    const [a, b] = await twoTargets();
    a.healthStatus = 503;
    b.healthStatus = 503;
    const balancer = await balance(() => [a, b]);
    await waitFor(() => balancer.targetHealth().every((t) => t.state === 'unhealthy'), 'both targets unhealthy');
    const seen = [await targetOf(balancer), await targetOf(balancer)];
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('drops a target that leaves targets()', async () => {
    const [a, b] = await twoTargets();
    let registered: TestTarget[] = [a, b];
    const balancer = await balance(() => registered);
    await waitFor(() => balancer.targetHealth().every((t) => t.state === 'healthy'), 'both targets healthy');
    registered = [a];
    expect(balancer.targetHealth().map((t) => t.id)).toEqual(['a']);
    for (let i = 0; i < 3; i++) expect(await targetOf(balancer)).toBe('a');
  });

  it('drains a target that leaves targets() during a request, then drops it', async () => {
    let finishSlow: (() => void) | undefined;
    const slow = await startTarget('slow', (_req, res) => {
      finishSlow = () => res.end('done');
      res.writeHead(200);
      return true;
    });
    targets.push(slow);
    let registered: TestTarget[] = [slow];
    const balancer = await balance(() => registered);
    const pending = send(`${balancer.url}/`);
    await waitFor(() => finishSlow !== undefined, 'the slow request to arrive');
    registered = [];
    expect(balancer.targetHealth()).toMatchObject([
      { id: 'slow', state: 'draining', reason: 'Target.DeregistrationInProgress' },
    ]);
    expect((await send(`${balancer.url}/`)).status).toBe(503);
    finishSlow?.();
    expect((await pending).body).toBe('done');
    await waitFor(() => balancer.targetHealth().length === 0, 'the drained target to be dropped');
  });

  it('answers 503 when the target group has no registered targets', async () => {
    const balancer = await balance(() => []);
    const answer = await send(`${balancer.url}/`);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).message).toMatch(/no registered targets/);
  });

  it('answers 502 when the target refuses the connection', async () => {
    const gone = createServer();
    const url = await listen(gone);
    await closeServer(gone);
    const balancer = await balance(() => [{ id: 'gone', url }]);
    const answer = await send(`${balancer.url}/`);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body).message).toMatch(/ECONNREFUSED/);
  });

  it('answers 502 when the target resets the connection before answering', async () => {
    const resetting = await startTarget('reset', (req) => {
      req.socket.destroy();
      return true;
    });
    targets.push(resetting);
    const balancer = await balance(() => [resetting]);
    expect((await send(`${balancer.url}/`)).status).toBe(502);
  });

  it('answers 504 when the target stays silent past the idle timeout', async () => {
    const silent = await startTarget('silent', () => true);
    targets.push(silent);
    lb = await startLoadBalancer({
      name: 'web',
      targets: () => [silent],
      healthCheck: FAST_HEALTH_CHECK,
      action: { type: 'forward' },
      idleTimeoutSeconds: 0.3,
    });
    const started = Date.now();
    const answer = await send(`${lb.url}/`);
    expect(answer.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('strips client-sent x-amzn-oidc-* headers and adds the X-Forwarded-* and trace headers', async () => {
    const [a] = await twoTargets();
    const balancer = await balance(() => [a]);
    const answer = await send(`${balancer.url}/path?q=1`, {
      headers: {
        'X-Amzn-Oidc-Data': 'forged',
        'x-amzn-oidc-identity': 'admin',
        'X-AMZN-OIDC-ACCESSTOKEN': 'forged',
        'x-amzn-oidc-anything': 'forged',
        'x-request-id': '01HZZZZZZZZZZZZZZZZZZZZZZZ',
      },
    });
    expect(answer.status).toBe(200);
    const [seen] = a.received;
    expect(Object.keys(seen?.headers ?? {}).filter((name) => name.startsWith('x-amzn-oidc'))).toEqual([]);
    expect(seen?.url).toBe('/path?q=1');
    expect(seen?.headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': new URL(balancer.url).port,
      'x-request-id': '01HZZZZZZZZZZZZZZZZZZZZZZZ',
      host: new URL(balancer.url).host,
    });
    expect(seen?.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it("keeps a client's trace root and appends to an existing X-Forwarded-For", async () => {
    const [a] = await twoTargets();
    const balancer = await balance(() => [a]);
    const root = 'Root=1-67891233-abcdef012345678912345678';
    await send(`${balancer.url}/`, { headers: { 'x-amzn-trace-id': root, 'x-forwarded-for': '203.0.113.7' } });
    expect(a.received[0]?.headers['x-amzn-trace-id']).toMatch(/^Self=1-[0-9a-f]{8}-[0-9a-f]{24};Root=1-67891233-/);
    expect(a.received[0]?.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
  });

  it('streams request and response bodies without waiting for their end', async () => {
    let firstChunkAtTarget = false;
    const streaming = await startTarget('stream', (req, res) => {
      req.once('data', () => {
        firstChunkAtTarget = true;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first;');
      });
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.end(`total=${bytes}`));
      return true;
    });
    targets.push(streaming);
    const balancer = await balance(() => [streaming]);
    const result = await new Promise<string>((resolve, reject) => {
      const req = request(`${balancer.url}/upload`, { method: 'POST', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          // The first response chunk arrives while the request body is still open: both directions stream.
          if (body === '') req.end(Buffer.alloc(4 * 1024 * 1024, 1));
          body += chunk;
        });
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(64 * 1024, 1));
    });
    expect(firstChunkAtTarget).toBe(true);
    expect(result).toBe(`first;total=${64 * 1024 + 4 * 1024 * 1024}`);
  });

  it('answers 400 to a header over 16 KB, as ALB does, without reaching the target', async () => {
    const [a] = await twoTargets();
    const balancer = await balance(() => [a]);
    const answer = await send(`${balancer.url}/`, { headers: { 'x-big': 'x'.repeat(17 * 1024) } });
    expect(answer.status).toBe(400);
    expect(a.received).toHaveLength(0);
  });
});
