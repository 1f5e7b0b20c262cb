// Test helpers for the load balancer: recording targets, a raw HTTP client, a cookie jar, waiting on target health.

import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadBalancer } from '../../src/load-balancer/index.js';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface TestTarget {
  readonly id: string;
  readonly url: string;
  /** Requests other than health checks. */
  readonly received: ReceivedRequest[];
  /** Health check requests seen, with the status answered. */
  readonly probes: number[];
  /** Status the health path answers from now on. */
  healthStatus: number;
  close(): Promise<void>;
}

export const HEALTH_PATH = '/health';

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A target answering `{ target: id, url, headers }`; `handler` may take over non-health requests. */
export async function startTarget(
  id: string,
  handler?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<TestTarget> {
  const target = { id, received: [] as ReceivedRequest[], probes: [] as number[], healthStatus: 200 };
  const server = createServer((req, res) => {
    if (req.url === HEALTH_PATH) {
      target.probes.push(target.healthStatus);
      res.writeHead(target.healthStatus).end();
      return;
    }
    target.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (handler?.(req, res)) return;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ target: id, url: req.url, headers: req.headers }));
    });
  });
  const url = await listen(server);
  return Object.assign(target, { url, close: () => closeServer(server) });
}

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request with exactly the headers given (fetch would refuse some, like an oversized one). */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Cookies a browser would keep across redirects. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  store(headers: IncomingHttpHeaders): void {
    for (const line of headers['set-cookie'] ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now());
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(index + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function stateOf(lb: LoadBalancer, id: string): string | undefined {
  return lb.targetHealth().find((target) => target.id === id)?.state;
}

/** Health check settings fast enough for tests (ALB's minimum interval is 5 s). */
export const FAST_HEALTH_CHECK = {
  path: HEALTH_PATH,
  intervalSeconds: 0.05,
  timeoutSeconds: 0.04,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
} as const;
