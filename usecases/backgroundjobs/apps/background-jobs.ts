// The follow-up jobs an order event causes, their deterministic ids, and reading them back from the queue.

import type { OrderCreatedEvent } from './order-event.js';
import { isRecord, isUuid, MalformedJobError } from './malformed-job-error.js';

export const JOB_TYPES = ['invoice', 'notification'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** The body of a message on the background-jobs queue. */
export interface BackgroundJob {
  readonly type: JobType;
  readonly orderId: string;
  readonly customerId: string;
}

export interface FollowUp {
  /**
   * `<orderId>:<type>`: the same for every delivery and re-publish of the event, so the worker recognises a job it
   * has done (processed_jobs) whatever path brought it twice.
   */
  readonly jobId: string;
  readonly body: BackgroundJob;
}

/** The job id of one kind of follow-up for one order. */
export function followUpJobId(orderId: string, type: JobType): string {
  return `${orderId}:${type}`;
}

/** What an order event calls for: an invoice and a confirmation notification for a new order. */
export function decideFollowUps(event: OrderCreatedEvent): FollowUp[] {
  return JOB_TYPES.map((type) => ({
    jobId: followUpJobId(event.orderId, type),
    body: { type, orderId: event.orderId, customerId: event.customerId },
  }));
}

/** The job in the body; a MalformedJobError saying which field is wrong. */
export function parseBackgroundJob(body: unknown): BackgroundJob {
  const fail = (problem: string): never => {
    throw new MalformedJobError('background-jobs', problem, body);
  };
  if (!isRecord(body)) return fail(`expected a JSON object, got ${JSON.stringify(body)}`);
  if (!JOB_TYPES.includes(body.type as JobType)) {
    fail(`"type" must be one of ${JOB_TYPES.join(', ')}, got ${JSON.stringify(body.type)}`);
  }
  if (!isUuid(body.orderId)) fail(`"orderId" must be a UUID, got ${JSON.stringify(body.orderId)}`);
  if (!isUuid(body.customerId)) fail(`"customerId" must be a UUID, got ${JSON.stringify(body.customerId)}`);
  return { type: body.type as JobType, orderId: body.orderId as string, customerId: body.customerId as string };
}
