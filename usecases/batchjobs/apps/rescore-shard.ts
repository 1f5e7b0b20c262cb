// One array child's work: score every order of its shard and record the shard in the ledger, in one transaction.

import { type BatchArrayChild, TaskFailure } from '@hello-fargate/runtime';
import type pg from 'pg';
import { PERMANENT_FAILURE_EXIT_CODE } from './exit-codes.js';
import { ORDER_SCORE_SQL, shardOfOrderSql } from './order-score.js';

/** `scored`: this call scored the shard. `already-done`: an earlier attempt of the same job had committed it. */
export type RescoreOutcome = 'scored' | 'already-done';

export interface RescoreResult {
  readonly outcome: RescoreOutcome;
  /** Orders of the shard this call scored (0 when already done). */
  readonly ordersScored: number;
}

/** The shard is in the ledger already, for this attempt or a later one: the job ran a shard twice. */
export class ShardAlreadyDoneError extends TaskFailure {
  constructor(shard: BatchArrayChild, recorded: { attempt: number; finishedAt: Date }) {
    super(
      `shard ${shard.index} of job ${shard.parentJobId} was already scored by attempt ${recorded.attempt} at ${recorded.finishedAt.toISOString()}; this run (attempt ${shard.attempt}) changed nothing. Two containers ran the same shard: check how the job was submitted`,
      PERMANENT_FAILURE_EXIT_CODE,
    );
  }
}

/**
 * In ONE transaction: upserts the score of every order whose shard is `shard.index` (see `shardOfOrderSql`) with the
 * parent job id, then inserts the ledger row (job id, index). The ledger's primary key lets only one transaction per
 * shard commit, so each order is scored once per job however children are retried or duplicated. When the row exists
 * the transaction is rolled back: from an earlier attempt (it committed, then its container died before exiting) the
 * outcome is `already-done`; otherwise a ShardAlreadyDoneError.
 */
export async function rescoreShard(pool: pg.Pool, shard: BatchArrayChild): Promise<RescoreResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      const scored = await client.query(
        `WITH shard AS (
           SELECT o.id, o.total_cents, count(l.product_id) AS line_count
           FROM (SELECT id, total_cents FROM orders WHERE ${shardOfOrderSql('$2::bigint')} = $1) o
           LEFT JOIN order_lines l ON l.order_id = o.id
           GROUP BY o.id, o.total_cents
         )
         INSERT INTO order_scores (order_id, score, job_id, scored_at)
         SELECT id, ${ORDER_SCORE_SQL}, $3, now() FROM shard
         ON CONFLICT (order_id) DO UPDATE
           SET score = EXCLUDED.score, job_id = EXCLUDED.job_id, scored_at = EXCLUDED.scored_at`,
        [shard.index, shard.size, shard.parentJobId],
      );
      const ordersScored = scored.rowCount ?? 0;
      await client.query(
        `INSERT INTO rescore_shards (job_id, shard_index, array_size, attempt, orders_scored)
         VALUES ($1, $2, $3, $4, $5)`,
        [shard.parentJobId, shard.index, shard.size, shard.attempt, ordersScored],
      );
      await client.query('COMMIT');
      return { outcome: 'scored', ordersScored };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((error as { code?: string }).code !== '23505') throw error;
      const recorded = await client.query<{ attempt: number; finished_at: Date }>(
        'SELECT attempt, finished_at FROM rescore_shards WHERE job_id = $1 AND shard_index = $2',
        [shard.parentJobId, shard.index],
      );
      const row = recorded.rows[0];
      if (!row) throw error;
      if (row.attempt < shard.attempt) return { outcome: 'already-done', ordersScored: 0 };
      throw new ShardAlreadyDoneError(shard, { attempt: row.attempt, finishedAt: row.finished_at });
    }
  } finally {
    client.release();
  }
}
