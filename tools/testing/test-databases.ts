// The two databases database tests run against: PGlite behind the local wire-protocol server, and real PostgreSQL.

import { Writable } from 'node:stream';
import { createLogger, type Logger, MIGRATION_LOCK_KEY } from '@hello-fargate/runtime';
import pg from 'pg';
import { inject } from 'vitest';
import { startLocalDatabase } from '../../packages/local/src/local-database.js';

export interface TestDatabases {
  /** URL of an empty database for one test. */
  fresh(): Promise<string>;
  stop(): Promise<void>;
}

export interface Backend {
  readonly name: 'PGlite' | 'PostgreSQL';
  /** Starts what the backend needs for one test file; call in beforeAll. */
  start(): Promise<TestDatabases>;
}

/** For `describe.each(backends)('… on $name', …)`. */
export const backends: readonly Backend[] = [
  { name: 'PGlite', start: startPglite },
  { name: 'PostgreSQL', start: startPostgres },
];

/**
 * PGlite serves one database and starts in seconds, so a file shares one server and each test gets an emptied
 * public schema (which also holds the migrations table).
 */
async function startPglite(): Promise<TestDatabases> {
  const server = await startLocalDatabase({ dataDir: 'memory://' });
  return {
    async fresh() {
      await withClient(server.url, (client) => client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public'));
      return server.url;
    },
    stop: () => server.stop(),
  };
}

let databases = 0;

/** One new database per test on the run's PostgreSQL server (see tools/testing/global-setup.ts). */
async function startPostgres(): Promise<TestDatabases> {
  const serverUrl = inject('postgresUrl');
  const created: string[] = [];
  return {
    async fresh() {
      const name = `hf_test_${process.pid}_${++databases}`;
      await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
      created.push(name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      await withClient(serverUrl, async (client) => {
        for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

/** Runs `work` on a short-lived connection. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** One parsed JSON log line. */
export type LogLine = { level: string; msg: string } & Record<string, unknown>;

/** Runs one statement on a short-lived connection and returns its rows. */
export async function query<Row extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
): Promise<Row[]> {
  return withClient(url, async (client) => (await client.query<Row>(sql)).rows);
}

/** A logger whose JSON lines are kept in `lines`, for assertions. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

/**
 * Takes the migrate lock in an open transaction, as a long migrate run would. On PostgreSQL other runs block on the
 * lock; on PGlite the socket multiplexer holds every other client's queries until `release()`.
 */
export async function holdMigrationLock(url: string): Promise<{
  /** Resolves once `count` sessions wait for the lock (PostgreSQL) or after `maxMs` (PGlite cannot show waiters). */
  waiters(count: number, maxMs: number): Promise<number>;
  release(): Promise<void>;
}> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
  return {
    async waiters(count, maxMs) {
      const deadline = Date.now() + maxMs;
      for (;;) {
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
        const waiting = Number(rows[0]?.n);
        if (waiting >= count || Date.now() > deadline) return waiting;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}
