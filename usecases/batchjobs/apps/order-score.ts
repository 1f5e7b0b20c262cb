// The order score: a number from 0 to 1000 from an order's total and its number of lines, the same in SQL and here.

/** Cents per score point: 10.00 of total counts one point. */
export const CENTS_PER_POINT = 1000;
/** Points each distinct product line adds: broader baskets score higher. */
export const POINTS_PER_LINE = 25;
export const MAX_SCORE = 1000;

/** `min(1000, floor(totalCents / 1000) + 25 × lineCount)`. */
export function orderScore(totalCents: number, lineCount: number): number {
  return Math.min(MAX_SCORE, Math.floor(totalCents / CENTS_PER_POINT) + POINTS_PER_LINE * lineCount);
}

/** `orderScore` as a SQL expression over the columns `total_cents` and `line_count` (integer division). */
export const ORDER_SCORE_SQL = `least(${MAX_SCORE}, total_cents / ${CENTS_PER_POINT} + ${POINTS_PER_LINE} * line_count)`;

/**
 * The shard (0 … size−1) of the order whose id is the `id` column, as SQL with the size as parameter `$n`. A 64-bit
 * hash of the uuid's text, reduced non-negatively: the same on PostgreSQL and PGlite, independent of insertion
 * order, and spread evenly however the ids were generated. (abs() of the smallest bigint would overflow.)
 */
export function shardOfOrderSql(sizeParameter: string): string {
  return `mod(mod(hashtextextended(id::text, 0), ${sizeParameter}) + ${sizeParameter}, ${sizeParameter})`;
}
