-- Up Migration
-- The rescore-orders batch job: an AWS Batch array job whose children each score the orders of one shard.

-- The latest score of each order and the Batch job that wrote it. Upserted: a later rescore job replaces it.
CREATE TABLE order_scores (
  order_id uuid PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
  score integer NOT NULL,
  job_id text NOT NULL,
  scored_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT order_scores_score_range CHECK (score BETWEEN 0 AND 1000),
  CONSTRAINT order_scores_job_id_not_blank CHECK (btrim(job_id) <> '')
);
-- "Which orders did this job score" for checks and reports.
CREATE INDEX order_scores_job_id_idx ON order_scores (job_id);

-- One row per finished shard, written in the same transaction as its scores. The primary key makes a shard done
-- twice within one job an error, so a job whose ledger has one row per index scored each order exactly once.
CREATE TABLE rescore_shards (
  job_id text NOT NULL,
  shard_index integer NOT NULL,
  array_size integer NOT NULL,
  attempt integer NOT NULL,
  orders_scored integer NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, shard_index),
  CONSTRAINT rescore_shards_job_id_not_blank CHECK (btrim(job_id) <> ''),
  CONSTRAINT rescore_shards_index_in_array CHECK (shard_index >= 0 AND shard_index < array_size),
  CONSTRAINT rescore_shards_array_size_range CHECK (array_size BETWEEN 1 AND 10000),
  CONSTRAINT rescore_shards_attempt_range CHECK (attempt BETWEEN 1 AND 10),
  CONSTRAINT rescore_shards_orders_scored_not_negative CHECK (orders_scored >= 0)
);

-- Down Migration
DROP TABLE rescore_shards;
DROP TABLE order_scores;
