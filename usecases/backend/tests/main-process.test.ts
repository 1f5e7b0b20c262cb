// The backend entry as the platform runs it: a child process on PORT with DATABASE_URL, called through BACKEND_URL.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServiceClient, migrate, ServiceError } from '@hello-fargate/runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, captureLogger, type TestDatabases, withClient } from '../../../tools/testing/test-databases.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('../apps/main.ts', import.meta.url));
const migrationsDir = new URL('../../oneoff/migrations/', import.meta.url);

interface Running {
  readonly child: ChildProcess;
  readonly logs: { msg: string; [key: string]: unknown }[];
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
  /** BACKEND_URL for callers; set once the service logs where it serves. */
  readonly url: Promise<string>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs main.ts with PORT=0; a variable given as undefined is removed from the inherited environment. */
function startMain(overrides: Record<string, string | undefined>): Running {
  const env: Record<string, string | undefined> = {
    ...process.env,
    HF_WORKLOAD: 'backend',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...overrides,
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const logs: Running['logs'] = [];
  let stderr = '';
  let pending = '';
  let resolveUrl: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  child.stdout?.on('data', (chunk) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const text of parts.filter((part) => part.startsWith('{'))) {
      const line = JSON.parse(text);
      logs.push(line);
      if (typeof line.url === 'string' && line.msg.startsWith('serving on ')) resolveUrl(line.url);
    }
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, logs, exited, stderr: () => stderr, url };
}

describe.each(backends)('backend main.ts on $name', (database) => {
  let databases: TestDatabases;
  let databaseUrl: string;

  beforeAll(async () => {
    databases = await database.start();
    databaseUrl = await databases.fresh();
    await migrate({ dir: migrationsDir, url: databaseUrl, logger: captureLogger('error').logger });
    await withClient(databaseUrl, async (client) => {
      await client.query("INSERT INTO products (sku, name, price_cents) VALUES ('TEA-1', 'Green tea', 450)");
      await client.query("INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann')");
    });
  });
  afterAll(async () => {
    await databases?.stop();
  });

  it('serves the API through BACKEND_URL with request ids in its logs, and exits 0 on SIGTERM', async () => {
    const running = startMain({ DATABASE_URL: databaseUrl });
    const client = createServiceClient('backend', { env: { BACKEND_URL: await running.url } });

    const health = await client.get('/health');
    const { customers } = await client.get<{ customers: { id: string }[] }>('/customers?email=ann@example.com');
    const order = await client.post<{ totalCents: number }>(
      '/orders',
      { customerId: customers[0]?.id, lines: [{ sku: 'TEA-1', quantity: 2 }] },
      { requestId: 'checkout-0001' },
    );
    const refused = await client.post('/orders', { customerId: customers[0]?.id, lines: [] }).catch((e) => e);
    running.child.kill('SIGTERM');
    const code = await running.exited;

    expect(health).toEqual({ status: 'ok' });
    expect(order.totalCents).toBe(900);
    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused).toMatchObject({ status: 400, errorCode: 'validation_failed' });
    expect(running.logs.filter((line) => line.requestId === 'checkout-0001').map((line) => line.msg)).toEqual([
      expect.stringMatching(/^created order /),
      expect.stringMatching(/^POST \/orders 201 /),
    ]);
    expect(running.logs.every((line) => line.workload === 'backend')).toBe(true);
    expect(code).toBe(0);
    expect(running.logs.map((line) => line.msg)).toContain(
      'in-flight requests finished and connections closed: stopped cleanly',
    );
  });
});

describe('backend main.ts', () => {
  it('exits 1 with a clear message when DATABASE_URL is not set', async () => {
    const running = startMain({ DATABASE_URL: undefined, PGHOST: undefined });
    const code = await running.exited;
    expect(code).toBe(1);
    expect(running.stderr()).toContain('backend cannot start: environment variable DATABASE_URL is not set');
    expect(running.logs.at(-1)).toMatchObject({ level: 'error', workload: 'backend' });
  });
});
