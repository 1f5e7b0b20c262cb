// The runner's control API on loopback: status for `hf status`, task runs for `hf run-task`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalRunner } from './local-runner.js';

export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

/**
 * Routes: `GET /v1/status`; `POST /v1/tasks {workload, args?}` streams NDJSON `{type:'log'|'result'|'error'}`;
 * `GET /v1/workflows`; `GET|POST /v1/workflows/<name>/executions` (POST body `{input?}`); `GET /v1/executions/<arn>`.
 */
export async function startControlServer(
  runner: LocalRunner,
  port: number,
  host = '127.0.0.1',
): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    handle(runner, req, res).catch((error: Error) => {
      if (!res.headersSent) json(res, 500, { error: error.message });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(runner: LocalRunner, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (req.method === 'GET' && path === '/v1/status') return json(res, 200, runner.status());
  if (req.method === 'POST' && path === '/v1/tasks') {
    const body = await readJson(req);
    if (!body.ok) return json(res, 400, { error: body.error });
    const { workload, args } = body.value as { workload?: unknown; args?: unknown };
    if (typeof workload !== 'string') return json(res, 400, { error: 'body.workload must be a workload name' });
    if (args !== undefined && (!Array.isArray(args) || args.some((a) => typeof a !== 'string'))) {
      return json(res, 400, { error: 'body.args must be a list of strings' });
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    try {
      const result = await runner.runTask(workload, {
        ...(args ? { args: args as string[] } : {}),
        onLine: (line) => res.write(`${JSON.stringify({ type: 'log', line })}\n`),
      });
      res.end(`${JSON.stringify({ type: 'result', result })}\n`);
    } catch (error) {
      res.end(`${JSON.stringify({ type: 'error', error: (error as Error).message })}\n`);
    }
    return;
  }
  if (req.method === 'GET' && path === '/v1/workflows') return json(res, 200, runner.status().workflows);
  const executions = /^\/v1\/workflows\/([^/]+)\/executions$/.exec(path);
  if (executions) {
    const name = decodeURIComponent(executions[1] as string);
    if (!runner.status().workflows.some((w) => w.name === name)) {
      const known = runner.status().workflows.map((w) => w.name);
      return json(res, 404, { error: `no workflow "${name}"; workflows: ${known.join(', ') || 'none'}` });
    }
    if (req.method === 'GET') return json(res, 200, runner.executions(name));
    if (req.method === 'POST') {
      const body = await readJson(req);
      if (!body.ok) return json(res, 400, { error: body.error });
      const { input } = body.value as { input?: unknown };
      try {
        return json(res, 201, runner.startWorkflow(name, input ?? {}));
      } catch (error) {
        return json(res, 400, { error: (error as Error).message });
      }
    }
  }
  const execution = /^\/v1\/executions\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && execution) {
    const found = runner.execution(decodeURIComponent(execution[1] as string));
    return found ? json(res, 200, found) : json(res, 404, { error: 'no such execution' });
  }
  json(res, 404, { error: `no route ${req.method} ${path}` });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return { ok: false, error: `body larger than ${MAX_BODY} bytes` };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') };
  } catch {
    return { ok: false, error: 'body is not valid JSON' };
  }
}
