// Reads the new-order form: fixed product/quantity rows, empty rows ignored, every problem named by its field.

import type { NewOrderLine, Product } from './orders-api.js';

/** Rows the form shows; a row with no product chosen is ignored, so one to three lines can be ordered. */
export const ORDER_FORM_ROWS = 3;
export const MAX_QUANTITY = 1000;

/** One row as the user typed it, kept to show the form again after an error. */
export interface OrderFormRow {
  readonly sku: string;
  readonly quantity: string;
}

/** A problem with the input; `field` is the id of the input it is about (`sku-2`), absent for the whole form. */
export interface FormError {
  readonly field?: string;
  readonly message: string;
}

export interface ParsedOrderForm {
  readonly rows: readonly OrderFormRow[];
  /** The lines to order; meaningful only when `errors` is empty. */
  readonly lines: readonly NewOrderLine[];
  readonly errors: readonly FormError[];
}

/** Field names: `sku-1`, `quantity-1`, … (also the inputs' ids, so error links can focus them). */
export const skuField = (row: number) => `sku-${row}`;
export const quantityField = (row: number) => `quantity-${row}`;

/** Checks the posted form against the catalogue; nothing the user sent is trusted beyond a sku and a count. */
export function parseOrderForm(body: unknown, products: readonly Product[]): ParsedOrderForm {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const known = new Map(products.map((product) => [product.sku, product]));
  const rows: OrderFormRow[] = [];
  const lines: NewOrderLine[] = [];
  const errors: FormError[] = [];
  const firstRowOf = new Map<string, number>();

  for (let row = 1; row <= ORDER_FORM_ROWS; row++) {
    const sku = text(fields[skuField(row)]);
    const quantity = text(fields[quantityField(row)]);
    rows.push({ sku: sku ?? '', quantity: quantity ?? '' });
    if (sku === undefined) {
      errors.push({ field: skuField(row), message: `Line ${row}: send one product, not several.` });
      continue;
    }
    if (sku === '') continue;
    const product = known.get(sku);
    if (!product) {
      errors.push({ field: skuField(row), message: `Line ${row}: choose a product from the list.` });
      continue;
    }
    const first = firstRowOf.get(sku);
    if (first !== undefined) {
      errors.push({
        field: skuField(row),
        message: `Line ${row}: ${product.name} is already on line ${first}; put the whole quantity on one line.`,
      });
      continue;
    }
    firstRowOf.set(sku, row);
    const count = quantity !== undefined && /^\d{1,7}$/.test(quantity) ? Number(quantity) : NaN;
    if (!(count >= 1 && count <= MAX_QUANTITY)) {
      errors.push({
        field: quantityField(row),
        message: `Line ${row}: enter a whole number from 1 to ${MAX_QUANTITY} for the quantity of ${product.name}.`,
      });
      continue;
    }
    lines.push({ sku, quantity: count });
  }
  if (errors.length === 0 && lines.length === 0) {
    errors.push({ field: skuField(1), message: 'Choose at least one product.' });
  }
  return { rows, lines, errors };
}

/** A single form value, trimmed; '' when absent; undefined when the field was sent more than once. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return undefined;
  return value.trim().slice(0, 64);
}
