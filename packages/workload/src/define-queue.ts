// defineQueue: a queue of the system, with its dead-letter queue, declared once for SQS in AWS and the local endpoint.

import { DeclarationError } from './declaration-error.js';

export interface QueueProps {
  /** Letters, digits, `-` and `_`, at most 76 characters (room for the `-dlq` suffix within SQS's 80). */
  readonly name: string;
  /** Seconds a received message stays invisible to other consumers (SQS: 0–43200). @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** Seconds a message is kept (SQS: 60–1209600). @default 345600 (4 days) */
  readonly retentionSeconds?: number;
  /** Seconds new messages stay invisible (SQS: 0–900). @default 0 */
  readonly delaySeconds?: number;
  /** Long-poll wait for receives (SQS: 0–20). @default 20 */
  readonly receiveWaitTimeSeconds?: number;
  /** Receives after which a message moves to the DLQ (SQS: 1–1000). @default 3 */
  readonly maxReceiveCount?: number;
  /** Seconds messages are kept in the DLQ (SQS: 60–1209600). @default 1209600 (14 days, the most SQS allows) */
  readonly dlqRetentionSeconds?: number;
}

export interface Queue {
  readonly name: string;
  /** Its dead-letter queue's name: `<name>-dlq`. */
  readonly dlqName: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly delaySeconds: number;
  readonly receiveWaitTimeSeconds: number;
  readonly maxReceiveCount: number;
  readonly dlqRetentionSeconds: number;
}

/** Declares a queue; a DeclarationError naming the queue and field for anything outside SQS's limits. */
export function defineQueue(props: QueueProps): Queue {
  const label = typeof props?.name === 'string' && props.name !== '' ? `queue ${props.name}` : 'queue (unnamed)';
  const fail = (field: string, problem: string): never => {
    throw new DeclarationError(label, field, problem);
  };
  if (typeof props.name !== 'string' || !/^[A-Za-z0-9_-]{1,76}$/.test(props.name)) {
    fail('name', 'must be 1–76 letters, digits, "-" or "_"');
  }
  const resolved: Queue = {
    name: props.name,
    dlqName: `${props.name}-dlq`,
    visibilityTimeoutSeconds: props.visibilityTimeoutSeconds ?? 30,
    retentionSeconds: props.retentionSeconds ?? 345_600,
    delaySeconds: props.delaySeconds ?? 0,
    receiveWaitTimeSeconds: props.receiveWaitTimeSeconds ?? 20,
    maxReceiveCount: props.maxReceiveCount ?? 3,
    dlqRetentionSeconds: props.dlqRetentionSeconds ?? 1_209_600,
  };
  const ranges: [keyof Queue, number, number][] = [
    ['visibilityTimeoutSeconds', 0, 43_200],
    ['retentionSeconds', 60, 1_209_600],
    ['delaySeconds', 0, 900],
    ['receiveWaitTimeSeconds', 0, 20],
    ['maxReceiveCount', 1, 1000],
    ['dlqRetentionSeconds', 60, 1_209_600],
  ];
  for (const [field, min, max] of ranges) {
    const value = resolved[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(field, `${String(value)} is out of range; SQS allows ${min} to ${max}`);
    }
  }
  return Object.freeze(resolved);
}

/** Name of the variable holding a queue's URL: `trigger-jobs` → `TRIGGER_JOBS_QUEUE_URL`. */
export function queueUrlVariable(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_QUEUE_URL`;
}
