-- Up Migration
-- The nightly daily-sales-report workflow runs three steps as separate tasks (extract, aggregate, publish) that
-- Step Functions may retry. Each step keys its work by the workflow execution id, so a retried step replaces what
-- its earlier attempt wrote instead of adding to it.

-- One row per extract run: the day and zone it covered, so the later steps read them from here and never recompute
-- "yesterday" at a different moment. Re-running extract deletes the row, and with it the staged orders (cascade).
CREATE TABLE sales_report_extracts (
  execution_id text PRIMARY KEY,
  report_date date NOT NULL,
  time_zone text NOT NULL,
  order_count integer NOT NULL,
  extracted_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sales_report_extracts_execution_id_not_blank CHECK (btrim(execution_id) <> ''),
  CONSTRAINT sales_report_extracts_order_count_not_negative CHECK (order_count >= 0)
);
-- Extract prunes runs older than a week with this.
CREATE INDEX sales_report_extracts_extracted_at_idx ON sales_report_extracts (extracted_at);

-- The orders of the report day as extract saw them (not cancelled, created within the day in the report's zone).
CREATE TABLE sales_report_staged_orders (
  execution_id text NOT NULL REFERENCES sales_report_extracts (execution_id) ON DELETE CASCADE,
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  total_cents integer NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (execution_id, order_id),
  CONSTRAINT sales_report_staged_orders_total_cents_not_negative CHECK (total_cents >= 0)
);

-- One report per day: a later execution for the same day (a re-run after corrections) replaces it and must be
-- published again. total_cents is bigint: a day's sum can pass the 2^31 an order's integer total stays under.
CREATE TABLE daily_sales_reports (
  report_date date PRIMARY KEY,
  execution_id text NOT NULL,
  time_zone text NOT NULL,
  order_count integer NOT NULL,
  total_cents bigint NOT NULL,
  -- [{ productId, sku, name, quantity, totalCents }, …] ordered by sku.
  product_totals jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  published_message_id text,
  CONSTRAINT daily_sales_reports_order_count_not_negative CHECK (order_count >= 0),
  CONSTRAINT daily_sales_reports_total_cents_not_negative CHECK (total_cents >= 0),
  CONSTRAINT daily_sales_reports_product_totals_array CHECK (jsonb_typeof(product_totals) = 'array'),
  CONSTRAINT daily_sales_reports_published_with_message CHECK ((published_at IS NULL) = (published_message_id IS NULL))
);

-- order-stats: one row per `run` (every 15 minutes when scheduled); `serve` answers with the newest.
CREATE TABLE order_stats_snapshots (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  taken_at timestamptz NOT NULL DEFAULT now(),
  -- { "pending": 3, "confirmed": 1, … }: every status, 0 included, so readers need no list of their own.
  orders_by_status jsonb NOT NULL,
  orders_last_24h integer NOT NULL,
  revenue_last_24h_cents bigint NOT NULL,
  CONSTRAINT order_stats_snapshots_orders_by_status_object CHECK (jsonb_typeof(orders_by_status) = 'object'),
  CONSTRAINT order_stats_snapshots_orders_last_24h_not_negative CHECK (orders_last_24h >= 0),
  CONSTRAINT order_stats_snapshots_revenue_not_negative CHECK (revenue_last_24h_cents >= 0)
);
CREATE INDEX order_stats_snapshots_taken_at_idx ON order_stats_snapshots (taken_at DESC);

-- Down Migration
DROP TABLE order_stats_snapshots;
DROP TABLE daily_sales_reports;
DROP TABLE sales_report_staged_orders;
DROP TABLE sales_report_extracts;
