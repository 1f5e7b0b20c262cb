import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthChecker } from '../src/health-checker.js';
import { waitFor } from './helpers.js';

describe('HealthChecker', () => {
  let server: Server | undefined;
  let checker: HealthChecker | undefined;
  afterEach(async () => {
    checker?.stop();
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  async function serve(handler: (n: number) => number | 'hang'): Promise<string> {
    let n = 0;
    server = createServer((_req, res) => {
      const status = handler(++n);
      if (status === 'hang') return;
      res.writeHead(status);
      res.end();
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  }

  it('turns HEALTHY on the first passing probe, without waiting a whole interval', async () => {
    const url = await serve(() => 200);
    const events: string[] = [];
    const t0 = Date.now();
    checker = new HealthChecker({
      url,
      settings: { path: '/health', intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 0 },
      earlyProbeSeconds: 0.05,
      onChange: (status) => events.push(status),
    }).start();
    await waitFor(() => events.length > 0, 2000, 'a health event');
    expect(events).toEqual(['HEALTHY']);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('turns UNHEALTHY after `retries` counted failures, counting at most one per interval', async () => {
    const url = await serve(() => 500);
    const events: { status: string; at: number; detail: string }[] = [];
    const t0 = Date.now();
    checker = new HealthChecker({
      url,
      settings: { path: '/health', intervalSeconds: 0.2, timeoutSeconds: 0.1, retries: 3, startPeriodSeconds: 0 },
      earlyProbeSeconds: 0.02,
      onChange: (status, detail) => events.push({ status, at: Date.now() - t0, detail }),
    }).start();
    await waitFor(() => events.length > 0, 3000, 'UNHEALTHY');
    expect(events[0]?.status).toBe('UNHEALTHY');
    expect(events[0]?.detail).toBe('GET /health answered 500');
    // Three counted failures, each at least one interval (200 ms) after the previous count.
    expect(events[0]?.at).toBeGreaterThanOrEqual(580);
  });

  it('does not count failures inside the start period', async () => {
    const url = await serve(() => 503);
    const events: { status: string; at: number }[] = [];
    const t0 = Date.now();
    checker = new HealthChecker({
      url,
      settings: { path: '/health', intervalSeconds: 0.1, timeoutSeconds: 0.05, retries: 1, startPeriodSeconds: 0.6 },
      earlyProbeSeconds: 0.02,
      onChange: (status) => events.push({ status, at: Date.now() - t0 }),
    }).start();
    await waitFor(() => events.length > 0, 3000, 'UNHEALTHY');
    expect(events[0]?.at).toBeGreaterThanOrEqual(600);
  });

  it('fails a probe that takes longer than the timeout', async () => {
    const url = await serve(() => 'hang');
    const events: string[] = [];
    checker = new HealthChecker({
      url,
      settings: { path: '/health', intervalSeconds: 0.1, timeoutSeconds: 0.05, retries: 1, startPeriodSeconds: 0 },
      earlyProbeSeconds: 0.02,
      onChange: (_status, detail) => events.push(detail),
    }).start();
    await waitFor(() => events.length > 0, 3000, 'UNHEALTHY');
    expect(events[0]).toBe('no answer within 0.05s');
  });

  it('recovers: a passing probe after failures resets the count', async () => {
    const url = await serve((n) => (n % 2 === 0 ? 200 : 500));
    const events: string[] = [];
    checker = new HealthChecker({
      url,
      settings: { path: '/health', intervalSeconds: 0.05, timeoutSeconds: 0.04, retries: 2, startPeriodSeconds: 0 },
      earlyProbeSeconds: 0.01,
      onChange: (status) => events.push(status),
    }).start();
    await new Promise((r) => setTimeout(r, 600));
    expect(events).toEqual(['HEALTHY']);
  });
});
