import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalDatabase } from '../src/local-database.js';
import { tempDir } from './helpers.js';

describe('startLocalDatabase (PGlite over the wire protocol)', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });

  it('keeps data on disk across restarts', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const dataDir = join(dir.path, 'pgdata');
    const first = await startLocalDatabase({ dataDir });
    const a = new pg.Client(first.url);
    await a.connect();
    await a.query('create table notes (id serial primary key, body text not null)');
    await a.query("insert into notes (body) values ('kept')");
    await a.end();
    await first.stop();

    const second = await startLocalDatabase({ dataDir });
    const b = new pg.Client(second.url);
    await b.connect();
    const { rows } = await b.query('select body from notes');
    await b.end();
    await second.stop();
    expect(rows).toEqual([{ body: 'kept' }]);
  });

  it('serves several clients, holding others while one is inside a transaction', async () => {
    const db = await startLocalDatabase({ dataDir: 'memory://' });
    const a = new pg.Client(db.url);
    const b = new pg.Client(db.url);
    await Promise.all([a.connect(), b.connect()]);
    await a.query('create table t (x int)');
    await a.query('begin');
    await a.query('insert into t values (1)');
    let seen: number | undefined;
    const read = b.query('select count(*)::int as n from t').then((r) => {
      seen = r.rows[0].n;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toBeUndefined();
    await a.query('commit');
    await read;
    expect(seen).toBe(1);
    await Promise.all([a.end(), b.end()]);
    await db.stop();
  });
});
