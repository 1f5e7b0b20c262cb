// Dead-letter redrive: StartMessageMoveTask and ListMessageMoveTasks, moving a DLQ's messages back as new messages.

import { randomUUID } from 'node:crypto';
import type { JournalRecord, StoredMessage } from './journal.js';
import { parseRedrivePolicy } from './queue-attributes.js';
import { queueFromArn, type OperationContext } from './operations.js';
import { invalidParameter, missingParameter, SqsError } from './sqs-error.js';

/** A finished move task. Tasks run to completion at once and are kept in memory only (not journaled). */
export interface MoveTask {
  readonly TaskHandle: string;
  readonly Status: 'COMPLETED';
  readonly SourceArn: string;
  readonly DestinationArn?: string;
  readonly ApproximateNumberOfMessagesMoved: number;
  readonly ApproximateNumberOfMessagesToMove: number;
  readonly StartedTimestamp: number;
}

/**
 * Moves every visible message of the DLQ `SourceArn` to `DestinationArn`, or else to the queue it was dead-lettered
 * from. As in SQS, a redriven message is a new message: new id, sent time, receive count and retention.
 */
export async function startMoveTask(input: Record<string, unknown>, ctx: OperationContext): Promise<unknown> {
  const sourceArn = input.SourceArn;
  if (typeof sourceArn !== 'string') throw missingParameter('SourceArn');
  const source = queueFromArn(ctx, sourceArn);
  if (!source) throw new SqsError('ResourceNotFoundException', `The resource ${sourceArn} does not exist.`);
  const destinationArn = typeof input.DestinationArn === 'string' ? input.DestinationArn : undefined;
  const destination = destinationArn ? queueFromArn(ctx, destinationArn) : undefined;
  if (destinationArn && !destination) {
    throw new SqsError('ResourceNotFoundException', `The resource ${destinationArn} does not exist.`);
  }
  const isDlq = [...ctx.store.queues.values()].some(
    (q) => parseRedrivePolicy(q.attributes.RedrivePolicy)?.deadLetterTargetArn === sourceArn,
  );
  if (!isDlq) throw invalidParameter(`Source queue ${source.name} must be configured as a dead-letter queue.`);
  const now = ctx.now();
  const records: JournalRecord[] = [];
  let moved = 0;
  for (const message of source.messages.values()) {
    if (message.visibleAt > now) continue;
    const target =
      destination ?? (message.deadLetterSourceArn ? queueFromArn(ctx, message.deadLetterSourceArn) : undefined);
    if (!target) continue;
    const fresh: StoredMessage = {
      id: randomUUID(),
      body: message.body,
      attributes: message.attributes,
      systemAttributes: message.systemAttributes,
      sentAt: now,
      visibleAt: now,
      receiveCount: 0,
    };
    records.push(
      { op: 'delete', queue: source.name, id: message.id },
      { op: 'put', queue: target.name, message: fresh },
    );
    moved++;
  }
  await ctx.store.commit(records);
  const task: MoveTask = {
    TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn }), 'utf8').toString('base64'),
    Status: 'COMPLETED',
    SourceArn: sourceArn,
    ...(destinationArn ? { DestinationArn: destinationArn } : {}),
    ApproximateNumberOfMessagesMoved: moved,
    ApproximateNumberOfMessagesToMove: moved,
    StartedTimestamp: now,
  };
  ctx.moveTasks.unshift(task);
  return { TaskHandle: task.TaskHandle };
}

/** The most recent move tasks of `SourceArn`, newest first. */
export async function listMoveTasks(input: Record<string, unknown>, ctx: OperationContext): Promise<unknown> {
  const sourceArn = input.SourceArn;
  if (typeof sourceArn !== 'string') throw missingParameter('SourceArn');
  if (!queueFromArn(ctx, sourceArn))
    throw new SqsError('ResourceNotFoundException', `The resource ${sourceArn} does not exist.`);
  const max = Number(input.MaxResults ?? 1);
  return { Results: ctx.moveTasks.filter((t) => t.SourceArn === sourceArn).slice(0, max) };
}
