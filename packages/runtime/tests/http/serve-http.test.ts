// serveHttp in a real child process: SIGTERM drains in-flight requests, refuses new connections and exits.

import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp, serveHttp } from '../../src/index.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
  readonly logs: { msg: string; [key: string]: unknown }[];
  readonly exited: Promise<number | null>;
  /** Resolves with the first log line whose message matches. */
  logLine(pattern: RegExp): Promise<{ msg: string }>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the fixture with PORT=0 and resolves once it logs the port it listens on. */
async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const logs: Server['logs'] = [];
  const waiters: { pattern: RegExp; resolve: (line: { msg: string }) => void }[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const text of parts) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text);
      logs.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line.msg)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logLine = (pattern: RegExp) =>
    new Promise<{ msg: string }>((resolve, reject) => {
      const found = logs.find((line) => pattern.test(line.msg));
      if (found) return resolve(found);
      waiters.push({ pattern, resolve });
      void exited.then(() => reject(new Error(`exited before logging ${pattern}; stderr: ${stderr}`)));
    });
  const serving = (await logLine(/^serving on /)) as { msg: string; port?: number };
  return { child, port: Number(serving.port), logs, exited, logLine };
}

/** GET over its own connection; resolves with status and body, rejects on a connection error. */
function get(port: number, path: string, agent?: Agent): Promise<{ status: number; body: string; headers: object }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: agent ?? false }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves 'connected' or the error code of a new TCP connection to the port. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('serveHttp', () => {
  it('on SIGTERM finishes the in-flight request, refuses new connections and exits 0', async () => {
    const server = await startServer();
    const slow = get(server.port, '/slow?ms=1500');
    await server.logLine(/^slow request started \(1500 ms\)/);

    server.child.kill('SIGTERM');
    await server.logLine(/^listener closed/);
    const refused = await tryConnect(server.port);
    const answer = await slow;
    const code = await server.exited;

    expect(refused).toBe('ECONNREFUSED');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ waitedMs: 1500 });
    expect(code).toBe(0);
    const messages = server.logs.map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'received SIGTERM: stopping',
        expect.stringMatching(/^listener closed: new connections are refused; waiting for 1 in-flight request/),
        'in-flight requests finished and connections closed: stopped cleanly',
        'onClose hook ran',
        'exiting with code 0',
      ]),
    );
  });

  it('asks in-flight requests to close their connection and exits 0 promptly', async () => {
    const server = await startServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await get(server.port, '/slow?ms=1', agent);
    const slow = get(server.port, '/slow?ms=800', agent);
    await server.logLine(/^slow request started \(800 ms\)/);

    server.child.kill('SIGTERM');

    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({ connection: 'close' });
    expect(await server.exited).toBe(0);
    agent.destroy();
  });

  it('closes idle connections — kept-alive, never used, or idle only after SIGTERM — instead of waiting for them', async () => {
    const server = await startServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    // Two kept-alive connections: one stays idle, the other then carries a streamed answer, its headers already sent.
    await Promise.all([get(server.port, '/slow?ms=1', agent), get(server.port, '/slow?ms=2', agent)]);
    const streamed = get(server.port, '/stream?ms=800', agent);
    await server.logLine(/^stream started \(800 ms\)/);
    // And a connection opened ahead of need that has not sent a request yet, as HTTP clients and proxies keep.
    const silent = connect({ host: '127.0.0.1', port: server.port });
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    await new Promise((resolve) => silent.once('connect', resolve));
    const startedAt = Date.now();

    server.child.kill('SIGTERM');
    const code = await server.exited;
    await silentClosed;

    expect(code).toBe(0);
    const answer = await streamed;
    expect(answer).toMatchObject({ status: 200, body: 'started;done', headers: { connection: 'keep-alive' } });
    // fastify's keep-alive timeout is 72 s: exiting this soon means both connections were closed, not waited for.
    expect(Date.now() - startedAt).toBeLessThan(3000);
    agent.destroy();
  });

  it('cuts requests still running when the grace period (STOP_TIMEOUT_SECONDS − 5) ends and exits 1', async () => {
    const server = await startServer({ STOP_TIMEOUT_SECONDS: '6' });
    const slow = get(server.port, '/slow?ms=20000').then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await server.logLine(/^slow request started \(20000 ms\)/);
    const startedAt = Date.now();

    server.child.kill('SIGTERM');
    const code = await server.exited;

    expect(code).toBe(1);
    expect(await slow).toBe('ECONNRESET');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(Date.now() - startedAt).toBeLessThan(4000);
    expect(server.logs.map((line) => line.msg)).toContain(
      'grace period of 1 s is over with 1 request(s) in flight: closing their connections',
    );
  });

  it('refuses to start without PORT, naming the variable', async () => {
    await expect(serveHttp(createHttpApp(), { env: {} })).rejects.toThrow(/environment variable PORT is not set/);
  });
});
