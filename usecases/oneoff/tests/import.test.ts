// The `import` command end to end through runTask: counts, idempotence, rejected rows and exit codes, on both databases.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, runTask } from '@hello-fargate/runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, captureLogger, type TestDatabases, withClient } from '../../../tools/testing/test-databases.js';
import { migrationsDir } from '../apps/app-folders.js';
import { commands } from '../apps/commands.js';

const scratch = mkdtempSync(join(tmpdir(), 'hf-import-'));
let files = 0;

/** Writes `text` as `<name>` in a folder of its own, so messages show the plain file name. */
function csvFile(name: string, text: string): string {
  const dir = join(scratch, String(++files));
  const path = join(dir, name);
  mkdirSync(dir);
  writeFileSync(path, text);
  return path;
}

/** Runs `import …` as the task would, with DATABASE_URL set; returns the exit code, stderr and log lines. */
async function runImport(url: string, ...args: string[]) {
  vi.stubEnv('DATABASE_URL', url);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const { logger, lines } = captureLogger('info');
  const code = await runTask(commands, { argv: ['import', ...args], logger });
  const written = stderr.mock.calls.map((call) => String(call[0])).join('');
  stderr.mockRestore();
  return { code, stderr: written, lines };
}

function summary(lines: Record<string, unknown>[]) {
  const line = lines.find((l) => typeof l.msg === 'string' && /^(imported|dry run)/.test(l.msg));
  return { customers: line?.customers, products: line?.products };
}

async function count(url: string, table: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0]?.n);
  });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(backends)('import on $name', (backend) => {
  let databases: TestDatabases;
  let url: string;

  beforeAll(async () => {
    databases = await backend.start();
  });
  afterAll(async () => {
    await databases?.stop();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  async function migratedDatabase(): Promise<string> {
    const fresh = await databases.fresh();
    await migrate({ dir: migrationsDir, url: fresh, logger: captureLogger('error').logger });
    return fresh;
  }

  it('imports the shipped customers and products and reports what it inserted', async () => {
    url = await migratedDatabase();

    const result = await runImport(url);

    expect(result.code).toBe(0);
    expect(summary(result.lines)).toEqual({
      customers: { inserted: 42, updated: 0, unchanged: 0, rejected: 0 },
      products: { inserted: 31, updated: 0, unchanged: 0, rejected: 0 },
    });
    expect(await count(url, 'customers')).toBe(42);
    const products = await withClient(url, async (client) => {
      const { rows } = await client.query<{ sku: string; name: string; price_cents: number; active: boolean }>(
        "SELECT sku, name, price_cents, active FROM products WHERE sku IN ('STICKER-HF', 'GIFT-25', 'MON-27-4K', 'CAM-720-01') ORDER BY sku",
      );
      return rows;
    });
    expect(products).toEqual([
      { sku: 'CAM-720-01', name: '720p webcam', price_cents: 2490, active: false },
      { sku: 'GIFT-25', name: 'Gift card 25', price_cents: 2500, active: true },
      { sku: 'MON-27-4K', name: '27" 4K monitor', price_cents: 32900, active: true },
      { sku: 'STICKER-HF', name: 'Hello Fargate sticker', price_cents: 29, active: true },
    ]);
  });

  it('re-running the import changes nothing and reports every row unchanged', async () => {
    url = await migratedDatabase();
    const snapshot = () =>
      withClient(url, async (client) => {
        const customers = await client.query('SELECT id, email, name, created_at FROM customers ORDER BY email');
        const products = await client.query('SELECT id, sku, name, price_cents, active FROM products ORDER BY sku');
        return [customers.rows, products.rows];
      });
    await runImport(url);
    const before = await snapshot();

    const again = await runImport(url);

    expect(again.code).toBe(0);
    expect(summary(again.lines)).toEqual({
      customers: { inserted: 0, updated: 0, unchanged: 42, rejected: 0 },
      products: { inserted: 0, updated: 0, unchanged: 31, rejected: 0 },
    });
    expect(await snapshot()).toEqual(before);
  });

  it('updates existing rows by email and sku, keeping their ids', async () => {
    url = await migratedDatabase();
    await runImport(
      url,
      '--customers',
      csvFile('customers.csv', 'email,name\nann@example.com,Ann\nbob@example.com,Bob\n'),
      '--products',
      csvFile('products.csv', 'sku,name,price\nKB-01,Keyboard,89.90\nMS-01,Mouse,19.90\n'),
    );
    const idOf = () =>
      withClient(url, async (client) => (await client.query("SELECT id FROM products WHERE sku = 'KB-01'")).rows[0]);
    const before = await idOf();

    const result = await runImport(
      url,
      '--customers',
      csvFile('customers.csv', 'email,name\nANN@example.com,Ann Lee\nbob@example.com,Bob\ncid@example.com,Cid\n'),
      '--products',
      csvFile('products.csv', 'sku,name,price,active\nKB-01,Keyboard,84.90,false\nMS-01,Mouse,19.90,true\n'),
    );

    expect(summary(result.lines)).toEqual({
      customers: { inserted: 1, updated: 1, unchanged: 1, rejected: 0 },
      products: { inserted: 0, updated: 1, unchanged: 1, rejected: 0 },
    });
    expect(await idOf()).toEqual(before);
    const keyboard = await withClient(
      url,
      async (client) => (await client.query("SELECT price_cents, active FROM products WHERE sku = 'KB-01'")).rows[0],
    );
    expect(keyboard).toEqual({ price_cents: 8490, active: false });
  });

  it('an invalid row fails the import with exit 1, lists every problem with its line, and imports nothing', async () => {
    url = await migratedDatabase();
    const customers = csvFile(
      'customers.csv',
      'email,name\nann@example.com,Ann\nbob@,Bob\ncid@example.com,Cid\nann@example.com,Ann twice\n',
    );
    const products = csvFile('products.csv', 'sku,name,price\nKB-01,Keyboard,12.345\nMS-01,Mouse,19.90\n');

    const result = await runImport(url, '--customers', customers, '--products', products);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: import: 3 invalid rows; nothing was imported.');
    expect(result.stderr).toContain('customers.csv line 3: email "bob@" is not a valid email address');
    expect(result.stderr).toContain('customers.csv line 5: email "ann@example.com" already appears on line 2');
    expect(result.stderr).toContain('products.csv line 2: price "12.345" has more than 2 decimal places');
    expect(await count(url, 'customers')).toBe(0);
    expect(await count(url, 'products')).toBe(0);
  });

  it('--skip-invalid imports the valid rows, reports the rejected ones and exits 0', async () => {
    url = await migratedDatabase();
    const customers = csvFile('customers.csv', 'email,name\nann@example.com,Ann\nbob@,Bob\ncid@example.com,Cid\n');
    const products = csvFile('products.csv', 'sku,name,price\nKB-01,Keyboard,12.345\nMS-01,Mouse,19.90\n');

    const result = await runImport(url, '--customers', customers, '--products', products, '--skip-invalid');

    expect(result.code).toBe(0);
    expect(summary(result.lines)).toEqual({
      customers: { inserted: 2, updated: 0, unchanged: 0, rejected: 1 },
      products: { inserted: 1, updated: 0, unchanged: 0, rejected: 1 },
    });
    const rejected = result.lines.filter((line) => line.level === 'warn').map((line) => [line.file, line.line]);
    expect(rejected).toEqual([
      ['customers.csv', 3],
      ['products.csv', 2],
    ]);
    expect(await count(url, 'customers')).toBe(2);
    expect(await count(url, 'products')).toBe(1);
  });

  it('caps the listed problems at 50 and counts the rest', async () => {
    url = await migratedDatabase();
    const body = Array.from({ length: 60 }, (_, i) => `user${i}@,User ${i}`).join('\n');
    const customers = csvFile('customers.csv', `email,name\n${body}\n`);

    const result = await runImport(url, '--customers', customers);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('60 invalid rows');
    expect(result.stderr).toContain('customers.csv line 51: email "user49@"');
    expect(result.stderr).not.toContain('line 52:');
    expect(result.stderr).toContain('… and 10 more invalid rows');
  });

  it('a malformed CSV (unclosed quote) is reported with its line number and nothing is imported', async () => {
    url = await migratedDatabase();
    const customers = csvFile(
      'customers.csv',
      'email,name\nann@example.com,Ann\nbob@example.com,"Bob\ncid@example.com,Cid\n',
    );
    const products = csvFile('products.csv', 'sku,name,price\nMS-01,Mouse,19.90\n');

    const result = await runImport(url, '--customers', customers, '--products', products, '--skip-invalid');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: import: customers\.csv line 3: malformed CSV: a quoted value is never closed/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await count(url, 'products')).toBe(0);
  });

  it('--dry-run reports what would change and saves nothing', async () => {
    url = await migratedDatabase();

    const result = await runImport(url, '--dry-run');

    expect(result.code).toBe(0);
    expect(summary(result.lines).customers).toEqual({ inserted: 42, updated: 0, unchanged: 0, rejected: 0 });
    expect(await count(url, 'customers')).toBe(0);
  });

  it('before migrate, says to run migrate first', async () => {
    url = await databases.fresh();

    const result = await runImport(url);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'relation "customers" does not exist; the tables are created by "migrate": run it first',
    );
  });
});

describe('import command line', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('exits 2 with the usage on an unknown flag', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    const code = await runTask(commands, { argv: ['import', '--customer', 'x.csv'], logger: captureLogger().logger });

    expect(code).toBe(2);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(
      /Unknown option '--customer'.*usage: import \[--customers <file>\]/,
    );
  });

  it('exits 2 and shows the flag to use when a file is given without one', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    const code = await runTask(commands, { argv: ['import', 'data/customers.csv'], logger: captureLogger().logger });

    expect(code).toBe(2);
    expect(String(stderr.mock.calls[0]?.[0])).toContain(
      'files are given by flag, e.g. import --customers data/customers.csv',
    );
  });
});
