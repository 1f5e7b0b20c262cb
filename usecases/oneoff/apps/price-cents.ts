// Turns a price written as a decimal string ("12.50") into integer cents, without floating-point arithmetic.

/** The largest price a PostgreSQL `integer` column holds, in cents. */
export const MAX_PRICE_CENTS = 2_147_483_647;

/** Integer cents for a price like "12", "12.5" or "12.50"; a message a person can act on when it is not one. */
export function parsePriceCents(text: string): { cents: number } | { problem: string } {
  if (text === '') return { problem: 'price is empty' };
  if (/^-\d/.test(text)) return { problem: `price "${text}" must not be negative` };
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { problem: `price "${text}" is not a decimal number like 12.50 (use "." and no currency sign)` };
  const whole = match[1] as string;
  const fraction = match[2] ?? '';
  if (fraction.length > 2) return { problem: `price "${text}" has more than 2 decimal places` };
  // Strings of digits, never floats: "0.29" must become 29, not 28.999999999999996.
  const cents = whole.length > 9 ? Number.POSITIVE_INFINITY : Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (cents > MAX_PRICE_CENTS) return { problem: `price "${text}" is above the maximum 21474836.47` };
  return { cents };
}
