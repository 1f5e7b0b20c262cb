// The aggregate step: turns one execution's staged orders into the day's daily_sales_reports row.

import { TaskFailure } from '@hello-fargate/runtime';
import type pg from 'pg';
import { type DailySalesReport, REPORT_COLUMNS, type ReportRow, toReport } from './daily-sales-report.js';
import { inTransaction } from './in-transaction.js';

/**
 * Upserts the report of the day `executionId` extracted: order count, total, and per-product quantities and totals
 * from the staged orders' lines. Running it again gives the same row. A report of the same day by another execution
 * is replaced, and its publication is reset so the new figures are published too. A TaskFailure when this execution
 * has extracted nothing.
 */
export async function aggregateReport(pool: pg.Pool, executionId: string): Promise<DailySalesReport> {
  return inTransaction(pool, async (client) => {
    const extract = await client.query<{ report_date: string; time_zone: string }>(
      'SELECT report_date::text AS report_date, time_zone FROM sales_report_extracts WHERE execution_id = $1',
      [executionId],
    );
    const day = extract.rows[0];
    if (!day) {
      throw new TaskFailure(
        `execution ${executionId} has extracted nothing to aggregate; run the extract step of the same execution first (staged runs are kept 7 days)`,
      );
    }
    const { rows } = await client.query<ReportRow>(
      `WITH staged AS (
         SELECT order_id, total_cents FROM sales_report_staged_orders WHERE execution_id = $1
       ), products_sold AS (
         SELECT l.product_id, sum(l.quantity) AS quantity, sum(l.line_total_cents) AS total_cents
         FROM staged s JOIN order_lines l ON l.order_id = s.order_id
         GROUP BY l.product_id
       )
       INSERT INTO daily_sales_reports (report_date, execution_id, time_zone, order_count, total_cents, product_totals)
       SELECT $2::date, $1, $3,
         (SELECT count(*) FROM staged),
         (SELECT coalesce(sum(total_cents), 0) FROM staged),
         (SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'productId', p.id, 'sku', p.sku, 'name', p.name,
                   'quantity', ps.quantity, 'totalCents', ps.total_cents) ORDER BY p.sku), '[]'::jsonb)
          FROM products_sold ps JOIN products p ON p.id = ps.product_id)
       ON CONFLICT (report_date) DO UPDATE SET
         execution_id = EXCLUDED.execution_id,
         time_zone = EXCLUDED.time_zone,
         order_count = EXCLUDED.order_count,
         total_cents = EXCLUDED.total_cents,
         product_totals = EXCLUDED.product_totals,
         created_at = now(),
         published_at = CASE WHEN daily_sales_reports.execution_id = EXCLUDED.execution_id
                             THEN daily_sales_reports.published_at END,
         published_message_id = CASE WHEN daily_sales_reports.execution_id = EXCLUDED.execution_id
                                     THEN daily_sales_reports.published_message_id END
       RETURNING ${REPORT_COLUMNS}`,
      [executionId, day.report_date, day.time_zone],
    );
    return toReport(rows[0] as ReportRow);
  });
}
