// Benchmark: the local SQS endpoint's own throughput through @aws-sdk/client-sqs, then draining a pre-filled queue with
// a no-op handler through startQueueWorker (our runtime) and through a plain sqs-consumer Consumer, same endpoint, same
// run, with the SQS API calls each makes per message.
//
// Process layout: the endpoint runs in a child process (bench/fixtures/sqs-endpoint.ts, journal fsync'd under the OS
// temp folder); the SDK load loops and both consumers run in this process, one after the other, so they never share
// the endpoint's event loop, nor each other's.
//
// "Plain" sqs-consumer is its documented usage: Consumer.create({ queueUrl, sqs, handleMessage }) with a handler that
// returns the message (sqs-consumer 14 deletes only what is returned), plus batchSize 10 and the same waitTimeSeconds
// (20) as the worker; everything else is sqs-consumer's default (no heartbeat, the queue's visibility timeout, one
// DeleteMessage per message). startQueueWorker runs with its defaults (batchSize 10, concurrency 10, visibility 30 s,
// heartbeat 10 s, its per-job info log lines written to a discarding stream).
//
// API calls are counted per SDK command by an initialize-step middleware on each consumer's own SQSClient
// (client.middlewareStack.add); an SDK retry of a command would not count twice (none are expected locally). Calls per
// message are taken while the queue still holds messages (saturation): from the start until the last one is deleted.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createLogger } from '@hello-fargate/runtime';
import { startQueueWorker } from '@hello-fargate/runtime/worker';
import { Consumer } from 'sqs-consumer';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Messages per endpoint measurement, and its time cap. */
const ENDPOINT_MESSAGES = 5000;
const ENDPOINT_MAX_MS = 4000;
/** In-flight SDK calls of the endpoint measurements: one (a single sequential client) and many. */
const ENDPOINT_CONCURRENCY = [1, 16] as const;
/** Messages drained by each consumer, the warm-up drained before, and the time cap of one drain. */
const DRAIN_MESSAGES = 5000;
const WARMUP_MESSAGES = 500;
const DRAIN_MAX_MS = 12_000;
/** Long-poll wait of both consumers (the default of both). */
const WAIT_TIME_SECONDS = 20;

/** A job as publishJob sends it: a JSON body with correlationId and jobId attributes. */
function job(i: number): { MessageBody: string; MessageAttributes: Record<string, MessageAttributeValue> } {
  return {
    MessageBody: JSON.stringify({ orderId: `8537a105-9814-4ec5-8cbe-${String(i).padStart(12, '0')}`, kind: 'bench' }),
    MessageAttributes: {
      correlationId: { DataType: 'String', StringValue: `corr-${i}` },
      jobId: { DataType: 'String', StringValue: `job-${i}` },
    },
  };
}

async function startEndpoint(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture('sqs-endpoint.ts')], {
    env: { ...process.env, SQS_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    for await (const line of lines) return { url: (JSON.parse(line) as { url: string }).url, child };
    throw new Error(`the SQS endpoint fixture exited (${child.exitCode}) before printing its URL`);
  } finally {
    clearTimeout(timeout);
    lines.close();
  }
}

function sqsClient(url: string): SQSClient {
  return new SQSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
}

interface CallCounter {
  readonly calls: Map<string, number>;
  /** Messages deleted (DeleteMessage, and the successes of DeleteMessageBatch). */
  deleted: number;
  /** Called after each delete. */
  onDelete?: () => void;
}

/** A client whose commands are counted by name, and its deletes by message. */
function countingClient(url: string): { sqs: SQSClient; counter: CallCounter } {
  const sqs = sqsClient(url);
  const counter: CallCounter = { calls: new Map(), deleted: 0 };
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      counter.calls.set(name, (counter.calls.get(name) ?? 0) + 1);
      const result = await next(args);
      if (name === 'DeleteMessage') counter.deleted += 1;
      if (name === 'DeleteMessageBatch')
        counter.deleted += (result.output as { Successful?: unknown[] }).Successful?.length ?? 0;
      if (name === 'DeleteMessage' || name === 'DeleteMessageBatch') counter.onDelete?.();
      return result;
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return { sqs, counter };
}

async function createQueue(sqs: SQSClient, name: string): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '30' } }));
  return out.QueueUrl as string;
}

/**
 * Runs `step` from `concurrency` loops until `maxMessages` are claimed or `maxMs` is over; each step claims
 * `perStep` messages up front and returns how many it did (0 stops its loop). Returns messages per second.
 */
async function closedLoop(
  concurrency: number,
  maxMessages: number,
  maxMs: number,
  perStep: number,
  step: (first: number) => Promise<number>,
): Promise<{ messages: number; perSecond: number }> {
  let claimed = 0;
  let done = 0;
  const started = performance.now();
  const end = started + maxMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (claimed < maxMessages && performance.now() < end) {
        const first = claimed;
        claimed += perStep;
        const n = await step(first);
        done += n;
        if (n === 0) return;
      }
    }),
  );
  return { messages: done, perSecond: done / ((performance.now() - started) / 1000) };
}

const sendBatch = (sqs: SQSClient, queueUrl: string) => async (first: number) => {
  const out = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, ...job(first + i) })),
    }),
  );
  if ((out.Failed ?? []).length > 0) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed)}`);
  return out.Successful?.length ?? 0;
};

async function fill(sqs: SQSClient, queueUrl: string, messages: number): Promise<void> {
  const result = await closedLoop(16, messages, 60_000, 10, sendBatch(sqs, queueUrl));
  if (result.messages !== messages) throw new Error(`filled ${result.messages} of ${messages} messages`);
}

function line(name: string, value: number | string, digits = 0): void {
  process.stdout.write(`${name}: ${typeof value === 'number' ? value.toFixed(digits) : value}\n`);
}

/** 1. SendMessageBatch(10), SendMessage and ReceiveMessage(10) + DeleteMessageBatch against the endpoint. */
async function endpointThroughput(url: string): Promise<void> {
  const sqs = sqsClient(url);
  try {
    const batchQueue = await createQueue(sqs, 'bench-endpoint-batch');
    const singleQueue = await createQueue(sqs, 'bench-endpoint-single');
    // Warm the SDK and the endpoint's code paths before measuring.
    await fill(sqs, singleQueue, 200);
    await sqs.send(new SendMessageCommand({ QueueUrl: singleQueue, ...job(0) }));

    const rates: Record<string, number> = {};
    for (const c of ENDPOINT_CONCURRENCY) {
      const batch = await closedLoop(c, ENDPOINT_MESSAGES, ENDPOINT_MAX_MS, 10, sendBatch(sqs, batchQueue));
      const single = await closedLoop(c, ENDPOINT_MESSAGES, ENDPOINT_MAX_MS, 1, async (i) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: singleQueue, ...job(i) }));
        return 1;
      });
      line(`endpoint_send_message_batch10_c${c}_msgs_per_s`, batch.perSecond);
      line(`endpoint_send_message_c${c}_msgs_per_s`, single.perSecond);
      rates[`batch${c}`] = batch.perSecond;
      rates[`single${c}`] = single.perSecond;
    }
    // Receive from the batch queue, which now holds what both batch loops sent.
    for (const c of ENDPOINT_CONCURRENCY) {
      const drained = await closedLoop(c, ENDPOINT_MESSAGES, ENDPOINT_MAX_MS, 10, async () => {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: batchQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0) return 0;
        const deleted = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: batchQueue,
            Entries: messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        return deleted.Successful?.length ?? 0;
      });
      line(`endpoint_receive10_delete_batch_c${c}_msgs_per_s`, drained.perSecond);
    }
    for (const c of ENDPOINT_CONCURRENCY) {
      line(`endpoint_send_batch10_vs_single_c${c}_msgs_per_s`, rates[`batch${c}`]! / rates[`single${c}`]!, 2);
    }
  } finally {
    sqs.destroy();
  }
}

interface DrainResult {
  readonly messages: number;
  readonly perSecond: number;
  readonly calls: Map<string, number>;
  readonly errors: number;
}

type ConsumerKind = 'queue_worker' | 'plain_sqs_consumer';

/** Fills a fresh queue with `messages`, then drains it with one consumer until all are deleted (or the cap). */
async function drain(url: string, kind: ConsumerKind, queueName: string, messages: number): Promise<DrainResult> {
  const filler = sqsClient(url);
  const queueUrl = await createQueue(filler, queueName);
  await fill(filler, queueUrl, messages);
  filler.destroy();

  const { sqs, counter } = countingClient(url);
  let errors = 0;
  let finish!: () => void;
  const drained = new Promise<void>((resolve) => (finish = resolve));
  counter.onDelete = () => {
    if (counter.deleted >= messages) finish();
  };
  const cap = setTimeout(finish, DRAIN_MAX_MS);

  let stop: () => Promise<void>;
  const started = performance.now();
  if (kind === 'queue_worker') {
    const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const worker = startQueueWorker({
      queueUrl,
      sqs,
      handler: async () => undefined,
      waitTimeSeconds: WAIT_TIME_SECONDS,
      logger: createLogger({ component: 'worker', level: 'info', destination: discard }),
      signals: [],
      exit: () => undefined,
    });
    worker.consumer.on('error', () => errors++);
    stop = () => worker.stop('benchmark done');
  } else {
    const consumer = Consumer.create({
      queueUrl,
      sqs,
      handleMessage: async (message) => message,
      batchSize: 10,
      waitTimeSeconds: WAIT_TIME_SECONDS,
    });
    consumer.on('error', () => errors++);
    consumer.on('processing_error', () => errors++);
    consumer.start();
    stop = async () => {
      consumer.stop({ abort: true });
      const deadline = Date.now() + 2000;
      while (consumer.status.isPolling && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    };
  }
  await drained;
  const seconds = (performance.now() - started) / 1000;
  clearTimeout(cap);
  const deleted = counter.deleted;
  const calls = new Map(counter.calls);
  await stop();
  sqs.destroy();
  return { messages: deleted, perSecond: deleted / seconds, calls, errors };
}

function callsPerMessage(result: DrainResult): number {
  let total = 0;
  for (const n of result.calls.values()) total += n;
  return total / Math.max(1, result.messages);
}

/** 2. Drains DRAIN_MESSAGES with startQueueWorker and with plain sqs-consumer, after a warm-up drain of each. */
async function workerThroughput(url: string): Promise<void> {
  await drain(url, 'queue_worker', 'bench-warm-worker', WARMUP_MESSAGES);
  await drain(url, 'plain_sqs_consumer', 'bench-warm-plain', WARMUP_MESSAGES);
  const ours = await drain(url, 'queue_worker', 'bench-drain-worker', DRAIN_MESSAGES);
  const plain = await drain(url, 'plain_sqs_consumer', 'bench-drain-plain', DRAIN_MESSAGES);
  for (const [name, result] of [
    ['queue_worker', ours],
    ['plain_sqs_consumer', plain],
  ] as const) {
    line(`${name}_drain_msgs_per_s`, result.perSecond);
    line(`${name}_drained_msgs`, result.messages);
    line(`${name}_sqs_calls_per_msg`, callsPerMessage(result), 3);
    line(
      `${name}_sqs_calls`,
      [...result.calls]
        .sort()
        .map(([op, n]) => `${op}=${n}`)
        .join(' '),
    );
    line(`${name}_errors`, result.errors);
  }
  line('queue_worker_vs_plain_sqs_consumer_msgs_per_s', ours.perSecond / plain.perSecond, 2);
  line('queue_worker_vs_plain_sqs_consumer_calls_per_msg', callsPerMessage(ours) / callsPerMessage(plain), 2);
}

export async function run(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'hf-bench-queues-'));
  let endpoint: { url: string; child: ChildProcess } | undefined;
  try {
    endpoint = await startEndpoint(join(scratch, 'sqs'));
    await endpointThroughput(endpoint.url);
    await workerThroughput(endpoint.url);
  } finally {
    endpoint?.child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
}
