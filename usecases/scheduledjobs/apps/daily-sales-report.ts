// The daily_sales_reports row as the steps read it.

/** One product's sales on the report day. */
export interface ProductTotal {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly totalCents: number;
}

export interface DailySalesReport {
  /** `YYYY-MM-DD` */
  readonly reportDate: string;
  readonly executionId: string;
  readonly timeZone: string;
  readonly orderCount: number;
  readonly totalCents: number;
  /** Ordered by sku. */
  readonly productTotals: readonly ProductTotal[];
  readonly createdAt: Date;
  readonly publishedAt: Date | null;
  readonly publishedMessageId: string | null;
}

/** Columns to select for `toReport`: the date as text (pg would make it a local-time Date) and counts as numbers. */
export const REPORT_COLUMNS = `report_date::text AS report_date, execution_id, time_zone, order_count,
  total_cents::text AS total_cents, product_totals, created_at, published_at, published_message_id`;

export interface ReportRow {
  report_date: string;
  execution_id: string;
  time_zone: string;
  order_count: number;
  total_cents: string;
  product_totals: ProductTotal[];
  created_at: Date;
  published_at: Date | null;
  published_message_id: string | null;
}

export function toReport(row: ReportRow): DailySalesReport {
  return {
    reportDate: row.report_date,
    executionId: row.execution_id,
    timeZone: row.time_zone,
    orderCount: row.order_count,
    totalCents: Number(row.total_cents),
    productTotals: row.product_totals,
    createdAt: row.created_at,
    publishedAt: row.published_at,
    publishedMessageId: row.published_message_id,
  };
}
