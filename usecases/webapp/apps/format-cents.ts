// Money for people: integer cents as `1,234.56`, computed with integers only (no floating point rounding).

/**
 * `123456` → `1,234.56`, `-5` → `-0.05`. The catalogue has no currency, so none is shown. Integer arithmetic keeps
 * every amount exact, whatever its size.
 */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`formatCents needs an integer number of cents, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const units = Math.trunc(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${units}.${String(abs % 100).padStart(2, '0')}`;
}
