// background-job's work: the effect of one follow-up job, written at most once per job id.

import { JOB_ID_ATTRIBUTE, type QueueJob } from '@hello-fargate/runtime/worker';
import type pg from 'pg';
import { type BackgroundJob, parseBackgroundJob } from './background-jobs.js';
import { MalformedJobError } from './malformed-job-error.js';

/** `performed`: the effect was written now; `skipped`: an earlier delivery of the same job id wrote it. */
export type JobOutcome = 'performed' | 'skipped';

/**
 * In ONE transaction: claims the job id in processed_jobs (ON CONFLICT DO NOTHING) and, only if this call inserted
 * it, writes the effect. Both commit together or not at all, so a job delivered twice — in sequence or at the same
 * time (the second insert waits for the first transaction) — has one effect. An effect that fails (e.g. an unknown
 * order) rolls the claim back too, so the job can be retried.
 */
export async function performJob(pool: pg.Pool, jobId: string, job: BackgroundJob): Promise<JobOutcome> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const claimed = await client.query(
      'INSERT INTO processed_jobs (job_id) VALUES ($1) ON CONFLICT (job_id) DO NOTHING',
      [jobId],
    );
    if (claimed.rowCount === 0) {
      await client.query('ROLLBACK');
      return 'skipped';
    }
    const written =
      job.type === 'invoice'
        ? await client.query(
            'INSERT INTO invoices (order_id, total_cents, job_id) SELECT id, total_cents, $2 FROM orders WHERE id = $1',
            [job.orderId, jobId],
          )
        : await client.query(
            `INSERT INTO notifications (order_id, customer_id, kind, job_id)
             SELECT id, customer_id, 'order-confirmation', $2 FROM orders WHERE id = $1`,
            [job.orderId, jobId],
          );
    if (written.rowCount !== 1) throw new Error(`${job.type} job ${jobId}: order ${job.orderId} does not exist`);
    await client.query('COMMIT');
    return 'performed';
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** background-job's handler: reads the job and its `jobId` attribute, performs it, logs whether it was new. */
export function createJobPerformer(pool: pg.Pool): (job: QueueJob) => Promise<void> {
  return async (job) => {
    const body = parseBackgroundJob(job.body);
    const jobId = job.attributes[JOB_ID_ATTRIBUTE];
    if (!jobId) {
      throw new MalformedJobError(
        'background-jobs',
        `no "${JOB_ID_ATTRIBUTE}" message attribute; publish jobs with a deterministic jobId such as <orderId>:<type>`,
        job.body,
      );
    }
    const outcome = await performJob(pool, jobId, body);
    job.logger.info(
      { orderId: body.orderId, jobType: body.type, outcome },
      outcome === 'performed'
        ? `${body.type} for order ${body.orderId} written`
        : `${body.type} for order ${body.orderId} was already written by an earlier delivery: skipped`,
    );
  };
}
