// The outbox relay: publishes unsent outbox rows to the order-events queue and marks them sent, at least once.

import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@hello-fargate/runtime';
import { publishJob } from '@hello-fargate/runtime/worker';
import type pg from 'pg';
import { type OrderEvent, orderEventJobId } from './order-events.js';
import { withTransaction } from './queryable.js';

export interface OutboxRelayOptions {
  readonly pool: pg.Pool;
  /** The client events are sent with; the caller owns it. */
  readonly sqs: SQSClient;
  /** The `order-events` queue (ORDER_EVENTS_QUEUE_URL). */
  readonly queueUrl: string;
  readonly logger: Logger;
  /** Milliseconds between polls when the outbox had nothing more to send. @default 200 */
  readonly intervalMs?: number;
  /** Rows claimed per transaction. @default 25 */
  readonly batchSize?: number;
}

export interface OutboxRelay {
  /** Resolves once the current pass has finished; no pass starts after. Idempotent. */
  stop(): Promise<void>;
}

interface OutboxRow {
  readonly id: string;
  readonly event_type: string;
  readonly aggregate_id: string;
  readonly payload: Record<string, unknown>;
  readonly correlation_id: string;
  readonly created_at: Date;
}

/**
 * One pass: claims up to `batchSize` unsent rows with `FOR UPDATE SKIP LOCKED` (so relays in other tasks take other
 * rows), publishes them, and stamps `sent_at` on those SQS accepted, all in one transaction. A row whose publish
 * failed stays unsent for the next pass. A crash after publishing but before commit publishes again later: delivery
 * is at least once, and consumers deduplicate by the event's deterministic `jobId`. Returns the rows sent.
 */
export async function relayOutboxBatch(
  options: Pick<OutboxRelayOptions, 'pool' | 'sqs' | 'queueUrl' | 'logger' | 'batchSize'>,
): Promise<number> {
  const { sqs, queueUrl, logger } = options;
  return withTransaction(options.pool, async (client) => {
    const { rows } = await client.query<OutboxRow>(
      `SELECT id, event_type, aggregate_id, payload, correlation_id, created_at
         FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [options.batchSize ?? 25],
    );
    if (rows.length === 0) return 0;
    const results = await Promise.allSettled(
      rows.map((row) => {
        const event = {
          ...row.payload,
          type: row.event_type,
          eventId: row.id,
          occurredAt: row.created_at.toISOString(),
        };
        return publishJob(sqs, queueUrl, event, {
          correlationId: row.correlation_id,
          jobId: orderEventJobId(event as OrderEvent),
        });
      }),
    );
    const sent = rows.filter((_, i) => results[i]?.status === 'fulfilled').map((row) => row.id);
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        const row = rows[i] as OutboxRow;
        logger.error(
          { err: result.reason, outboxId: row.id, correlationId: row.correlation_id },
          `publishing outbox event ${row.id} (${row.event_type} ${row.aggregate_id}) failed: ${(result.reason as Error)?.message}; it stays unsent and is retried on the next pass`,
        );
      }
    });
    if (sent.length > 0) await client.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])', [sent]);
    return sent.length;
  });
}

/** Polls the outbox every `intervalMs` (at once again after a full batch) until `stop()`. */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const intervalMs = options.intervalMs ?? 200;
  const batchSize = options.batchSize ?? 25;
  const { logger } = options;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!stopping) {
      let sent = 0;
      try {
        sent = await relayOutboxBatch({ ...options, batchSize });
        if (sent > 0) logger.debug({ sent }, `relayed ${sent} outbox event(s)`);
        failures = 0;
      } catch (error) {
        failures += 1;
        // The database is unreachable or the transaction failed: nothing was marked sent, so nothing is lost.
        logger.error({ err: error, failures }, `outbox relay pass failed: ${(error as Error).message}; retrying`);
      }
      if (sent >= batchSize || stopping) continue;
      const pause = failures === 0 ? intervalMs : Math.min(10_000, intervalMs * 2 ** failures);
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, pause);
      });
    }
  };

  logger.info({ queueUrl: options.queueUrl, intervalMs, batchSize }, `outbox relay publishing to ${options.queueUrl}`);
  const running = loop();
  return {
    async stop() {
      stopping = true;
      clearTimeout(timer);
      wake?.();
      await running;
    },
  };
}
