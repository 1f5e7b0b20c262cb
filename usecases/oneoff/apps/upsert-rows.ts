// Saves validated customers and products with one upsert statement each, on their natural keys (email, sku).

import type pg from 'pg';
import type { CustomerRow } from './customer-rows.js';
import type { ProductRow } from './product-rows.js';

export interface UpsertCounts {
  readonly inserted: number;
  readonly updated: number;
  /** Rows already stored with the same values: left alone, so re-running an import changes nothing. */
  readonly unchanged: number;
}

// `RETURNING (xmax = 0)` is true for a freshly inserted row and false for one ON CONFLICT updated; rows the WHERE
// clause left alone are not returned at all. PostgreSQL and PGlite agree on this.

/** Inserts new customers and renames existing ones; call inside a transaction. */
export async function upsertCustomers(client: pg.ClientBase, rows: readonly CustomerRow[]): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const result = await client.query<{ inserted: boolean }>(
    `INSERT INTO customers (email, name)
     SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name
       WHERE customers.name IS DISTINCT FROM EXCLUDED.name
     RETURNING (xmax = 0) AS inserted`,
    [rows.map((row) => row.email), rows.map((row) => row.name)],
  );
  return countChanges(rows.length, result.rows);
}

/** Inserts new products and updates the name, price and active flag of existing ones; call inside a transaction. */
export async function upsertProducts(client: pg.ClientBase, rows: readonly ProductRow[]): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const result = await client.query<{ inserted: boolean }>(
    `INSERT INTO products (sku, name, price_cents, active)
     SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::boolean[])
     ON CONFLICT (sku) DO UPDATE
       SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents, active = EXCLUDED.active
       WHERE (products.name, products.price_cents, products.active)
         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.price_cents, EXCLUDED.active)
     RETURNING (xmax = 0) AS inserted`,
    [
      rows.map((row) => row.sku),
      rows.map((row) => row.name),
      rows.map((row) => row.priceCents),
      rows.map((row) => row.active),
    ],
  );
  return countChanges(rows.length, result.rows);
}

function countChanges(total: number, changed: readonly { inserted: boolean }[]): UpsertCounts {
  const inserted = changed.filter((row) => row.inserted).length;
  const updated = changed.length - inserted;
  return { inserted, updated, unchanged: total - changed.length };
}
