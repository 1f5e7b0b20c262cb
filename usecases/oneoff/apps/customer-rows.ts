// Checks the rows of a customers CSV file: required fields, email shape, no email twice.

import type { CsvColumns, CsvRow, RowProblem } from './read-csv.js';

export const customerColumns: CsvColumns = { required: ['email', 'name'] };

export interface CustomerRow {
  readonly line: number;
  /** Lower-cased: the database stores emails lower-case so "Ann@x.com" and "ann@x.com" are one customer. */
  readonly email: string;
  readonly name: string;
}

/** Loose on purpose: one @, no spaces, a dot in the domain. Whether mail arrives is the mail system's business. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL = 254;
const MAX_NAME = 200;

/** The valid rows and a problem for each invalid one; a repeated email keeps its first row. */
export function validateCustomers(
  file: string,
  rows: readonly CsvRow[],
): { valid: CustomerRow[]; problems: RowProblem[] } {
  const valid: CustomerRow[] = [];
  const problems: RowProblem[] = [];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const email = (row.values.email ?? '').toLowerCase();
    const name = row.values.name ?? '';
    const problem = customerProblem(row, email, name, firstLine);
    if (problem) {
      problems.push({ file, line: row.line, message: problem });
      continue;
    }
    firstLine.set(email, row.line);
    valid.push({ line: row.line, email, name });
  }
  return { valid, problems };
}

function customerProblem(
  row: CsvRow,
  email: string,
  name: string,
  firstLine: ReadonlyMap<string, number>,
): string | undefined {
  if (email === '') return 'email is empty';
  if (!EMAIL.test(email)) return `email "${row.values.email}" is not a valid email address`;
  if (email.length > MAX_EMAIL) return `email is longer than ${MAX_EMAIL} characters`;
  if (name === '') return 'name is empty';
  if (name.length > MAX_NAME) return `name is longer than ${MAX_NAME} characters`;
  const first = firstLine.get(email);
  if (first !== undefined) return `email "${email}" already appears on line ${first}`;
  return undefined;
}
