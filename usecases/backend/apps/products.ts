// Products: the active catalogue, and the rows an order prices its lines from.

import type { Queryable } from './queryable.js';

export interface Product {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
}

export interface ProductForOrder extends Product {
  readonly active: boolean;
}

/** Products that can be ordered, by name. */
export async function listActiveProducts(db: Queryable): Promise<Product[]> {
  const { rows } = await db.query<{ id: string; sku: string; name: string; price_cents: number }>(
    'SELECT id, sku, name, price_cents FROM products WHERE active ORDER BY name, sku',
  );
  return rows.map((row) => ({ id: row.id, sku: row.sku, name: row.name, priceCents: row.price_cents }));
}

/** The products with these skus, active or not, by sku; skus with no product are absent from the map. */
export async function productsBySku(db: Queryable, skus: readonly string[]): Promise<Map<string, ProductForOrder>> {
  const { rows } = await db.query<{ id: string; sku: string; name: string; price_cents: number; active: boolean }>(
    'SELECT id, sku, name, price_cents, active FROM products WHERE sku = ANY($1::text[])',
    [skus],
  );
  return new Map(
    rows.map((row) => [
      row.sku,
      { id: row.id, sku: row.sku, name: row.name, priceCents: row.price_cents, active: row.active },
    ]),
  );
}
