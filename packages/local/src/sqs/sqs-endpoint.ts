// A local Amazon SQS endpoint speaking the AWS JSON 1.0 protocol, durable across crashes through a journal in dataDir.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from '@hello-fargate/workload';
import { countMessages, numberAttribute } from './queue-attributes.js';
import { QueueStore } from './queue-store.js';
import { OPERATIONS, queueArn, queueUrl, type OperationContext } from './operations.js';
import type { MoveTask } from './message-move.js';
import { PEEK_PATH, servePeek } from './peek-route.js';
import { SqsError } from './sqs-error.js';

export interface SqsEndpointOptions {
  /** Folder of the journal (`sqs.journal`); created if missing. State found there is replayed. */
  readonly dataDir: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Region in queue ARNs. @default 'us-east-1' */
  readonly region?: string;
  /** Account in queue URLs and ARNs. @default '000000000000' */
  readonly accountId?: string;
  /** Clock for message times (sent, visibility, delay, retention), in epoch ms. @default Date.now */
  readonly now?: () => number;
  /** The journal is rewritten as the live state when it grows past this (and past twice its last compaction). @default 16 MiB */
  readonly compactBytes?: number;
}

export interface QueueStats {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  /** Age of the oldest message in the queue, in seconds (0 when empty). */
  readonly oldestAgeSeconds: number;
}

export interface SqsEndpoint {
  /** Origin of the endpoint, e.g. `http://127.0.0.1:9324`; use it as the SDK's `endpoint` or AWS_ENDPOINT_URL_SQS. */
  readonly url: string;
  /** `${url}/${accountId}/${name}`. */
  queueUrl(name: string): string;
  /** Creates each queue and its `<name>-dlq`, the queue's RedrivePolicy pointing at it; existing ones are updated. */
  createQueues(queues: readonly Queue[]): Promise<void>;
  /** Message counts of a queue; throws naming the queue when it does not exist. */
  stats(name: string): QueueStats;
  /** Bytes in the journal now (for tests and `hf` diagnostics). */
  journalBytes(): number;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new SqsError('InvalidParameterValue', `Request body is larger than ${MAX_REQUEST_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...extra,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  const e =
    error instanceof SqsError
      ? error
      : new SqsError(
          'InternalError',
          `Local SQS endpoint failed: ${(error as Error).message}`,
          'InternalError',
          500,
          false,
        );
  send(
    res,
    e.status,
    { __type: `com.amazonaws.sqs#${e.type}`, message: e.message },
    { 'x-amzn-query-error': `${e.queryCode};${e.senderFault ? 'Sender' : 'Receiver'}` },
  );
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: OperationContext): Promise<void> {
  const target = req.headers['x-amz-target'];
  const operation = typeof target === 'string' && target.startsWith('AmazonSQS.') ? target.slice(10) : undefined;
  const run = operation ? OPERATIONS[operation] : undefined;
  const body = await readBody(req);
  if (req.method === 'GET' && req.url?.startsWith(PEEK_PATH)) {
    servePeek(ctx.store, req.url, ctx.now(), res);
    return;
  }
  if (req.method !== 'POST' || !run) {
    send(
      res,
      400,
      {
        __type: 'com.amazon.coral.service#UnknownOperationException',
        message: `Local SQS endpoint: unsupported operation ${String(target)} (${req.method} ${req.url}); send AWS JSON 1.0 with X-Amz-Target: AmazonSQS.<Operation>.`,
      },
      { 'x-amzn-query-error': 'AWS.SimpleQueueService.UnsupportedOperation;Sender' },
    );
    return;
  }
  let input: Record<string, unknown>;
  try {
    input = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
  } catch {
    throw new SqsError('SerializationException', `Local SQS endpoint: ${operation} body is not JSON.`);
  }
  const signal = { aborted: false };
  res.on('close', () => {
    if (!res.writableFinished) signal.aborted = true;
  });
  send(res, 200, await run(input ?? {}, ctx, signal));
}

/** Starts the endpoint on `host:port`, replaying the journal in `dataDir` first. */
export async function startSqsEndpoint(options: SqsEndpointOptions): Promise<SqsEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const store = await QueueStore.open(options.dataDir, options.compactBytes ?? 16 * 1024 * 1024);
  let origin = '';
  const moveTasks: MoveTask[] = [];
  const ctx: OperationContext = {
    store,
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
    origin: () => origin,
    now,
    moveTasks,
  };
  const server: Server = createServer((req, res) => {
    handle(req, res, ctx).catch((error: unknown) => sendError(res, error));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`Local SQS endpoint could not listen on ${host}:${options.port ?? 0}: ${error.message}`)),
    );
    server.listen(options.port ?? 0, host, resolve);
  });
  origin = `http://${host}:${(server.address() as AddressInfo).port}`;

  const call = (op: string, input: Record<string, unknown>): Promise<unknown> =>
    (OPERATIONS[op] as (i: Record<string, unknown>, c: OperationContext, s: { aborted: boolean }) => Promise<unknown>)(
      input,
      ctx,
      { aborted: false },
    );

  return {
    url: origin,
    queueUrl: (name) => queueUrl(ctx, name),
    async createQueues(queues) {
      for (const queue of queues) {
        const dlqAttributes = { MessageRetentionPeriod: String(queue.dlqRetentionSeconds) };
        const attributes = {
          VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(queue.retentionSeconds),
          DelaySeconds: String(queue.delaySeconds),
          ReceiveMessageWaitTimeSeconds: String(queue.receiveWaitTimeSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: queueArn(ctx, queue.dlqName),
            maxReceiveCount: queue.maxReceiveCount,
          }),
        };
        for (const [name, attrs] of [
          [queue.dlqName, dlqAttributes],
          [queue.name, attributes],
        ] as const) {
          if (store.queues.has(name))
            await call('SetQueueAttributes', { QueueUrl: queueUrl(ctx, name), Attributes: attrs });
          else await call('CreateQueue', { QueueName: name, Attributes: attrs });
        }
      }
    },
    stats(name) {
      const queue = store.queues.get(name);
      if (!queue)
        throw new Error(
          `Local SQS endpoint: no queue named ${name} (known: ${[...store.queues.keys()].join(', ') || 'none'}).`,
        );
      const t = now();
      const retentionMs = numberAttribute(queue, 'MessageRetentionPeriod') * 1000;
      let oldest = t;
      for (const message of queue.messages.values()) {
        if (message.sentAt + retentionMs > t) oldest = Math.min(oldest, message.sentAt);
      }
      return { ...countMessages(queue, t), oldestAgeSeconds: Math.floor((t - oldest) / 1000) };
    },
    journalBytes: () => store.journalBytes,
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await store.close();
    },
  };
}
