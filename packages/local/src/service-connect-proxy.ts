// The Service Connect stand-in: one loopback endpoint per backend, balancing across its replicas like the Envoy proxy.

import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServiceTarget {
  readonly id: string;
  readonly port: number;
}

export interface ServiceConnectProxyOptions {
  /** The backend's name, for messages. */
  readonly name: string;
  /** The replicas to balance across right now (the runner's running, not-unhealthy tasks). */
  readonly targets: () => readonly ServiceTarget[];
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Extra attempts on other replicas after a failed connection. @default 2 */
  readonly maxRetries?: number;
  /** How long a replica that failed a connection gets no traffic (outlier ejection), in ms. @default 10000 */
  readonly ejectionMs?: number;
  /** Bodies up to this size are kept so a request can be retried on another replica. @default 1 MiB */
  readonly retryBodyLimitBytes?: number;
  /** Milliseconds a replica may take to answer before the caller gets 504. @default 15000 */
  readonly timeoutMs?: number;
}

export interface ServiceConnectProxy {
  readonly url: string;
  /** Requests answered, retried on another replica, and failed (5xx made by the proxy). */
  stats(): { requests: number; retries: number; failures: number; ejected: string[] };
  close(): Promise<void>;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/**
 * Round-robin over the replicas. A refused connection is retried on the next replica (nothing reached the first),
 * as is a reset before any response for idempotent methods; the failing replica is ejected for `ejectionMs`. When
 * every replica is ejected, they are all tried again rather than failing outright (Envoy's panic threshold).
 */
export async function startServiceConnectProxy(options: ServiceConnectProxyOptions): Promise<ServiceConnectProxy> {
  const host = options.host ?? '127.0.0.1';
  const maxRetries = options.maxRetries ?? 2;
  const ejectionMs = options.ejectionMs ?? 10_000;
  const bodyLimit = options.retryBodyLimitBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const ejectedUntil = new Map<string, number>();
  const counters = { requests: 0, retries: 0, failures: 0 };
  let cursor = 0;

  const pick = (exclude: Set<string>): ServiceTarget | undefined => {
    const all = options.targets().filter((t) => !exclude.has(t.id));
    const now = Date.now();
    const available = all.filter((t) => (ejectedUntil.get(t.id) ?? 0) <= now);
    const pool = available.length > 0 ? available : all;
    if (pool.length === 0) return undefined;
    cursor = (cursor + 1) % pool.length;
    return pool[cursor];
  };

  const server: Server = createServer((req, res) => {
    counters.requests++;
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readReplayableBody(req, bodyLimit);
    const tried = new Set<string>();
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      const target = pick(tried);
      if (!target) break;
      tried.add(target.id);
      const outcome = await forward(req, res, target, body, timeoutMs);
      if (outcome === 'done') return;
      ejectedUntil.set(target.id, Date.now() + ejectionMs);
      const retryable = outcome === 'refused' || (outcome === 'reset' && IDEMPOTENT.has(req.method ?? 'GET'));
      if (!retryable || body === undefined || res.headersSent) break;
      counters.retries++;
    }
    counters.failures++;
    if (!res.headersSent) {
      const none = tried.size === 0;
      res.writeHead(none ? 503 : 502, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            code: none ? 'NO_HEALTHY_UPSTREAM' : 'UPSTREAM_CONNECT_ERROR',
            message: none
              ? `no running replica of "${options.name}"`
              : `could not reach a replica of "${options.name}" (tried ${tried.size})`,
          },
        }),
      );
    } else {
      res.destroy();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    stats: () => ({
      ...counters,
      ejected: [...ejectedUntil].filter(([, until]) => until > Date.now()).map(([id]) => id),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The whole body when its declared length is within `limit` (or it is chunked): kept so the request can be replayed
 * on another replica. A larger declared body is streamed and not retried (undefined).
 */
async function readReplayableBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: ServiceTarget,
  body: Buffer | undefined,
  timeoutMs: number,
): Promise<'done' | 'refused' | 'reset'> {
  return new Promise((resolve) => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
    );
    if (body !== undefined) headers['content-length'] = String(body.length);
    const upstream = request(
      { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers, timeout: timeoutMs },
      (response) => {
        const out = Object.fromEntries(
          Object.entries(response.headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
        );
        res.writeHead(response.statusCode ?? 502, out);
        response.pipe(res);
        response.once('end', () => resolve('done'));
        response.once('error', () => {
          res.destroy();
          resolve('done');
        });
      },
    );
    upstream.once('timeout', () => {
      upstream.destroy();
      if (!res.headersSent) {
        res.writeHead(504, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'UPSTREAM_TIMEOUT', message: `no answer within ${timeoutMs} ms` } }));
      }
      resolve('done');
    });
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return resolve('done');
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'reset');
    });
    if (body !== undefined) upstream.end(body);
    else req.pipe(upstream);
  });
}
