// startQueueWorker: consumes an SQS queue in batches with sqs-consumer, and drains on SIGTERM the way ECS stops a task.

import { ChangeMessageVisibilityBatchCommand, type Message, SQSClient } from '@aws-sdk/client-sqs';
import { queueUrlVariable } from '@hello-fargate/workload';
import { Consumer } from 'sqs-consumer';
import { drainGraceSeconds, EXIT_MARGIN_SECONDS } from '../drain-grace-seconds.js';
import { requireEnv } from '../env.js';
import { createLogger, type Logger } from '../logger.js';
import { type QueueJob, readMessage } from './queue-job.js';
import { WorkerOptionError } from './worker-option-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Seconds kept free between the end of the stop timeout and ECS's SIGKILL, to release messages and exit. */
/** Longest pause between receives after consecutive receive failures. */
const MAX_RECEIVE_BACKOFF_MS = 20_000;

export interface QueueWorkerOptions<Body = unknown> {
  /** Queue name, e.g. `trigger-jobs`; its URL is read from `TRIGGER_JOBS_QUEUE_URL`. One of `queue` or `queueUrl`. */
  readonly queue?: string;
  /** The queue's URL; takes precedence over `queue`. @default the `<NAME>_QUEUE_URL` variable of `queue` */
  readonly queueUrl?: string;
  /**
   * The SQS client. @default a client configured from the environment (AWS_REGION, credentials, and
   * AWS_ENDPOINT_URL_SQS, which the SDK honours itself), destroyed on stop
   */
  readonly sqs?: SQSClient;
  /**
   * Handles one job. Resolving deletes its message (with the batch's other successes, in one DeleteMessageBatch);
   * throwing leaves it on the queue, to be received again after its visibility timeout and moved to the
   * dead-letter queue after the queue's maxReceiveCount receives.
   */
  readonly handler: (job: QueueJob<Body>) => Promise<void>;
  /** Messages per receive (SQS: 1–10). @default 10 */
  readonly batchSize?: number;
  /** Handlers of one batch running at once. @default 10 */
  readonly concurrency?: number;
  /** Seconds a received message stays invisible, asked for on each receive and heartbeat (1–43200). @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Seconds between heartbeats that extend the visibility of a batch's messages (to `visibilityTimeoutSeconds`
   * again) while its handlers run; must be less than `visibilityTimeoutSeconds`; 0 turns heartbeats off.
   * Fractions are allowed. @default 10
   */
  readonly heartbeatIntervalSeconds?: number;
  /** Long-poll wait of each receive (SQS: 0–20). @default 20 */
  readonly waitTimeSeconds?: number;
  /**
   * Seconds in-flight handlers get to finish after SIGTERM or `stop()`; what is unfinished then is released. It must
   * end before ECS's SIGKILL. Fractions are allowed. @default STOP_TIMEOUT_SECONDS − 5 (at least 1) when that
   * variable is set, else 25
   */
  readonly stopTimeoutSeconds?: number;
  /** The worker's logger; each job gets a child of it. @default createLogger({ component: 'worker' }) */
  readonly logger?: Logger;
  /** Signals that stop the worker and then exit. @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /** Called with the exit code (0) once a signal's stop is over. @default process.exit */
  readonly exit?: (code: number) => void;
  /** Where `<NAME>_QUEUE_URL` and STOP_TIMEOUT_SECONDS are read. @default process.env */
  readonly env?: Env;
}

export interface QueueWorkerStats {
  /** Messages received. */
  readonly received: number;
  /** Jobs whose handler resolved. */
  readonly succeeded: number;
  /** Jobs whose handler threw, or whose body was not JSON. */
  readonly failed: number;
  /** Messages made visible again (visibility 0) because the worker stopped before they were handled. */
  readonly released: number;
  /** Handlers running now. */
  readonly inFlight: number;
}

export interface QueueWorker {
  readonly queueUrl: string;
  /** The underlying sqs-consumer Consumer, for its events. */
  readonly consumer: Consumer;
  stats(): QueueWorkerStats;
  /**
   * Stops as on SIGTERM, without exiting: no more receives; the current batch's handlers get up to the stop timeout,
   * and its successes are deleted; then unfinished handlers are aborted (`job.signal`) and their messages released
   * with visibility 0 so another worker picks them up. Idempotent.
   */
  stop(reason?: string): Promise<void>;
}

/** One received batch while its handlers run. */
interface Batch {
  readonly succeeded: Message[];
  /** Neither succeeded nor failed yet: running or waiting for a free slot. */
  readonly unfinished: Set<Message>;
  readonly controllers: Map<Message, AbortController>;
  /** Messages given up at the stop timeout: whatever their handlers do later is ignored. */
  readonly released: Set<Message>;
  cutOff: boolean;
  /** Resolves when sqs-consumer is done with the batch (deleted its successes, ended its heartbeat). */
  readonly processed: Promise<void>;
  markProcessed(): void;
  /** Resolves when the stop timeout cuts the batch short. */
  readonly cut: Promise<void>;
  markCut(): void;
}

/** Starts receiving; on SIGTERM/SIGINT stops (see `QueueWorker.stop`), logs each step and exits 0. */
export function startQueueWorker<Body = unknown>(options: QueueWorkerOptions<Body>): QueueWorker {
  const env = options.env ?? process.env;
  const queueUrl = options.queueUrl ?? queueUrlFromEnv(options.queue, env);
  const batchSize = options.batchSize ?? 10;
  const concurrency = options.concurrency ?? 10;
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
  const heartbeatIntervalSeconds = options.heartbeatIntervalSeconds ?? 10;
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const stopTimeoutSeconds = options.stopTimeoutSeconds ?? drainGraceSeconds(env);
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = options.logger ?? createLogger({ component: 'worker' });
  validate({ batchSize, concurrency, visibilityTimeoutSeconds, heartbeatIntervalSeconds, waitTimeSeconds });
  if (!Number.isFinite(stopTimeoutSeconds) || stopTimeoutSeconds < 0) {
    throw new WorkerOptionError(
      'stopTimeoutSeconds',
      `stopTimeoutSeconds must be 0 or more (got ${stopTimeoutSeconds})`,
    );
  }
  const ownsClient = options.sqs === undefined;
  const sqs = options.sqs ?? new SQSClient({});
  const handler = options.handler as (job: QueueJob) => Promise<void>;

  const counts = { received: 0, succeeded: 0, failed: 0, released: 0, inFlight: 0 };
  let current: Batch | undefined;
  let stopping = false;
  /** While stopping, a batch that a pending receive returns is still handled, until the drain stops waiting. */
  let acceptingLastBatch = true;
  let receiveFailures = 0;
  const stopRequested = new AbortController();

  /** ChangeMessageVisibilityBatch to 0 (one call, ≤ 10 entries): the messages can be received again at once. */
  const release = async (messages: readonly Message[], why: string): Promise<void> => {
    if (messages.length === 0) return;
    const messageIds = messages.map((message) => message.MessageId);
    try {
      const output = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((message, index) => ({
            Id: message.MessageId ?? `m${index}`,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
      const failed = output.Failed ?? [];
      counts.released += messages.length - failed.length;
      if (failed.length > 0) {
        log.error(
          { failed },
          `releasing ${failed.length} message(s) failed: they are received again when their visibility timeout ends`,
        );
      }
      log.warn(
        { messageIds, released: messages.length - failed.length },
        `${why}: released ${messages.length - failed.length} message(s) with visibility 0 so another worker receives them now`,
      );
    } catch (error) {
      log.error(
        { err: error, messageIds },
        `${why}: releasing ${messages.length} message(s) failed (${(error as Error).message}); they are received again when their visibility timeout ends`,
      );
    }
  };

  const runJob = async (batch: Batch, message: Message): Promise<void> => {
    const controller = new AbortController();
    batch.controllers.set(message, controller);
    const read = readMessage(message, log, controller.signal);
    if (!read.ok) {
      counts.failed += 1;
      batch.unfinished.delete(message);
      read.logger.error(
        { receiveCount: read.receiveCount, err: read.error },
        `message ${read.id} has a body that is not valid JSON (${read.error.message}): not handled and not deleted; ` +
          `it moves to the dead-letter queue after the queue's maxReceiveCount receives (this is receive ${read.receiveCount})`,
      );
      return;
    }
    const job = read.job;
    const started = Date.now();
    counts.inFlight += 1;
    job.logger.info({ receiveCount: job.receiveCount }, 'job started');
    try {
      await handler(job);
      if (batch.released.has(message)) {
        job.logger.warn({ durationMs: Date.now() - started }, 'job finished after its message was released: ignored');
        return;
      }
      batch.succeeded.push(message);
      counts.succeeded += 1;
      job.logger.info({ durationMs: Date.now() - started }, 'job succeeded');
    } catch (error) {
      if (batch.released.has(message)) {
        job.logger.warn({ err: error }, 'job ended with an error after its message was released: ignored');
        return;
      }
      counts.failed += 1;
      job.logger.error(
        { err: error, durationMs: Date.now() - started, receiveCount: job.receiveCount },
        `job failed: ${(error as Error)?.message ?? String(error)}; its message stays on the queue and is received ` +
          `again after its visibility timeout (this was receive ${job.receiveCount})`,
      );
    } finally {
      counts.inFlight -= 1;
      batch.unfinished.delete(message);
    }
  };

  const handleMessageBatch = async (messages: Message[]): Promise<Message[]> => {
    counts.received += messages.length;
    if (stopping && !acceptingLastBatch) {
      // Answered after the drain stopped waiting for batches: nobody will handle these here.
      await release(messages, `${messages.length} message(s) arrived while stopping`);
      return [];
    }
    const batch = newBatch(messages);
    current = batch;
    log.debug({ messages: messages.length }, `received ${messages.length} message(s)`);
    let next = 0;
    const runner = async () => {
      while (!batch.cutOff && next < messages.length) await runJob(batch, messages[next++]!);
    };
    const runners = Array.from({ length: Math.min(concurrency, messages.length) }, runner);
    await Promise.race([Promise.all(runners), batch.cut]);
    // sqs-consumer deletes exactly the messages returned here, in one DeleteMessageBatch.
    return [...batch.succeeded];
  };

  const consumer = Consumer.create({
    queueUrl,
    sqs,
    batchSize,
    visibilityTimeout: visibilityTimeoutSeconds,
    heartbeatInterval: heartbeatIntervalSeconds > 0 ? heartbeatIntervalSeconds : undefined,
    waitTimeSeconds,
    messageAttributeNames: ['All'],
    messageSystemAttributeNames: ['ApproximateReceiveCount'],
    shouldDeleteMessages: true,
    strictReturn: true,
    handleMessageBatch,
    preReceiveMessageCallback: async () => {
      if (receiveFailures > 0) {
        await sleep(Math.min(500 * 2 ** (receiveFailures - 1), MAX_RECEIVE_BACKOFF_MS), stopRequested.signal);
      }
      if (stopping) throw new Error('worker is stopping');
    },
    postReceiveMessageCallback: async () => {
      receiveFailures = 0;
    },
  });
  consumer.on('response_processed', () => {
    const batch = current;
    current = undefined;
    batch?.markProcessed();
  });
  consumer.on('error', (error, messages) => {
    if (messages === undefined) {
      if (stopping) {
        log.debug({ err: error }, `receive ended by stop: ${error.message}`);
        return;
      }
      receiveFailures += 1;
      log.error(
        { err: error, queueUrl, consecutiveFailures: receiveFailures },
        `receiving from ${queueUrl} failed: ${error.message}; retrying`,
      );
      return;
    }
    const list = Array.isArray(messages) ? messages : [messages];
    log.error(
      { err: error, messageIds: list.map((message) => message.MessageId) },
      `${error.message} (${list.length} message(s)); a message not deleted is received and handled again`,
    );
  });

  const drain = async (reason: string): Promise<void> => {
    stopping = true;
    stopRequested.abort();
    const started = Date.now();
    log.warn({ inFlight: counts.inFlight, stopTimeoutSeconds }, `${reason}: stopping; no more messages are received`);
    // Never abort at once: under load the pending receive returns at once with messages, which are then handled as
    // the last batch within the stop timeout (releasing them would make the next task receive them a second time),
    // while an aborted receive may already have been answered, leaving its messages hidden until their visibility
    // timeout. Aborting also cancels sqs-consumer's own deletes and heartbeats, so only an idle long poll, still
    // waiting after a short grace and with no batch running, is cut to keep shutdown quick.
    consumer.stop();
    if (current === undefined && consumer.status.isPolling) {
      await until(() => current !== undefined || !consumer.status.isPolling, IDLE_POLL_GRACE_MS);
      if (current === undefined && consumer.status.isPolling) abortIdlePoll(consumer);
    }
    const batch = current;
    acceptingLastBatch = false;
    if (batch) {
      log.info(
        { unfinished: batch.unfinished.size },
        `waiting up to ${stopTimeoutSeconds} s for ${batch.unfinished.size} unfinished job(s) of the current batch`,
      );
      const timeout = delay(stopTimeoutSeconds);
      const outcome = await Promise.race([batch.processed.then(() => 'processed' as const), timeout.done]);
      timeout.cancel();
      if (outcome === 'processed') {
        log.info('the current batch is done and its succeeded messages are deleted');
      } else {
        const unfinished = [...batch.unfinished];
        batch.cutOff = true;
        for (const message of unfinished) {
          batch.released.add(message);
          batch.controllers.get(message)?.abort(new Error('the worker stop timeout is over; the message was released'));
        }
        log.error(
          { unfinished: unfinished.length, stopTimeoutSeconds },
          `stop timeout of ${stopTimeoutSeconds} s is over with ${unfinished.length} unfinished job(s): aborting them`,
        );
        batch.markCut();
        // Release only after sqs-consumer deleted the successes and ended its heartbeat, which would hide them again.
        const margin = delay(EXIT_MARGIN_SECONDS / 2);
        await Promise.race([batch.processed, margin.done]);
        margin.cancel();
        await release(unfinished, 'stop timeout over');
      }
    }
    // A receive being answered while stop() came in is released by handleMessageBatch; wait for it.
    await until(() => !consumer.status.isPolling, 2000);
    for (const signal of signals) process.off(signal, onSignal);
    if (ownsClient) sqs.destroy();
    const { inFlight: _inFlight, ...totals } = counts;
    log.info({ durationMs: Date.now() - started, ...totals }, 'worker stopped');
  };

  let stopped: Promise<void> | undefined;
  const stop = (reason = 'stop requested'): Promise<void> => {
    stopped ??= drain(reason);
    return stopped;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopped) {
      log.warn({ signal }, `received ${signal} again: already stopping`);
      return;
    }
    void stop(`received ${signal}`).then(() => {
      log.info({ exitCode: 0 }, 'exiting with code 0');
      exit(0);
    });
  };
  for (const signal of signals) process.on(signal, onSignal);

  consumer.start();
  log.info(
    { queueUrl, batchSize, concurrency, visibilityTimeoutSeconds, heartbeatIntervalSeconds, stopTimeoutSeconds },
    `receiving jobs from ${queueUrl}; on SIGTERM in-flight jobs get up to ${stopTimeoutSeconds} s`,
  );
  return { queueUrl, consumer, stats: () => ({ ...counts }), stop };
}

function newBatch(messages: readonly Message[]): Batch {
  let markProcessed!: () => void;
  let markCut!: () => void;
  const processed = new Promise<void>((resolve) => (markProcessed = resolve));
  const cut = new Promise<void>((resolve) => (markCut = resolve));
  return {
    succeeded: [],
    unfinished: new Set(messages),
    controllers: new Map(),
    released: new Set(),
    cutOff: false,
    processed,
    markProcessed,
    cut,
    markCut,
  };
}

function queueUrlFromEnv(queue: string | undefined, env: Env): string {
  if (queue === undefined || queue === '') {
    throw new WorkerOptionError('queue', 'give `queue` (its URL is read from `<NAME>_QUEUE_URL`) or `queueUrl`');
  }
  return requireEnv(queueUrlVariable(queue), env);
}

function validate(values: {
  batchSize: number;
  concurrency: number;
  visibilityTimeoutSeconds: number;
  heartbeatIntervalSeconds: number;
  waitTimeSeconds: number;
}): void {
  const integerRanges: [keyof typeof values, number, number][] = [
    ['batchSize', 1, 10],
    ['concurrency', 1, 1000],
    ['visibilityTimeoutSeconds', 1, 43_200],
    ['waitTimeSeconds', 0, 20],
  ];
  for (const [option, min, max] of integerRanges) {
    const value = values[option];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new WorkerOptionError(option, `${option} must be an integer from ${min} to ${max} (got ${value})`);
    }
  }
  const heartbeat = values.heartbeatIntervalSeconds;
  if (!Number.isFinite(heartbeat) || heartbeat < 0 || heartbeat >= values.visibilityTimeoutSeconds) {
    throw new WorkerOptionError(
      'heartbeatIntervalSeconds',
      `heartbeatIntervalSeconds must be 0 (off) or less than visibilityTimeoutSeconds (${values.visibilityTimeoutSeconds}); got ${heartbeat}`,
    );
  }
}

/** `done` resolves 'timeout' after the given seconds unless cancelled first. */
function delay(seconds: number): { done: Promise<'timeout'>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), seconds * 1000);
  });
  return { done, cancel: () => clearTimeout(timer) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

async function until(condition: () => boolean, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** How long a pending receive may take to answer on stop before it counts as an idle long poll. */
const IDLE_POLL_GRACE_MS = 1000;

/**
 * Cuts the idle long poll short. sqs-consumer's `stop({ abort })` only works on the first call, and the first call
 * must not abort (see drain), so this reaches its abort controller; when a future version renames it, the worker
 * just waits out the poll (at most waitTimeSeconds) instead.
 */
function abortIdlePoll(consumer: Consumer): void {
  const controller = (consumer as unknown as { abortController?: unknown }).abortController;
  if (controller instanceof AbortController) controller.abort();
}
