// migrate(): applies SQL migrations once, serializes concurrent runs and rolls a failing run back, on PGlite and PostgreSQL.

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../tools/testing/postgres-server.js';
import {
  backends,
  captureLogger,
  holdMigrationLock,
  query,
  type TestDatabases,
} from '../../../tools/testing/test-databases.js';
import { migrate, migrationStatus, runTask, TaskFailure } from '../src/index.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const ordered = new URL('ordered/', fixtures);
const failing = new URL('failing/', fixtures);

async function tableExists(url: string, table: string): Promise<boolean> {
  const [row] = await query<{ found: boolean }>(url, `SELECT to_regclass('public.${table}') IS NOT NULL AS found`);
  return row?.found === true;
}

describe.each(backends)('migrate on $name', (backend) => {
  let databases: TestDatabases;
  let url: string;

  beforeAll(async () => {
    databases = await backend.start();
  });
  afterAll(async () => {
    await databases?.stop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('applies pending migrations in file order, skips non-SQL files, and a re-run applies nothing', async () => {
    url = await databases.fresh();
    const { logger, lines } = captureLogger();

    const first = await migrate({ dir: ordered, url, logger });
    const second = await migrate({ dir: ordered, url, logger });

    expect(first.applied.map((m) => m.file)).toEqual([
      '0001_widgets.sql',
      '0002_widget_colour.sql',
      '0003_gadgets.sql',
    ]);
    expect(second.applied).toEqual([]);
    expect(await tableExists(url, 'gadgets')).toBe(true);
    const recorded = await query<{ name: string }>(url, 'SELECT name FROM pgmigrations ORDER BY id');
    expect(recorded.map((row) => row.name)).toEqual(['0001_widgets', '0002_widget_colour', '0003_gadgets']);
    const infoMessages = lines.filter((line) => line.level === 'info').map((line) => line.msg);
    expect(infoMessages).toContain('applied migration 0002_widget_colour.sql');
    expect(infoMessages).toContain('database schema is up to date: nothing to apply');
  });

  it('concurrent runs wait for each other: exactly one applies, every run succeeds', async () => {
    url = await databases.fresh();
    const { logger } = captureLogger();

    const results = await Promise.all([1, 2, 3].map(() => migrate({ dir: ordered, url, logger })));

    const counts = results.map((result) => result.applied.length).sort();
    expect(counts).toEqual([0, 0, 3]);
    const [row] = await query<{ runs: string }>(url, 'SELECT count(*) AS runs FROM pgmigrations');
    expect(Number(row?.runs)).toBe(3);
  });

  it('runs that find a run in progress wait until it ends, then apply nothing twice', async () => {
    url = await databases.fresh();
    const { logger, lines } = captureLogger();
    // A transaction holding the lock stands in for a long migrate run.
    const holder = await holdMigrationLock(url);
    let settled = 0;
    const runs = [1, 2].map(() => migrate({ dir: ordered, url, logger }).finally(() => settled++));
    const waiting = await holder.waiters(2, backend.name === 'PGlite' ? 500 : 10_000);
    const settledWhileHeld = settled;
    await holder.release();
    const results = await Promise.all(runs);

    expect(settledWhileHeld).toBe(0);
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, 3]);
    if (backend.name === 'PostgreSQL') {
      // On PGlite the runs wait in the socket multiplexer, before PostgreSQL sees their queries.
      expect(waiting).toBe(2);
      expect(lines.filter((line) => line.msg.startsWith('another migrate run is in progress'))).toHaveLength(2);
    }
  });

  it('a failing migration rolls back the whole run and names the file, the line and the PostgreSQL error', async () => {
    url = await databases.fresh();
    const { logger } = captureLogger();

    const error = await migrate({ dir: failing, url, logger }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(TaskFailure);
    expect((error as TaskFailure).message).toMatch(
      /^migration 0002_bad\.sql failed at line 4: relation "missing_table" does not exist\. Nothing from this run was applied/,
    );
    // 0001_good.sql ran in the same transaction: its table and the bookkeeping are gone too.
    expect(await tableExists(url, 'good_table')).toBe(false);
    expect(await tableExists(url, 'bad_table')).toBe(false);
    expect(await tableExists(url, 'pgmigrations')).toBe(false);
  });

  it('runTask turns a failing migration into exit code 1 and a one-line message on stderr', async () => {
    url = await databases.fresh();
    const { logger } = captureLogger();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    const code = await runTask(
      { migrate: async () => void (await migrate({ dir: failing, url, logger })) },
      { argv: ['migrate'], logger },
    );

    expect(code).toBe(1);
    const written = stderr.mock.calls.map((call) => String(call[0])).join('');
    expect(written).toMatch(/^error: migrate: migration 0002_bad\.sql failed at line 4: relation "missing_table"/);
    expect(written).not.toMatch(/\n\s+at /);
  });

  it('keeps the expected transaction warnings at debug level', async () => {
    url = await databases.fresh();
    const { logger, lines } = captureLogger();

    await migrate({ dir: ordered, url, logger });
    await migrate({ dir: ordered, url, logger });

    const warnings = lines.filter((line) => /transaction in progress/.test(line.msg));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((line) => line.level === 'debug')).toBe(true);
    expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });

  it('migrationStatus lists pending and applied migrations without changing the database', async () => {
    url = await databases.fresh();
    const { logger } = captureLogger();

    const before = await migrationStatus({ dir: ordered, url, logger });
    const untouched = !(await tableExists(url, 'pgmigrations'));
    await migrate({ dir: ordered, url, logger });
    const after = await migrationStatus({ dir: ordered, url, logger });

    expect(before.applied).toEqual([]);
    expect(before.pending.map((m) => m.name)).toEqual(['0001_widgets', '0002_widget_colour', '0003_gadgets']);
    expect(untouched).toBe(true);
    expect(after.applied.map((m) => m.name)).toEqual(['0001_widgets', '0002_widget_colour', '0003_gadgets']);
    expect(after.pending).toEqual([]);
  });

  it('refuses a new migration that sorts before one already applied', async () => {
    url = await databases.fresh();
    const { logger } = captureLogger();
    const dir = mkdtempSync(join(tmpdir(), 'hf-migrations-'));
    try {
      copyFileSync(new URL('0001_widgets.sql', ordered), join(dir, '0001_widgets.sql'));
      copyFileSync(new URL('0003_gadgets.sql', ordered), join(dir, '0003_gadgets.sql'));
      await migrate({ dir, url, logger });
      copyFileSync(new URL('0002_widget_colour.sql', ordered), join(dir, '0002_widget_colour.sql'));

      await expect(migrate({ dir, url, logger })).rejects.toThrow(
        /migrations are out of order: .*0002_widget_colour.*give it a higher number/,
      );
      expect(await tableExists(url, 'gadgets')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migrate before connecting', () => {
  it('names a missing migrations folder', async () => {
    await expect(
      migrate({ dir: new URL('does-not-exist/', fixtures), url: 'postgres://127.0.0.1:1/x' }),
    ).rejects.toThrow(/migrations folder .*does-not-exist does not exist/);
  });

  it('says it cannot reach the database when nothing listens on the port', async () => {
    const port = await freePort();
    await expect(
      migrate({ dir: ordered, url: `postgres://postgres:secret@127.0.0.1:${port}/app`, connectionTimeoutMillis: 2000 }),
    ).rejects.toThrow(`cannot reach the database at postgres://postgres:***@127.0.0.1:${port}/app: connection refused`);
  });
});
