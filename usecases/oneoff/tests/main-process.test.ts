// The oneoff entry as the platform runs it: real child processes, their exit codes, stdout logs and stderr.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tools/testing/postgres-server.js';
import { backends, holdMigrationLock, type TestDatabases, withClient } from '../../../tools/testing/test-databases.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('../apps/main.ts', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON log lines of stdout. */
  readonly logs: { level: string; msg: string }[];
}

/** `node --import tsx usecases/oneoff/apps/main.ts <args>` with DATABASE_URL, as `hf run-task oneoff` starts it. */
function runEntry(databaseUrl: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, HF_WORKLOAD: 'oneoff', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const logs = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      resolve({ code, stdout, stderr, logs });
    });
  });
}

const appliedLines = (run: Run) => run.logs.filter((log) => log.msg.startsWith('applied migration '));

describe.each(backends)('oneoff main.ts on $name', (backend) => {
  let databases: TestDatabases;

  beforeAll(async () => {
    databases = await backend.start();
  });
  afterAll(async () => {
    await databases?.stop();
  });

  it('two concurrent `migrate` processes both exit 0 and exactly one applies the migrations', async () => {
    const url = await databases.fresh();
    // Holding the lock makes both processes reach it before either can start, however fast the machine.
    const holder = await holdMigrationLock(url);
    let exited = 0;
    const pending = [runEntry(url, 'migrate'), runEntry(url, 'migrate')].map((run) => run.finally(() => exited++));
    const waiting = await holder.waiters(2, backend.name === 'PGlite' ? 2_000 : 15_000);
    const exitedWhileHeld = exited;
    await holder.release();
    const runs = await Promise.all(pending);

    expect(exitedWhileHeld).toBe(0);
    if (backend.name === 'PostgreSQL') {
      // Only PostgreSQL shows the waiting: on PGlite the processes wait in the socket multiplexer before their query.
      expect(waiting).toBe(2);
      expect(
        runs.every((run) => run.logs.some((log) => log.msg.startsWith('another migrate run is in progress'))),
      ).toBe(true);
    }
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    expect(runs.map((run) => run.stderr)).toEqual(['', '']);
    expect(runs.map((run) => appliedLines(run).length).sort()).toEqual([0, 6]);
    const recorded = await withClient(url, async (client) => {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id');
      return rows.map((row) => row.name);
    });
    expect(recorded).toEqual([
      '0001_customers',
      '0002_products',
      '0003_orders',
      '0004_outbox_and_background_jobs',
      '0005_sales_reports',
      '0006_order_scores',
    ]);
  });

  it('`migrate-status` then `import --skip-invalid` work against the migrated database', async () => {
    const url = await databases.fresh();
    await runEntry(url, 'migrate');

    const status = await runEntry(url, 'migrate-status');
    const imported = await runEntry(url, 'import', '--skip-invalid');

    expect(status.code).toBe(0);
    expect(status.logs.map((log) => log.msg)).toContain('6 migrations applied, none pending');
    expect(imported.code).toBe(0);
    expect(imported.logs.map((log) => log.msg)).toContain(
      'imported customers: 42 inserted, 0 updated, 0 unchanged, 0 rejected; products: 31 inserted, 0 updated, 0 unchanged, 0 rejected',
    );
  });
});

describe('oneoff main.ts without a database', () => {
  it('`migrate` with an unreachable DATABASE_URL exits 1 saying so, without a stack trace on stderr', async () => {
    const port = await freePort(); // free a moment ago: nothing listens there

    const run = await runEntry(`postgres://app:secret@127.0.0.1:${port}/app`, 'migrate');

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: migrate: cannot reach the database at postgres://app:***@127.0.0.1:${port}/app: connection refused (is the server running and the port right?)\n`,
    );
    expect(run.stdout).not.toContain('secret');
  });

  it('an unknown command exits 2 and lists the commands', async () => {
    const run = await runEntry('postgres://127.0.0.1:1/unused', 'migrat');

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: unknown command "migrat"; commands: migrate, migrate-status, import\n');
  });
});
