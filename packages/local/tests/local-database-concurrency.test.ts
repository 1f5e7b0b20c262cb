// The embedded database under concurrent clients: each gets the answers a separate PostgreSQL connection would give,
// also while another client holds a transaction (regression: pglite-socket interleaved extended-protocol requests).

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDatabase, startLocalDatabase } from '../src/index.js';

describe('the embedded database with concurrent clients', () => {
  let db: LocalDatabase;
  beforeAll(async () => {
    db = await startLocalDatabase({ dataDir: 'memory://' });
    const setup = new pg.Client({ connectionString: db.url });
    await setup.connect();
    await setup.query(`
      CREATE TABLE o (id int PRIMARY KEY, v text);
      CREATE TABLE l (oid int, n int);
      CREATE TABLE q (id serial PRIMARY KEY, sent boolean NOT NULL DEFAULT false);
      INSERT INTO o SELECT g, 'v' || g FROM generate_series(1, 100) g;
      INSERT INTO l SELECT g, g FROM generate_series(1, 100) g;
      INSERT INTO q (sent) SELECT false FROM generate_series(1, 1000);`);
    await setup.end();
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('answers every parameterized query correctly while another client loops over transactions', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 10 });
    let stop = false;
    // like the outbox relay: BEGIN; SELECT … FOR UPDATE SKIP LOCKED; a pause; UPDATE; COMMIT
    const relay = (async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      while (!stop) {
        await client.query('BEGIN');
        const { rows } = await client.query(
          'SELECT id FROM q WHERE NOT sent ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
          [5],
        );
        await new Promise((resolve) => setTimeout(resolve, 3));
        if (rows.length > 0) await client.query('UPDATE q SET sent = true WHERE id = ANY($1)', [rows.map((r) => r.id)]);
        await client.query('COMMIT');
      }
      await client.end();
    })();
    const problems: string[] = [];
    let answered = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, worker) => {
        for (let k = 0; k < 15; k++) {
          const id = 1 + ((worker * 15 + k) % 100);
          try {
            const order = await pool.query('SELECT id, v FROM o WHERE id = $1', [id]);
            const lines = await pool.query('SELECT n FROM l WHERE oid = $1 ORDER BY n', [id]);
            if (order.rows[0]?.v !== `v${id}` || lines.rows[0]?.n !== id) {
              problems.push(`${id}: ${JSON.stringify(order.rows)} ${JSON.stringify(lines.rows)}`);
            } else answered++;
          } catch (error) {
            problems.push(`${id}: ${(error as Error).message}`);
          }
        }
      }),
    );
    stop = true;
    await relay;
    await pool.end();
    expect(problems.slice(0, 5)).toEqual([]);
    expect(answered).toBe(300);
  });
});
