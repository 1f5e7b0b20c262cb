// Customers: find by id or email, and create-or-return by email (how the webapp maps a signed-in user).

import type { Queryable } from './queryable.js';

export interface Customer {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly createdAt: string;
}

interface CustomerRow {
  id: string;
  email: string;
  name: string;
  created_at: Date;
}

const COLUMNS = 'id, email, name, created_at';

export async function findCustomerById(db: Queryable, id: string): Promise<Customer | undefined> {
  const { rows } = await db.query<CustomerRow>(`SELECT ${COLUMNS} FROM customers WHERE id = $1`, [id]);
  return rows[0] && toCustomer(rows[0]);
}

/** Emails are stored lower-case, so the lookup is too. */
export async function findCustomerByEmail(db: Queryable, email: string): Promise<Customer | undefined> {
  const { rows } = await db.query<CustomerRow>(`SELECT ${COLUMNS} FROM customers WHERE email = $1`, [
    email.trim().toLowerCase(),
  ]);
  return rows[0] && toCustomer(rows[0]);
}

/**
 * Inserts the customer unless one has this email; then returns the stored one, unchanged (its name is not updated).
 * Two concurrent calls with one email both get the same customer: the second INSERT waits for the first and skips.
 */
export async function ensureCustomer(
  db: Queryable,
  input: { email: string; name: string },
): Promise<{ customer: Customer; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  const inserted = await db.query<CustomerRow>(
    `INSERT INTO customers (email, name) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
    [email, input.name.trim()],
  );
  if (inserted.rows[0]) return { customer: toCustomer(inserted.rows[0]), created: true };
  const existing = await findCustomerByEmail(db, email);
  if (!existing) throw new Error(`customer ${email} conflicted on insert but cannot be read back`);
  return { customer: existing, created: false };
}

function toCustomer(row: CustomerRow): Customer {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.created_at.toISOString() };
}
