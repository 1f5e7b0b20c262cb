// The extract step: copies the report day's orders into staging, keyed by the workflow execution id.

import type pg from 'pg';
import { inTransaction } from './in-transaction.js';

export interface ExtractOptions {
  /** The workflow execution this extract belongs to; the later steps find the staged rows by it. */
  readonly executionId: string;
  /** The day, `YYYY-MM-DD`. */
  readonly reportDate: string;
  /** The zone whose midnights bound the day, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** Extract runs (and their staged orders) older than this are deleted by each run. @default 7 */
  readonly retentionDays?: number;
}

export interface ExtractResult {
  readonly executionId: string;
  readonly reportDate: string;
  readonly timeZone: string;
  /** Orders staged: not cancelled, created within the day. */
  readonly orderCount: number;
}

/**
 * In one transaction: deletes what an earlier attempt of this execution staged (Step Functions retries steps) and
 * runs older than `retentionDays`, then stages every order created from the day's midnight to the next in `timeZone`
 * (23 or 25 hours on a DST change) that is not cancelled. Re-running it replaces its rows.
 */
export async function extractOrders(pool: pg.Pool, options: ExtractOptions): Promise<ExtractResult> {
  const retentionDays = options.retentionDays ?? 7;
  const { executionId, reportDate, timeZone } = options;
  return inTransaction(pool, async (client) => {
    await client.query(
      `DELETE FROM sales_report_extracts
       WHERE execution_id = $1 OR extracted_at < now() - make_interval(days => $2)`,
      [executionId, retentionDays],
    );
    await client.query(
      `INSERT INTO sales_report_extracts (execution_id, report_date, time_zone, order_count) VALUES ($1, $2, $3, 0)`,
      [executionId, reportDate, timeZone],
    );
    const staged = await client.query(
      `INSERT INTO sales_report_staged_orders (execution_id, order_id, total_cents, created_at)
       SELECT $1, id, total_cents, created_at FROM orders
       WHERE status <> 'cancelled'
         AND created_at >= ($2::date)::timestamp AT TIME ZONE $3
         AND created_at < ($2::date + 1)::timestamp AT TIME ZONE $3`,
      [executionId, reportDate, timeZone],
    );
    const orderCount = staged.rowCount ?? 0;
    await client.query('UPDATE sales_report_extracts SET order_count = $2 WHERE execution_id = $1', [
      executionId,
      orderCount,
    ]);
    return { executionId, reportDate, timeZone, orderCount };
  });
}
