// The app's PostgreSQL connection: only ever from DATABASE_URL, with clear errors when it cannot be reached.

import pg from 'pg';
import { requireEnv } from './env.js';
import { TaskFailure } from './task-main.js';

export interface DatabaseOptions {
  /** Connection string. @default process.env.DATABASE_URL */
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
  const url = options.url ?? requireEnv('DATABASE_URL');
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
  const url = options.url ?? requireEnv('DATABASE_URL');
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
