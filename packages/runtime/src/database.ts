// The app's PostgreSQL connection: only ever from DATABASE_URL, with clear errors when it cannot be reached.

import pg from 'pg';
import { ConfigError } from './config-error.js';
import { TaskFailure } from './task-main.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The database URL of the environment contract. Locally the runner sets DATABASE_URL. In AWS, ECS cannot build a
 * URL from the Aurora secret's fields, so the task gets PGHOST/PGPORT/PGDATABASE/PGSSLMODE as plain variables and
 * PGUSER/PGPASSWORD as ECS secrets (see docs/aws.md); the URL is composed from them here, once.
 */
export function databaseUrlFromEnv(env: Env = process.env): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const { PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE } = env;
  if (!PGHOST) {
    const workload = env.HF_WORKLOAD ? ` (workload "${env.HF_WORKLOAD}")` : '';
    throw new ConfigError(
      'DATABASE_URL',
      `environment variable DATABASE_URL is not set${workload}, nor PGHOST; declare dependsOn: { database: true }`,
    );
  }
  const auth = PGUSER ? `${encodeURIComponent(PGUSER)}${PGPASSWORD ? `:${encodeURIComponent(PGPASSWORD)}` : ''}@` : '';
  const query = PGSSLMODE ? `?sslmode=${encodeURIComponent(PGSSLMODE)}` : '';
  return `postgres://${auth}${PGHOST}:${PGPORT ?? '5432'}/${encodeURIComponent(PGDATABASE ?? 'postgres')}${query}`;
}

export interface DatabaseOptions {
  /** Connection string. @default databaseUrlFromEnv(): DATABASE_URL, or composed from PG* variables in AWS */
  readonly url?: string;
  /** Pool size. @default 10 */
  readonly max?: number;
  /** Milliseconds to wait for a connection. @default 10000 */
  readonly connectionTimeoutMillis?: number;
}

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** A pg pool for DATABASE_URL. Connections are checked by `connectDatabase`. */
export function createPool(options: DatabaseOptions = {}): pg.Pool {
  const url = options.url ?? databaseUrlFromEnv();
  try {
    new URL(url);
  } catch {
    throw new TaskFailure(`DATABASE_URL is not a valid URL; expected postgres://user:password@host:port/database`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the next query reconnects or reports the failure.
  });
  return pool;
}

/** A pool whose first connection succeeded; a TaskFailure saying where and why when it did not. */
export async function connectDatabase(options: DatabaseOptions = {}): Promise<pg.Pool> {
  const url = options.url ?? databaseUrlFromEnv();
  const pool = createPool({ ...options, url });
  try {
    const client = await pool.connect();
    client.release();
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new TaskFailure(`cannot reach the database at ${redactUrl(url)}: ${connectionProblem(error)}`, 1, {
      cause: error,
    });
  }
}

function connectionProblem(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { code?: string };
  switch (err?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running and the port right?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case '28P01':
    case '28000':
      return 'authentication failed';
    case '3D000':
      return 'database does not exist';
    default:
      return err instanceof Error ? err.message : String(error);
  }
}
