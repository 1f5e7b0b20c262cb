// Checks the rows of a products CSV file: required fields, SKU pattern, price in cents, no SKU twice.

import { parsePriceCents } from './price-cents.js';
import type { CsvColumns, CsvRow, RowProblem } from './read-csv.js';

export const productColumns: CsvColumns = { required: ['sku', 'name', 'price'], optional: ['active'] };

export interface ProductRow {
  readonly line: number;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly active: boolean;
}

/** Same rule as the products_sku_shape check in the migrations. */
const SKU = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
const MAX_NAME = 200;
const ACTIVE = new Map([
  ['', true],
  ['true', true],
  ['yes', true],
  ['1', true],
  ['false', false],
  ['no', false],
  ['0', false],
]);

/** The valid rows and a problem for each invalid one; a repeated SKU keeps its first row. */
export function validateProducts(
  file: string,
  rows: readonly CsvRow[],
): { valid: ProductRow[]; problems: RowProblem[] } {
  const valid: ProductRow[] = [];
  const problems: RowProblem[] = [];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const checked = checkProduct(row, firstLine);
    if (typeof checked === 'string') {
      problems.push({ file, line: row.line, message: checked });
      continue;
    }
    firstLine.set(checked.sku, row.line);
    valid.push(checked);
  }
  return { valid, problems };
}

/** The product on this row, or what is wrong with it (the first problem found). */
function checkProduct(row: CsvRow, firstLine: ReadonlyMap<string, number>): ProductRow | string {
  const { sku = '', name = '', price = '', active = '' } = row.values;
  if (sku === '') return 'sku is empty';
  if (!SKU.test(sku)) {
    return `sku "${sku}" must be 2 to 32 characters of A-Z, 0-9 and "-", starting with a letter or digit`;
  }
  if (name === '') return 'name is empty';
  if (name.length > MAX_NAME) return `name is longer than ${MAX_NAME} characters`;
  const parsed = parsePriceCents(price);
  if ('problem' in parsed) return parsed.problem;
  const isActive = ACTIVE.get(active.toLowerCase());
  if (isActive === undefined) return `active "${active}" must be true or false (or yes/no, 1/0; empty means true)`;
  const first = firstLine.get(sku);
  if (first !== undefined) return `sku "${sku}" already appears on line ${first}`;
  return { line: row.line, sku, name, priceCents: parsed.cents, active: isActive };
}
