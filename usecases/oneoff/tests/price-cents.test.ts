// parsePriceCents: decimal strings to integer cents, exactly, with messages for what is not a price.

import { describe, expect, it } from 'vitest';
import { parsePriceCents } from '../apps/price-cents.js';

describe('parsePriceCents', () => {
  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12.50', 1250],
    ['0.29', 29],
    ['0.07', 7],
    ['19.99', 1999],
    ['1.10', 110],
    ['0', 0],
    ['21474836.47', 2_147_483_647],
  ])('reads "%s" as %i cents without floating-point error', (text, cents) => {
    expect(parsePriceCents(text)).toEqual({ cents });
  });

  it.each([
    ['12.345', 'price "12.345" has more than 2 decimal places'],
    ['-1.00', 'price "-1.00" must not be negative'],
    ['', 'price is empty'],
    ['1,50', 'price "1,50" is not a decimal number like 12.50 (use "." and no currency sign)'],
    ['$5', 'price "$5" is not a decimal number like 12.50 (use "." and no currency sign)'],
    ['.5', 'price ".5" is not a decimal number like 12.50 (use "." and no currency sign)'],
    ['1e3', 'price "1e3" is not a decimal number like 12.50 (use "." and no currency sign)'],
    ['21474836.48', 'price "21474836.48" is above the maximum 21474836.47'],
    ['99999999999999', 'price "99999999999999" is above the maximum 21474836.47'],
  ])('rejects "%s"', (text, problem) => {
    expect(parsePriceCents(text)).toEqual({ problem });
  });
});
