// What a queue worker's handler receives for one SQS message, and how a message becomes one.

import type { Message } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { ulid } from 'ulid';

/** Message attribute carrying the id that follows one flow across services. */
export const CORRELATION_ID_ATTRIBUTE = 'correlationId';
/** Message attribute carrying the producer's id for the job (a ULID from `publishJob`). */
export const JOB_ID_ATTRIBUTE = 'jobId';

export interface QueueJob<Body = unknown> {
  /** The SQS message id. */
  readonly id: string;
  /** The message body parsed as JSON; not validated, so check its shape in the handler. */
  readonly body: Body;
  /** The message's String and Number message attributes (Binary ones are left out). */
  readonly attributes: Readonly<Record<string, string>>;
  /** How many times SQS has handed out this message, this receive included (ApproximateReceiveCount). */
  readonly receiveCount: number;
  /** The `correlationId` message attribute, or a new ULID when the message has none. */
  readonly correlationId: string;
  /** Logs with `jobId` and `correlationId` on every line. */
  readonly logger: Logger;
  /** Aborted when the worker's stop timeout ends before the handler does: the message has been released. */
  readonly signal: AbortSignal;
}

/** A message as read before its handler runs: the body may not have parsed. */
export type ReadMessage =
  | { readonly ok: true; readonly job: QueueJob }
  | {
      readonly ok: false;
      readonly id: string;
      readonly receiveCount: number;
      readonly logger: Logger;
      readonly error: Error;
    };

/** Reads a received message into a job, with a child logger; a body that is not JSON gives `ok: false`. */
export function readMessage(message: Message, logger: Logger, signal: AbortSignal): ReadMessage {
  const id = message.MessageId ?? '(no message id)';
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (typeof value.StringValue === 'string') attributes[name] = value.StringValue;
  }
  const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1') || 1;
  const correlationId = attributes[CORRELATION_ID_ATTRIBUTE] || ulid();
  // The producer's jobId (publishJob) is what it logged, so it is the jobId here too; else the message id.
  const jobId = attributes[JOB_ID_ATTRIBUTE] || id;
  const child = logger.child(jobId === id ? { jobId, correlationId } : { jobId, messageId: id, correlationId });
  let body: unknown;
  try {
    body = JSON.parse(message.Body ?? '');
  } catch (error) {
    return { ok: false, id, receiveCount, logger: child, error: error as Error };
  }
  return { ok: true, job: { id, body, attributes, receiveCount, correlationId, logger: child, signal } };
}
