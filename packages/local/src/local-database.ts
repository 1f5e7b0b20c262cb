// The embedded database: PGlite served over the PostgreSQL wire protocol, data kept on disk.

import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { gateSessions } from './pglite-session-gate.js';

export interface LocalDatabaseOptions {
  /** Folder for the data files; `memory://` keeps nothing. */
  readonly dataDir: string;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * Client connections served at once. PGlite is one Postgres session: the multiplexer runs one query at a time
   * and gives a transaction's client the database until it commits or rolls back. @default 100
   */
  readonly maxConnections?: number;
}

export interface LocalDatabase {
  /** postgres:// URL apps receive as DATABASE_URL. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts PGlite and a wire-protocol server in front of it. */
export async function startLocalDatabase(options: LocalDatabaseOptions): Promise<LocalDatabase> {
  const host = options.host ?? '127.0.0.1';
  if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true });
  let db: PGlite;
  try {
    db = await PGlite.create(options.dataDir);
  } catch (error) {
    throw new Error(
      `cannot open the local database in ${options.dataDir}: ${(error as Error).message}. ` +
        'Is another runner using it? Stop it, or delete the folder to start with an empty database.',
      { cause: error },
    );
  }
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 100,
  });
  gateSessions(server, db);
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    port,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
