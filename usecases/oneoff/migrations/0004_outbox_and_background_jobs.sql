-- Up Migration
-- The transactional outbox: the backend inserts one row per domain event in the same transaction as the change, and
-- a relay publishes unsent rows to SQS and stamps sent_at. A crash between commit and publish leaves the row unsent,
-- so it is published later (at least once); consumers deduplicate by their deterministic job ids.
CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_type text NOT NULL,
  aggregate_id uuid NOT NULL,
  payload jsonb NOT NULL,
  correlation_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  CONSTRAINT outbox_event_type_not_blank CHECK (btrim(event_type) <> '')
);

-- The relay only ever reads unsent rows, oldest first; the partial index stays small as rows are sent.
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;

-- One row per background job whose effect has been written: inserted in the same transaction as the effect, so a job
-- delivered twice finds its row and skips.
CREATE TABLE processed_jobs (
  job_id text PRIMARY KEY,
  processed_at timestamptz NOT NULL DEFAULT now()
);

-- Effects of background jobs. Not unique per order on purpose: processed_jobs is the one guard against doing a job
-- twice, and tests count rows here to prove it.
CREATE TABLE invoices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL REFERENCES orders (id),
  total_cents integer NOT NULL,
  job_id text NOT NULL REFERENCES processed_jobs (job_id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT invoices_total_cents_not_negative CHECK (total_cents >= 0)
);
CREATE INDEX invoices_order_id_idx ON invoices (order_id);

CREATE TABLE notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL REFERENCES orders (id),
  customer_id uuid NOT NULL REFERENCES customers (id),
  kind text NOT NULL,
  job_id text NOT NULL REFERENCES processed_jobs (job_id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notifications_kind_not_blank CHECK (btrim(kind) <> '')
);
CREATE INDEX notifications_order_id_idx ON notifications (order_id);

-- Down Migration
DROP TABLE notifications;
DROP TABLE invoices;
DROP TABLE processed_jobs;
DROP TABLE outbox;
