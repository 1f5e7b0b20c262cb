// The SQS operations: each takes the JSON request body and returns the JSON response, or throws an SqsError.

import { randomUUID } from 'node:crypto';
import type { JournalRecord, StoredMessage } from './journal.js';
import {
  allAttributes,
  numberAttribute,
  parseRedrivePolicy,
  validateAttributes,
  DEFAULT_ATTRIBUTES,
} from './queue-attributes.js';
import type { QueueState, QueueStore } from './queue-store.js';
import { md5OfBody, md5OfMessageAttributes, messageSize, type MessageAttributeValue } from './message-md5.js';
import {
  checkBatchEntries,
  invalidParameter,
  missingParameter,
  queueDoesNotExist,
  receiptHandleIsInvalid,
  SqsError,
} from './sqs-error.js';
import { startMoveTask, listMoveTasks, type MoveTask } from './message-move.js';

export interface OperationContext {
  readonly store: QueueStore;
  readonly region: string;
  readonly accountId: string;
  /** The endpoint's origin, e.g. `http://127.0.0.1:9324`. */
  readonly origin: () => string;
  readonly now: () => number;
  readonly moveTasks: MoveTask[];
}

/** Tells a long poll its caller has gone, so it takes no messages for nobody. */
export interface RequestSignal {
  readonly aborted: boolean;
}

type Input = Record<string, unknown>;
type Operation = (input: Input, ctx: OperationContext, signal: RequestSignal) => Promise<unknown>;

export const queueArn = (ctx: OperationContext, name: string): string =>
  `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;
export const queueUrl = (ctx: OperationContext, name: string): string => `${ctx.origin()}/${ctx.accountId}/${name}`;

/** The queue a QueueUrl names (its last path segment), or QueueDoesNotExist. */
export function queueFromUrl(ctx: OperationContext, url: unknown): QueueState {
  if (typeof url !== 'string' || url === '') throw missingParameter('QueueUrl');
  const name = url.replace(/\/+$/, '').split('/').pop() ?? '';
  const queue = ctx.store.queues.get(name);
  if (!queue) throw queueDoesNotExist(name);
  return queue;
}

export function queueFromArn(ctx: OperationContext, arn: string): QueueState | undefined {
  const name = arn.split(':').pop() ?? '';
  return arn.startsWith('arn:') ? ctx.store.queues.get(name) : undefined;
}

function integer(input: Input, name: string, min: number, max: number, fallback: number): number {
  const raw = input[name];
  if (raw === undefined || raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalidParameter(`Value ${String(raw)} for parameter ${name} is invalid. Reason: must be ${min}–${max}.`);
  }
  return n;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

// Receipt handles carry the queue, the message and a fresh nonce per receive.
const encodeHandle = (queue: string, id: string): string =>
  Buffer.from(`${queue}\n${id}\n${randomUUID()}`, 'utf8').toString('base64url');

function decodeHandle(queue: QueueState, handle: unknown): { id: string; handle: string } {
  if (typeof handle !== 'string' || handle === '') throw missingParameter('ReceiptHandle');
  const parts = Buffer.from(handle, 'base64url').toString('utf8').split('\n');
  if (parts.length !== 3 || parts[0] !== queue.name) throw receiptHandleIsInvalid(handle);
  return { id: parts[1] as string, handle };
}

const VALID_BODY = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

function validateMessageAttributes(raw: unknown): Record<string, MessageAttributeValue> {
  if (raw === undefined || raw === null) return {};
  const result: Record<string, MessageAttributeValue> = {};
  const entries = Object.entries(raw as Record<string, MessageAttributeValue>);
  if (entries.length > 10) throw invalidParameter('Number of message attributes [' + entries.length + '] exceeds 10.');
  for (const [name, value] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith('AWS.') || name.startsWith('Amazon.')) {
      throw invalidParameter(`Message attribute name '${name}' is invalid.`);
    }
    const type = value?.DataType;
    if (typeof type !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(type)) {
      throw invalidParameter(`The message attribute '${name}' has an invalid message attribute type.`);
    }
    if (type.startsWith('Binary') ? typeof value.BinaryValue !== 'string' : typeof value.StringValue !== 'string') {
      throw invalidParameter(`The message attribute '${name}' must contain a non-empty value of type '${type}'.`);
    }
    result[name] = type.startsWith('Binary')
      ? { DataType: type, BinaryValue: value.BinaryValue as string }
      : { DataType: type, StringValue: value.StringValue as string };
  }
  return result;
}

/** Validates one message for SendMessage/SendMessageBatch and builds what is stored and what is answered. */
function prepareMessage(
  queue: QueueState,
  entry: Input,
  now: number,
): { message: StoredMessage; result: Record<string, string> } {
  const body = entry.MessageBody;
  if (typeof body !== 'string' || body === '') throw missingParameter('MessageBody');
  if (!VALID_BODY.test(body)) {
    throw new SqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  const attributes = validateMessageAttributes(entry.MessageAttributes);
  const systemAttributes = validateMessageAttributes(entry.MessageSystemAttributes);
  const limit = numberAttribute(queue, 'MaximumMessageSize');
  const size = messageSize(body, attributes);
  if (size > limit) {
    throw invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes (this one is ${size}, queue ${queue.name}).`,
    );
  }
  const delay = integer(entry, 'DelaySeconds', 0, 900, numberAttribute(queue, 'DelaySeconds'));
  const message: StoredMessage = {
    id: randomUUID(),
    body,
    attributes,
    systemAttributes,
    sentAt: now,
    visibleAt: now + delay * 1000,
    receiveCount: 0,
  };
  const result: Record<string, string> = { MessageId: message.id, MD5OfMessageBody: md5OfBody(body) };
  if (Object.keys(attributes).length > 0) result.MD5OfMessageAttributes = md5OfMessageAttributes(attributes);
  if (Object.keys(systemAttributes).length > 0) {
    result.MD5OfMessageSystemAttributes = md5OfMessageAttributes(systemAttributes);
  }
  return { message, result };
}

const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];

function systemAttributesOf(ctx: OperationContext, message: StoredMessage, names: string[]): Record<string, string> {
  const all: Record<string, string | undefined> = {
    SenderId: ctx.accountId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: message.firstReceiveAt === undefined ? undefined : String(message.firstReceiveAt),
    AWSTraceHeader: message.systemAttributes.AWSTraceHeader?.StringValue,
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
  const wanted = names.includes('All') ? SYSTEM_ATTRIBUTES : names;
  const result: Record<string, string> = {};
  for (const name of wanted) {
    const value = all[name];
    if (value !== undefined) result[name] = value;
  }
  return result;
}

function selectMessageAttributes(
  attributes: Record<string, MessageAttributeValue>,
  names: string[],
): Record<string, MessageAttributeValue> {
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const wanted = names.some(
      (n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))),
    );
    if (wanted) result[name] = value;
  }
  return result;
}

/**
 * Takes up to `max` visible messages, oldest first. Expired ones are dropped; one whose receive would exceed the
 * RedrivePolicy's maxReceiveCount is moved to the dead-letter queue instead (on that receive, as SQS does).
 */
function takeMessages(
  ctx: OperationContext,
  queue: QueueState,
  max: number,
  visibilitySeconds: number,
): { taken: StoredMessage[]; records: JournalRecord[] } {
  const now = ctx.now();
  const retentionMs = numberAttribute(queue, 'MessageRetentionPeriod') * 1000;
  const redrive = parseRedrivePolicy(queue.attributes.RedrivePolicy);
  const dlq = redrive ? queueFromArn(ctx, redrive.deadLetterTargetArn) : undefined;
  const taken: StoredMessage[] = [];
  const records: JournalRecord[] = [];
  for (const message of queue.messages.values()) {
    if (taken.length >= max) break;
    if (message.sentAt + retentionMs <= now) {
      records.push({ op: 'delete', queue: queue.name, id: message.id });
      continue;
    }
    if (message.visibleAt > now) continue;
    if (redrive && dlq && message.receiveCount >= redrive.maxReceiveCount) {
      records.push({ op: 'delete', queue: queue.name, id: message.id });
      const moved: StoredMessage = {
        id: message.id,
        body: message.body,
        attributes: message.attributes,
        systemAttributes: message.systemAttributes,
        sentAt: message.sentAt,
        visibleAt: now,
        receiveCount: 0,
        deadLetterSourceArn: queueArn(ctx, queue.name),
      };
      records.push({ op: 'put', queue: dlq.name, message: moved });
      continue;
    }
    const update = {
      op: 'update' as const,
      queue: queue.name,
      id: message.id,
      visibleAt: now + visibilitySeconds * 1000,
      receiveCount: message.receiveCount + 1,
      firstReceiveAt: message.firstReceiveAt ?? now,
      handle: encodeHandle(queue.name, message.id),
    };
    records.push(update);
    taken.push(message);
  }
  return { taken, records };
}

const createQueue: Operation = async (input, ctx) => {
  const name = input.QueueName;
  if (typeof name !== 'string' || name === '') throw missingParameter('QueueName');
  if (name.endsWith('.fifo'))
    throw invalidParameter(`Queue ${name}: FIFO queues are not supported by the local SQS endpoint.`);
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
    throw invalidParameter(
      `Queue name ${name} can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.`,
    );
  }
  const attributes = validateAttributes((input.Attributes ?? {}) as Input);
  const existing = ctx.store.queues.get(name);
  if (existing) {
    for (const [key, value] of Object.entries(attributes)) {
      const current = existing.attributes[key] ?? DEFAULT_ATTRIBUTES[key];
      if (current !== value) {
        throw new SqsError(
          'QueueNameExists',
          `A queue already exists with the same name (${name}) and a different value for attribute ${key}.`,
          'QueueAlreadyExists',
        );
      }
    }
  } else {
    const now = ctx.now();
    await ctx.store.commit([{ op: 'queue', name, attributes, created: now, modified: now }]);
  }
  return { QueueUrl: queueUrl(ctx, name) };
};

const getQueueUrl: Operation = async (input, ctx) => {
  const name = input.QueueName;
  if (typeof name !== 'string' || name === '') throw missingParameter('QueueName');
  if (!ctx.store.queues.has(name)) throw queueDoesNotExist(name);
  return { QueueUrl: queueUrl(ctx, name) };
};

const listQueues: Operation = async (input, ctx) => {
  const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
  const max = integer(input, 'MaxResults', 1, 1000, 1000);
  const names = [...ctx.store.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
  const start = typeof input.NextToken === 'string' ? Number(input.NextToken) || 0 : 0;
  const page = names.slice(start, start + max);
  const result: Record<string, unknown> = {};
  if (page.length > 0) result.QueueUrls = page.map((n) => queueUrl(ctx, n));
  if (input.MaxResults !== undefined && start + max < names.length) result.NextToken = String(start + max);
  return result;
};

const deleteQueue: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  await ctx.store.commit([{ op: 'deleteQueue', name: queue.name }]);
  return {};
};

const getQueueAttributes: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  const all = allAttributes(queue, queueArn(ctx, queue.name), ctx.now());
  const names = stringList(input.AttributeNames);
  if (names.length === 0) return {};
  const result: Record<string, string> = {};
  for (const name of names.includes('All') ? Object.keys(all) : names) {
    const value = all[name];
    if (value !== undefined) result[name] = value;
    else if (!names.includes('All') && !/^[A-Za-z]+$/.test(name))
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
  return { Attributes: result };
};

const setQueueAttributes: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  const changes = validateAttributes((input.Attributes ?? {}) as Input);
  const attributes = { ...queue.attributes, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === '') delete attributes[key];
  await ctx.store.commit([{ op: 'queue', name: queue.name, attributes, created: queue.created, modified: ctx.now() }]);
  return {};
};

const sendMessage: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  const { message, result } = prepareMessage(queue, input, ctx.now());
  await ctx.store.commit([{ op: 'put', queue: queue.name, message }]);
  return result;
};

const sendMessageBatch: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  const entries = checkBatchEntries(input.Entries) as (Input & { Id: string })[];
  const limit = numberAttribute(queue, 'MaximumMessageSize');
  const total = entries.reduce(
    (sum, e) => sum + (typeof e.MessageBody === 'string' ? Buffer.byteLength(e.MessageBody) : 0),
    0,
  );
  if (total > limit) {
    throw new SqsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${limit} bytes (this one is ${total}, queue ${queue.name}).`,
      'AWS.SimpleQueueService.BatchRequestTooLong',
    );
  }
  const records: JournalRecord[] = [];
  const Successful: Record<string, string>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      const { message, result } = prepareMessage(queue, entry, ctx.now());
      records.push({ op: 'put', queue: queue.name, message });
      Successful.push({ Id: entry.Id, ...result });
    } catch (error) {
      const e = error as SqsError;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: e.type ?? 'InternalError', Message: e.message });
    }
  }
  await ctx.store.commit(records);
  return { Successful, Failed };
};

const LONG_POLL_TICK_MS = 100;

const receiveMessage: Operation = async (input, ctx, signal) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  const max = integer(input, 'MaxNumberOfMessages', 1, 10, 1);
  const wait = integer(input, 'WaitTimeSeconds', 0, 20, numberAttribute(queue, 'ReceiveMessageWaitTimeSeconds'));
  const visibility = integer(input, 'VisibilityTimeout', 0, 43_200, numberAttribute(queue, 'VisibilityTimeout'));
  const systemNames = [...stringList(input.MessageSystemAttributeNames), ...stringList(input.AttributeNames)];
  const attributeNames = stringList(input.MessageAttributeNames);
  const deadline = performance.now() + wait * 1000;
  for (;;) {
    if (signal.aborted || !ctx.store.queues.has(queue.name)) return {};
    const { taken, records } = takeMessages(ctx, queue, max, visibility);
    await ctx.store.commit(records);
    if (taken.length > 0) {
      return {
        Messages: taken.map((message) => {
          const out: Record<string, unknown> = {
            MessageId: message.id,
            ReceiptHandle: message.handle,
            MD5OfBody: md5OfBody(message.body),
            Body: message.body,
          };
          const system = systemAttributesOf(ctx, message, systemNames);
          if (Object.keys(system).length > 0) out.Attributes = system;
          const attributes = selectMessageAttributes(message.attributes, attributeNames);
          if (Object.keys(attributes).length > 0) {
            out.MessageAttributes = attributes;
            out.MD5OfMessageAttributes = md5OfMessageAttributes(attributes);
          }
          return out;
        }),
      };
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) return {};
    await ctx.store.waitForChange(queue.name, Math.min(remaining, LONG_POLL_TICK_MS));
  }
};

/** A delete with a stale handle succeeds without deleting, as SQS documents ("might not be deleted"). */
function deleteRecord(queue: QueueState, rawHandle: unknown): JournalRecord[] {
  const { id, handle } = decodeHandle(queue, rawHandle);
  const message = queue.messages.get(id);
  if (!message || message.handle !== handle) return [];
  return [{ op: 'delete', queue: queue.name, id }];
}

const deleteMessage: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  await ctx.store.commit(deleteRecord(queue, input.ReceiptHandle));
  return {};
};

const deleteMessageBatch: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  const entries = checkBatchEntries(input.Entries) as (Input & { Id: string })[];
  const records: JournalRecord[] = [];
  const Successful: { Id: string }[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      records.push(...deleteRecord(queue, entry.ReceiptHandle));
      Successful.push({ Id: entry.Id });
    } catch (error) {
      const e = error as SqsError;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: e.type, Message: e.message });
    }
  }
  await ctx.store.commit(records);
  return { Successful, Failed };
};

/** Only the latest handle of a message still in flight may change its visibility. */
function visibilityRecord(
  ctx: OperationContext,
  queue: QueueState,
  rawHandle: unknown,
  seconds: unknown,
): JournalRecord {
  const { id, handle } = decodeHandle(queue, rawHandle);
  const timeout = integer({ VisibilityTimeout: seconds }, 'VisibilityTimeout', 0, 43_200, -1);
  if (timeout < 0) throw missingParameter('VisibilityTimeout');
  const message = queue.messages.get(id);
  const now = ctx.now();
  if (!message || message.handle !== handle) {
    throw invalidParameter(
      `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
    );
  }
  if (message.visibleAt <= now) {
    throw new SqsError(
      'MessageNotInflight',
      `Message ${id} is not in flight.`,
      'AWS.SimpleQueueService.MessageNotInflight',
    );
  }
  return { op: 'update', queue: queue.name, id, visibleAt: now + timeout * 1000, receiveCount: message.receiveCount };
}

const changeMessageVisibility: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  await ctx.store.commit([visibilityRecord(ctx, queue, input.ReceiptHandle, input.VisibilityTimeout)]);
  return {};
};

const changeMessageVisibilityBatch: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  const entries = checkBatchEntries(input.Entries) as (Input & { Id: string })[];
  const records: JournalRecord[] = [];
  const Successful: { Id: string }[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      records.push(visibilityRecord(ctx, queue, entry.ReceiptHandle, entry.VisibilityTimeout));
      Successful.push({ Id: entry.Id });
    } catch (error) {
      const e = error as SqsError;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: e.type, Message: e.message });
    }
  }
  await ctx.store.commit(records);
  return { Successful, Failed };
};

const purgeQueue: Operation = async (input, ctx) => {
  const queue = queueFromUrl(ctx, input.QueueUrl);
  await ctx.store.commit([{ op: 'purge', queue: queue.name }]);
  return {};
};

const listDeadLetterSourceQueues: Operation = async (input, ctx) => {
  const dlq = queueFromUrl(ctx, input.QueueUrl);
  const arn = queueArn(ctx, dlq.name);
  const sources = [...ctx.store.queues.values()]
    .filter((q) => parseRedrivePolicy(q.attributes.RedrivePolicy)?.deadLetterTargetArn === arn)
    .map((q) => queueUrl(ctx, q.name));
  return { queueUrls: sources };
};

const startMessageMoveTask: Operation = async (input, ctx) => startMoveTask(input, ctx);
const listMessageMoveTasks: Operation = async (input, ctx) => listMoveTasks(input, ctx);

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
  PurgeQueue: purgeQueue,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  StartMessageMoveTask: startMessageMoveTask,
  ListMessageMoveTasks: listMessageMoveTasks,
};
