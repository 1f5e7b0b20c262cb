// Queue attributes: SQS's defaults, the ranges SetQueueAttributes accepts, and the computed ones GetQueueAttributes adds.

import type { QueueState } from './queue-store.js';
import { invalidAttributeValue, SqsError } from './sqs-error.js';

export const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  VisibilityTimeout: '30',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
  MaximumMessageSize: '1048576',
};

const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  VisibilityTimeout: [0, 43_200],
  MessageRetentionPeriod: [60, 1_209_600],
  DelaySeconds: [0, 900],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  MaximumMessageSize: [1024, 1_048_576],
};

const SETTABLE = new Set([
  ...Object.keys(RANGES),
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** Checks attributes for CreateQueue/SetQueueAttributes; the error names the attribute and the allowed range. */
export function validateAttributes(attributes: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    if (name === 'FifoQueue' || name === 'ContentBasedDeduplication') {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}: FIFO queues are not supported locally.`);
    }
    if (!SETTABLE.has(name)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    const value = String(raw);
    const range = RANGES[name];
    if (range) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < range[0] || n > range[1]) {
        throw invalidAttributeValue(
          `Invalid value for the parameter ${name}: ${value} (allowed ${range[0]}–${range[1]}).`,
        );
      }
    }
    if (name === 'RedrivePolicy' && value !== '') parseRedrivePolicy(value);
    result[name] = value;
  }
  return result;
}

/** The queue's RedrivePolicy, or undefined when it has none. */
export function parseRedrivePolicy(value: string | undefined): RedrivePolicy | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    parsed = JSON.parse(value) as typeof parsed;
  } catch {
    throw invalidAttributeValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: Invalid JSON.`);
  }
  const count = Number(parsed.maxReceiveCount);
  if (typeof parsed.deadLetterTargetArn !== 'string' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidAttributeValue(
      `Value ${value} for parameter RedrivePolicy is invalid. Reason: needs deadLetterTargetArn and maxReceiveCount 1–1000.`,
    );
  }
  return { deadLetterTargetArn: parsed.deadLetterTargetArn, maxReceiveCount: count };
}

export function numberAttribute(queue: QueueState, name: string): number {
  return Number(queue.attributes[name] ?? DEFAULT_ATTRIBUTES[name] ?? 0);
}

/** Counts of visible, in-flight (received, invisible) and delayed (never received, not yet visible) messages. */
export function countMessages(queue: QueueState, now: number): { visible: number; inFlight: number; delayed: number } {
  let visible = 0;
  let inFlight = 0;
  let delayed = 0;
  const retentionMs = numberAttribute(queue, 'MessageRetentionPeriod') * 1000;
  for (const message of queue.messages.values()) {
    if (message.sentAt + retentionMs <= now) continue;
    if (message.visibleAt <= now) visible++;
    else if (message.receiveCount > 0) inFlight++;
    else delayed++;
  }
  return { visible, inFlight, delayed };
}

/** All attributes of a queue, stored and computed, as GetQueueAttributes returns them. */
export function allAttributes(queue: QueueState, arn: string, now: number): Record<string, string> {
  const counts = countMessages(queue, now);
  return {
    QueueArn: arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.created / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.modified / 1000)),
    SqsManagedSseEnabled: 'false',
    ...DEFAULT_ATTRIBUTES,
    ...queue.attributes,
  };
}
