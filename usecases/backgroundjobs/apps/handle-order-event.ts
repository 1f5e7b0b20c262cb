// main-job's handler: turns one order event into its follow-up jobs on the background-jobs queue.

import type { SQSClient } from '@aws-sdk/client-sqs';
import { publishJob, type QueueJob } from '@hello-fargate/runtime/worker';
import { decideFollowUps } from './background-jobs.js';
import { parseOrderEvent } from './order-event.js';

export interface OrderEventHandlerOptions {
  /** The client follow-ups are sent with; the caller owns it. */
  readonly sqs: SQSClient;
  /** The background-jobs queue (BACKGROUND_JOBS_QUEUE_URL). */
  readonly queueUrl: string;
}

/**
 * Sends each follow-up with its deterministic `jobId` and the event's `correlationId`. When a send fails the handler
 * throws, the event is received again and every follow-up is sent again: duplicates are harmless because the
 * background-job worker does each job id once.
 */
export function createOrderEventHandler(options: OrderEventHandlerOptions): (job: QueueJob) => Promise<void> {
  return async (job) => {
    const event = parseOrderEvent(job.body);
    if (!('orderId' in event)) {
      job.logger.warn({ eventType: event.type }, `event type "${event.type}" calls for no follow-up here: skipped`);
      return;
    }
    const followUps = decideFollowUps(event);
    await Promise.all(
      followUps.map((followUp) =>
        publishJob(options.sqs, options.queueUrl, followUp.body, {
          correlationId: job.correlationId,
          jobId: followUp.jobId,
        }),
      ),
    );
    job.logger.info(
      { orderId: event.orderId, followUps: followUps.map((followUp) => followUp.jobId) },
      `order ${event.orderId}: enqueued ${followUps.map((followUp) => followUp.body.type).join(' and ')}`,
    );
  };
}
