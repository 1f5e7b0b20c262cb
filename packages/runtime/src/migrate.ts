// Database migrations: node-pg-migrate applies SQL files in one transaction; concurrent runs wait for each other.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import { connectDatabase, databaseUrlFromEnv, redactUrl } from './database.js';
import { createLogger, type Logger } from './logger.js';
import { TaskFailure } from './task-main.js';

/** Key of the transaction-level advisory lock every migrate run takes: the ASCII bytes of "HFmigr". */
export const MIGRATION_LOCK_KEY = 0x48_46_6d_69_67_72;

export interface MigrateOptions {
  /**
   * Folder of SQL migration files, applied in the order of their numeric prefix (`0001_customers.sql`, …). Each file
   * has a `-- Up Migration` section and optionally a `-- Down Migration` section; files not ending in `.sql` and
   * dotfiles are ignored.
   */
  readonly dir: string | URL;
  /** Connection string. @default databaseUrlFromEnv(): DATABASE_URL, or composed from the PG* variables in AWS */
  readonly url?: string;
  /** Where progress and the summary are logged. @default createLogger({ component: 'migrate' }) */
  readonly logger?: Logger;
  /** Table in the `public` schema recording applied migrations. @default 'pgmigrations' */
  readonly migrationsTable?: string;
  /** Key of the advisory lock that serializes runs against one database. @default MIGRATION_LOCK_KEY */
  readonly lockKey?: number;
  /** Milliseconds to wait for the database connection. @default 10000 */
  readonly connectionTimeoutMillis?: number;
}

export interface MigrationFile {
  /** File name without `.sql`, as recorded in the migrations table, e.g. `0001_customers`. */
  readonly name: string;
  /** File name, e.g. `0001_customers.sql`. */
  readonly file: string;
}

export interface AppliedMigration extends MigrationFile {
  /** Milliseconds its SQL took. */
  readonly durationMs: number;
}

export interface MigrateResult {
  /** Migrations this run applied, in order; empty when another run had applied them or none were pending. */
  readonly applied: readonly AppliedMigration[];
  /** Milliseconds from connecting to commit, including any wait for a concurrent run. */
  readonly durationMs: number;
}

export interface MigrationStatus {
  /** Migrations recorded in the migrations table, oldest first. */
  readonly applied: readonly { readonly name: string; readonly runOn: Date }[];
  /** Migration files not applied yet, in the order `migrate` would apply them. */
  readonly pending: readonly MigrationFile[];
}

interface Settings {
  readonly dir: string;
  readonly url: string;
  readonly logger: Logger;
  readonly migrationsTable: string;
  readonly lockKey: number;
  readonly connectionTimeoutMillis: number;
}

/**
 * Applies every pending migration in one transaction and returns what it applied. When a migration fails, nothing
 * from this run is kept and a TaskFailure names the file, the line and PostgreSQL's error.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const settings = await normalizeOptions(options);
  const { logger } = settings;
  const started = Date.now();
  // node-pg-migrate's own lock is a session-level pg_try_advisory_lock: a second concurrent run fails instead of
  // waiting, and on PGlite (one session shared by every client) it would not exclude anyone. A transaction-level lock
  // taken in the transaction the runner then uses works on both: on PostgreSQL a second run blocks on the lock; on
  // PGlite the socket multiplexer holds other clients' queries until the transaction ends. Either way the second run
  // then reads the migrations table, finds nothing pending and succeeds. The runner's own BEGIN inside ours only draws
  // a "transaction already in progress" warning; its COMMIT ends our transaction and releases the lock.
  return withClient(settings, async (client) => {
    const progress = trackProgress(logger);
    await client.query('BEGIN');
    try {
      await takeLock(client, settings);
      const ran = await runner({
        dbClient: client,
        dir: settings.dir,
        ignorePattern: NOT_SQL_FILE,
        migrationsTable: settings.migrationsTable,
        direction: 'up',
        count: Number.POSITIVE_INFINITY,
        checkOrder: true,
        singleTransaction: true,
        noLock: true,
        logger: progress.libraryLogger,
      });
      // The runner returns without COMMIT when nothing was pending; when it did commit, this only draws a warning.
      await client.query('COMMIT');
      const durations = progress.finish();
      const applied = ran.map((migration) => ({
        name: migration.name,
        file: `${migration.name}.sql`,
        durationMs: durations.get(migration.name) ?? 0,
      }));
      const durationMs = Date.now() - started;
      logApplied(logger, applied, durationMs);
      return { applied, durationMs };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw await migrationFailure(error, progress.current(), settings);
    }
  });
}

/** One line per applied migration, then a summary. */
function logApplied(logger: Logger, applied: readonly AppliedMigration[], durationMs: number): void {
  for (const migration of applied) {
    logger.info({ migration: migration.file, durationMs: migration.durationMs }, `applied migration ${migration.file}`);
  }
  if (applied.length === 0) {
    logger.info({ applied: 0, durationMs }, 'database schema is up to date: nothing to apply');
    return;
  }
  const files = applied.map((migration) => migration.file).join(', ');
  const count = `${applied.length} migration${applied.length === 1 ? '' : 's'}`;
  logger.info({ applied: applied.length, durationMs }, `applied ${count}: ${files}`);
}

/** Which migrations are applied and which are pending, without changing the database. */
export async function migrationStatus(options: MigrateOptions): Promise<MigrationStatus> {
  const settings = await normalizeOptions(options);
  return withClient(settings, async (client) => {
    const progress = trackProgress(settings.logger);
    // A dry run still creates the migrations table when it is missing; the rollback leaves the database untouched.
    await client.query('BEGIN');
    try {
      const pending = await runner({
        dbClient: client,
        dir: settings.dir,
        ignorePattern: NOT_SQL_FILE,
        migrationsTable: settings.migrationsTable,
        direction: 'up',
        count: Number.POSITIVE_INFINITY,
        checkOrder: true,
        singleTransaction: false,
        noLock: true,
        dryRun: true,
        logger: progress.libraryLogger,
      });
      const { rows } = await client.query<{ name: string; run_on: Date }>(
        `SELECT name, run_on FROM "public"."${settings.migrationsTable}" ORDER BY run_on, id`,
      );
      return {
        applied: rows.map((row) => ({ name: row.name, runOn: row.run_on })),
        pending: pending.map((migration) => ({ name: migration.name, file: `${migration.name}.sql` })),
      };
    } catch (error) {
      throw await migrationFailure(error, undefined, settings);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  });
}

/** node-pg-migrate's `ignorePattern` (anchored by the library): dotfiles and anything not ending in `.sql`. */
const NOT_SQL_FILE = '(?:\\..*|(?!.*\\.sql$).*)';

async function normalizeOptions(options: MigrateOptions): Promise<Settings> {
  const dir = resolve(options.dir instanceof URL ? fileURLToPath(options.dir) : options.dir);
  const migrationsTable = options.migrationsTable ?? 'pgmigrations';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(migrationsTable)) {
    throw new TaskFailure(
      `migrationsTable "${migrationsTable}" is not a plain lower-case table name (letters, digits, underscores)`,
    );
  }
  const lockKey = options.lockKey ?? MIGRATION_LOCK_KEY;
  if (!Number.isSafeInteger(lockKey)) throw new TaskFailure(`lockKey ${lockKey} is not a safe integer`);
  const isFolder = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    throw new TaskFailure(
      `migrations folder ${dir} does not exist; it ships beside apps/ (e.g. <root>/migrations/) — check the image or the dir option`,
    );
  }
  return {
    dir,
    url: options.url ?? databaseUrlFromEnv(),
    logger: options.logger ?? createLogger({ component: 'migrate' }),
    migrationsTable,
    lockKey,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
  };
}

/** One connection for the whole run, with PostgreSQL notices routed to the logger. */
async function withClient<T>(settings: Settings, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const pool = await connectDatabase({
    url: settings.url,
    max: 1,
    connectionTimeoutMillis: settings.connectionTimeoutMillis,
  });
  try {
    const client = await pool.connect();
    client.on('notice', (notice) => routeNotice(settings.logger, notice));
    client.on('error', (error) => settings.logger.debug({ err: error }, 'database connection error'));
    try {
      return await work(client);
    } finally {
      client.release();
    }
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** Waits for the lock, saying so when another run holds it (PostgreSQL only: on PGlite the wait happens earlier). */
async function takeLock(client: pg.PoolClient, settings: Settings): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>(
    `SELECT pg_try_advisory_xact_lock(${settings.lockKey}) AS locked`,
  );
  if (rows[0]?.locked) return;
  settings.logger.info(
    { database: redactUrl(settings.url) },
    'another migrate run is in progress on this database; waiting for it to finish',
  );
  await client.query(`SELECT pg_advisory_xact_lock(${settings.lockKey})`);
}

/** The nested BEGIN and the extra COMMIT are expected; other notices (e.g. RAISE NOTICE in a migration) are shown. */
function routeNotice(logger: Logger, notice: { message?: string; code?: string; severity?: string }): void {
  const expected = notice.code === '25001' || notice.code === '25P01';
  const fields = { notice: { severity: notice.severity, code: notice.code } };
  const message = `PostgreSQL ${notice.severity ?? 'NOTICE'}: ${notice.message ?? ''}`;
  if (expected) logger.debug(fields, message);
  else logger.info(fields, message);
}

/**
 * The runner's log lines go to debug: this module logs what matters as JSON. The "### MIGRATION name (UP) ###" line
 * the runner writes just before a migration's SQL runs tells which migration is running, and when.
 */
function trackProgress(logger: Logger) {
  const starts: { name: string; at: number }[] = [];
  const forward = (message: string) => logger.debug({ library: 'node-pg-migrate' }, message);
  return {
    libraryLogger: {
      info: (message: string) => {
        const running = /^### MIGRATION (.+) \(UP\) ###$/.exec(message);
        if (running?.[1]) starts.push({ name: running[1], at: Date.now() });
        forward(message);
      },
      warn: forward,
      error: forward,
    },
    current: () => starts.at(-1)?.name,
    finish: () => {
      const end = Date.now();
      return new Map(starts.map((start, i) => [start.name, (starts[i + 1]?.at ?? end) - start.at]));
    },
  };
}

interface PgError extends Error {
  code?: string;
  severity?: string;
  position?: string;
  hint?: string;
}

async function migrationFailure(error: unknown, current: string | undefined, settings: Settings): Promise<unknown> {
  if (error instanceof TaskFailure) return error;
  const err = error as PgError;
  const message = firstLine(err instanceof Error ? err.message : String(error));
  const hint = err?.hint ? ` (hint: ${err.hint})` : '';
  if (current !== undefined) {
    const file = `${current}.sql`;
    const line = await errorLine(join(settings.dir, file), err?.position);
    const where = line === undefined ? '' : ` at line ${line}`;
    return new TaskFailure(
      `migration ${file} failed${where}: ${message}${hint}. Nothing from this run was applied; fix ${join(settings.dir, file)} and run migrate again`,
      1,
      { cause: error },
    );
  }
  if (/preceding already run migration/.test(message)) {
    const files = await readdir(settings.dir).catch(() => []);
    return new TaskFailure(
      `migrations are out of order: ${message}. A new migration must sort after the last applied one: give it a higher number (files: ${files.join(', ')})`,
      1,
      { cause: error },
    );
  }
  return new TaskFailure(`migrate failed: ${message}${hint}`, 1, { cause: error });
}

/**
 * The file line of PostgreSQL's error position. node-pg-migrate sends a SQL file's up section (from the
 * `-- Up Migration` comment on) as one query, so the position counts from that comment.
 */
async function errorLine(path: string, position: string | undefined): Promise<number | undefined> {
  const offset = Number(position);
  if (!Number.isInteger(offset) || offset < 1) return undefined;
  const content = await readFile(path, 'utf8').catch(() => undefined);
  if (content === undefined) return undefined;
  const upStart = Math.max(content.search(/^\s*--[\s-]*up\s+migration/im), 0);
  const before = content.slice(0, upStart + offset - 1);
  return before.split('\n').length;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text;
}
