// The local console's HTTP server on loopback: the page, its script and style, live updates (SSE) and two actions.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { queueRedrive } from '../sqs/index.js';
import { consolePage } from './console-page.js';
import { consoleSnapshot, type ConsoleSnapshot } from './console-snapshot.js';
import type { ConsoleSources } from './console-sources.js';
import { MetricsRecorder } from './metrics-recorder.js';
import { isAllowedHost, isSameOrigin } from './same-origin.js';
import { searchLogs } from './search-logs.js';

export interface ConsoleServerOptions {
  readonly sources: ConsoleSources;
  /** Preferred port; 0 picks a free one, and a busy port falls back to a free one. @default 7401 */
  readonly port?: number;
  /** Milliseconds between live updates and between metric samples. @default 1000 */
  readonly intervalMs?: number;
  /** Metric samples kept for the charts (one per interval). @default 300 */
  readonly historySamples?: number;
}

export interface ConsoleServer {
  /** e.g. `http://127.0.0.1:7401` */
  readonly url: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Live updates come sooner than the interval after a workflow or batch change, but at most this often. */
const CHANGE_DEBOUNCE_MS = 100;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function asset(name: string): string {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) {
    // Actions take no body; read it so the connection can be reused.
  }
}

/** Starts the console; the runner prints its URL as `console    <url>`. */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { sources } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const script = asset('console.js');
  const style = asset('console.css');
  const recorder = new MetricsRecorder(
    {
      queueDepths: () => {
        const queues = sources.queues();
        if (!queues) return {};
        return Object.fromEntries(
          queues.queues.flatMap(({ name, dlqName }) =>
            [name, dlqName].map((queue) => {
              const stats = queues.stats(queue);
              return [queue, stats.visible + stats.inFlight + stats.delayed];
            }),
          ),
        );
      },
      requestCounts: () =>
        Object.fromEntries([...sources.listeners()].map(([name, listener]) => [name, listener.requestCount()])),
    },
    { capacity: options.historySamples ?? 300 },
  );
  const clients = new Set<ServerResponse>();
  const snapshot = (): ConsoleSnapshot => consoleSnapshot(sources, recorder.series());

  function broadcast(): void {
    if (clients.size === 0) return;
    let data: string;
    try {
      data = `event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`;
    } catch {
      return; // the runner is shutting down
    }
    for (const client of clients) client.write(data);
  }

  let pending: NodeJS.Timeout | undefined;
  const onChange = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      broadcast();
    }, CHANGE_DEBOUNCE_MS);
  };
  sources.workflows?.on('change', onChange);
  sources.batch?.on('change', onChange);

  recorder.sample();
  const timer = setInterval(() => {
    recorder.sample();
    broadcast();
  }, intervalMs);
  timer.unref();

  let port = 0;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Another site's page can point a name at 127.0.0.1 (DNS rebinding): only the console's own host is served.
    if (!isAllowedHost(req, port)) return send(res, 403, 'text/plain', 'Forbidden: unexpected Host header\n');
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const path = url.pathname;
    if (req.method === 'GET') {
      if (path === '/') return send(res, 200, 'text/html; charset=utf-8', consolePage(snapshot()));
      if (path === '/console.js') return send(res, 200, 'text/javascript; charset=utf-8', script);
      if (path === '/console.css') return send(res, 200, 'text/css; charset=utf-8', style);
      if (path === '/api/snapshot') return json(res, 200, snapshot());
      if (path === '/api/logs') {
        const query = url.searchParams.get('q') ?? '';
        const taskIds = new Set(
          [...sources.status().tasks, ...sources.runningTasks()]
            .filter((task) => query.length >= 3 && task.startedBy.includes(query))
            .map((task) => task.taskId),
        );
        return json(res, 200, { query, matches: await searchLogs(sources.logsDir, query, { taskIds }) });
      }
      if (path === '/events') {
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
        res.write(`retry: ${intervalMs}\n\n`);
        res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`);
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      return json(res, 404, { error: `no page ${path}` });
    }
    if (req.method === 'POST') {
      await drain(req);
      if (!isSameOrigin(req, port)) {
        return json(res, 403, { error: 'actions are accepted only from the console page itself (Origin check)' });
      }
      const redrive = /^\/api\/queues\/([^/]+)\/redrive$/.exec(path);
      if (redrive) {
        const dlq = decodeURIComponent(redrive[1] as string);
        const queues = sources.queues();
        const declared = queues?.queues.map((q) => q.dlqName) ?? [];
        if (!queues || !declared.includes(dlq)) {
          return json(res, 404, {
            error: `"${dlq}" is not a dead-letter queue here; DLQs: ${declared.join(', ') || 'none'}`,
          });
        }
        return json(res, 202, { taskHandle: await queueRedrive(queues.url, dlq) });
      }
      const run = /^\/api\/workflows\/([^/]+)\/executions$/.exec(path);
      if (run) {
        const name = decodeURIComponent(run[1] as string);
        const known = sources.status().workflows.map((w) => w.name);
        if (!known.includes(name)) {
          return json(res, 404, { error: `no workflow "${name}"; workflows: ${known.join(', ') || 'none'}` });
        }
        const execution = sources.startWorkflow(name, {}, 'console');
        onChange();
        return json(res, 201, execution);
      }
      return json(res, 404, { error: `no action ${path}` });
    }
    res.setHeader('allow', 'GET, POST');
    return json(res, 405, { error: `method ${req.method} is not allowed` });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) json(res, 500, { error: error.message });
      else res.end();
    });
  });
  const listen = (wanted: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const preferred = options.port ?? 7401;
  try {
    await listen(preferred).catch((error: NodeJS.ErrnoException) => {
      if (preferred !== 0 && error.code === 'EADDRINUSE') return listen(0);
      throw error;
    });
  } catch (error) {
    clearInterval(timer);
    throw new Error(`the console could not listen on ${HOST}:${preferred} (${(error as Error).message})`, {
      cause: error,
    });
  }
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        clearTimeout(pending);
        sources.workflows?.off('change', onChange);
        sources.batch?.off('change', onChange);
        for (const client of clients) client.end();
        clients.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
