// validateCustomers / validateProducts: one clear reason per rejected row; valid rows normalized for the database.

import { describe, expect, it } from 'vitest';
import { validateCustomers } from '../apps/customer-rows.js';
import { validateProducts } from '../apps/product-rows.js';
import type { CsvRow } from '../apps/read-csv.js';

function rows(...values: Record<string, string>[]): CsvRow[] {
  return values.map((value, i) => ({ line: i + 2, values: value }));
}

describe('validateCustomers', () => {
  it('lower-cases emails and rejects a repeated email whatever its case, keeping the first', () => {
    const result = validateCustomers(
      'customers.csv',
      rows({ email: 'Ann@Example.com', name: 'Ann' }, { email: 'ann@example.COM', name: 'Ann again' }),
    );

    expect(result.valid).toEqual([{ line: 2, email: 'ann@example.com', name: 'Ann' }]);
    expect(result.problems).toEqual([
      { file: 'customers.csv', line: 3, message: 'email "ann@example.com" already appears on line 2' },
    ]);
  });

  it.each([
    [{ email: 'bob@', name: 'Bob' }, 'email "bob@" is not a valid email address'],
    [{ email: 'bob example.com', name: 'Bob' }, 'email "bob example.com" is not a valid email address'],
    [{ email: 'bob@example', name: 'Bob' }, 'email "bob@example" is not a valid email address'],
    [{ email: '', name: 'Bob' }, 'email is empty'],
    [{ email: 'bob@example.com', name: '' }, 'name is empty'],
    [{ email: 'bob@example.com', name: 'x'.repeat(201) }, 'name is longer than 200 characters'],
  ])('rejects %o: %s', (values, message) => {
    const result = validateCustomers('customers.csv', rows(values));

    expect(result.valid).toEqual([]);
    expect(result.problems).toEqual([{ file: 'customers.csv', line: 2, message }]);
  });
});

describe('validateProducts', () => {
  it('converts prices to cents and reads the optional active flag, empty meaning active', () => {
    const result = validateProducts(
      'products.csv',
      rows(
        { sku: 'KB-01', name: 'Keyboard', price: '89.90', active: '' },
        { sku: 'KB-02', name: 'Old keyboard', price: '10', active: 'No' },
        { sku: 'KB-03', name: 'Mouse', price: '0.29' },
      ),
    );

    expect(result.problems).toEqual([]);
    expect(result.valid).toEqual([
      { line: 2, sku: 'KB-01', name: 'Keyboard', priceCents: 8990, active: true },
      { line: 3, sku: 'KB-02', name: 'Old keyboard', priceCents: 1000, active: false },
      { line: 4, sku: 'KB-03', name: 'Mouse', priceCents: 29, active: true },
    ]);
  });

  it.each([
    [{ sku: 'KB-01', name: 'Keyboard', price: '12.345' }, 'price "12.345" has more than 2 decimal places'],
    [
      { sku: 'kb-01', name: 'Keyboard', price: '1' },
      'sku "kb-01" must be 2 to 32 characters of A-Z, 0-9 and "-", starting with a letter or digit',
    ],
    [{ sku: '', name: 'Keyboard', price: '1' }, 'sku is empty'],
    [{ sku: 'KB-01', name: '', price: '1' }, 'name is empty'],
    [{ sku: 'KB-01', name: 'Keyboard', price: '' }, 'price is empty'],
    [
      { sku: 'KB-01', name: 'Keyboard', price: '1', active: 'maybe' },
      'active "maybe" must be true or false (or yes/no, 1/0; empty means true)',
    ],
  ])('rejects %o: %s', (values, message) => {
    const result = validateProducts('products.csv', rows(values));

    expect(result.valid).toEqual([]);
    expect(result.problems).toEqual([{ file: 'products.csv', line: 2, message }]);
  });

  it('rejects a repeated sku, keeping the first', () => {
    const result = validateProducts(
      'products.csv',
      rows({ sku: 'KB-01', name: 'Keyboard', price: '1' }, { sku: 'KB-01', name: 'Keyboard 2', price: '2' }),
    );

    expect(result.valid.map((row) => row.name)).toEqual(['Keyboard']);
    expect(result.problems).toEqual([
      { file: 'products.csv', line: 3, message: 'sku "KB-01" already appears on line 2' },
    ]);
  });
});
