// startQueueWorker against a mocked SQSClient: batches, partial failures, heartbeats, concurrency, and the stop path.

import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config-error.js';
import { type QueueJob, type QueueWorker, type QueueWorkerOptions, startQueueWorker } from '../../src/worker/index.js';
import { WorkerOptionError } from '../../src/worker/worker-option-error.js';
import { captureLogger } from '../../../../tools/testing/test-databases.js';

const QUEUE_URL = 'http://sqs.local/000000000000/trigger-jobs';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const running: QueueWorker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => worker.stop('test over')));
});

function message(id: string, body: unknown, attributes: Record<string, string> = {}, receiveCount = 1): Message {
  return {
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: typeof body === 'string' ? body : JSON.stringify(body),
    Attributes: { ApproximateReceiveCount: String(receiveCount) },
    MessageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    ),
  };
}

/** An SQS client whose receives return the scripted batches in order, then nothing (after a short wait). */
function scriptedSqs(...batches: Message[][]) {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(sqs);
  const script = [...batches];
  mock.on(ReceiveMessageCommand).callsFake(async () => {
    const next = script.shift();
    if (next) return { Messages: next };
    await new Promise((resolve) => setTimeout(resolve, 20));
    return {};
  });
  mock.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  mock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  return { sqs, mock };
}

function start(options: Partial<QueueWorkerOptions> & Pick<QueueWorkerOptions, 'sqs' | 'handler'>) {
  const captured = captureLogger();
  const worker = startQueueWorker({ queueUrl: QUEUE_URL, logger: captured.logger, signals: [], ...options });
  running.push(worker);
  return { worker, lines: captured.lines };
}

async function waitFor(condition: () => boolean, what: string, maxMs = 3000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

type Mock = ReturnType<typeof scriptedSqs>['mock'];
const deletedIds = (mock: Mock) =>
  mock.commandCalls(DeleteMessageBatchCommand).map((call) => call.args[0].input.Entries?.map((entry) => entry.Id));
const releases = (mock: Mock) =>
  mock
    .commandCalls(ChangeMessageVisibilityBatchCommand)
    .map((call) => call.args[0].input.Entries ?? [])
    .filter((entries) => entries.every((entry) => entry.VisibilityTimeout === 0));

describe('startQueueWorker', () => {
  it('long-polls for up to 10 messages with their correlationId attribute and receive count', async () => {
    const { sqs, mock } = scriptedSqs();
    start({ sqs, handler: async () => {} });
    await waitFor(() => mock.commandCalls(ReceiveMessageCommand).length > 0, 'a receive');
    expect(mock.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
      VisibilityTimeout: 30,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    });
  });

  it('deletes exactly the succeeded messages of a batch in one DeleteMessageBatch and leaves failed ones', async () => {
    const { sqs, mock } = scriptedSqs([message('a', { n: 1 }), message('b', { n: 2 }), message('c', { n: 3 })]);
    const { worker } = start({
      sqs,
      handler: async (job) => {
        if ((job.body as { n: number }).n === 2) throw new Error('cannot do 2');
      },
    });
    await waitFor(() => mock.commandCalls(DeleteMessageBatchCommand).length === 1, 'the delete');
    expect(deletedIds(mock)).toEqual([['a', 'c']]);
    expect(mock.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input.Entries?.map((e) => e.ReceiptHandle)).toEqual(
      ['rh-a', 'rh-c'],
    );
    expect(mock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(releases(mock)).toEqual([]);
    expect(worker.stats()).toEqual({ received: 3, succeeded: 2, failed: 1, released: 0, inFlight: 0 });
  });

  it('makes no delete call when every job of a batch fails', async () => {
    const { sqs, mock } = scriptedSqs([message('a', {}), message('b', {})]);
    const { worker } = start({
      sqs,
      handler: async () => {
        throw new Error('down');
      },
    });
    await waitFor(() => worker.stats().failed === 2, 'both failures');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(mock.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
  });

  it('gives the handler the message id, parsed body, attributes, receive count and correlationId', async () => {
    const { sqs } = scriptedSqs([
      message('m1', { order: 7 }, { correlationId: 'corr-1', jobId: '01JOBID', tenant: 'acme' }, 3),
    ]);
    const jobs: QueueJob[] = [];
    start({ sqs, handler: async (job) => void jobs.push(job) });
    await waitFor(() => jobs.length === 1, 'the job');
    expect(jobs[0]).toMatchObject({
      id: 'm1',
      body: { order: 7 },
      attributes: { correlationId: 'corr-1', jobId: '01JOBID', tenant: 'acme' },
      receiveCount: 3,
      correlationId: 'corr-1',
    });
    expect(jobs[0]!.signal.aborted).toBe(false);
  });

  it('puts jobId and correlationId on every log line of a job, a new ULID when the message has none', async () => {
    const { sqs, mock } = scriptedSqs([message('m1', {}, { correlationId: 'corr-1' }), message('m2', {})]);
    const { lines } = start({
      sqs,
      handler: async (job) => {
        job.logger.info({ step: 1 }, 'working');
      },
    });
    await waitFor(() => mock.commandCalls(DeleteMessageBatchCommand).length === 1, 'the delete');
    const m1 = lines.filter((line) => line.jobId === 'm1');
    expect(m1.map((line) => line.msg)).toEqual(['job started', 'working', 'job succeeded']);
    expect(m1.every((line) => line.correlationId === 'corr-1')).toBe(true);
    const m2 = lines.filter((line) => line.jobId === 'm2');
    expect(m2).toHaveLength(3);
    expect(m2[0]!.correlationId).toMatch(ULID);
    expect(new Set(m2.map((line) => line.correlationId)).size).toBe(1);
  });

  it('logs the published jobId as jobId, with the message id beside it', async () => {
    const { sqs, mock } = scriptedSqs([message('m1', {}, { correlationId: 'c', jobId: '01PUBLISHED' })]);
    const { lines } = start({ sqs, handler: async () => {} });
    await waitFor(() => mock.commandCalls(DeleteMessageBatchCommand).length === 1, 'the delete');
    expect(lines.find((line) => line.msg === 'job succeeded')).toMatchObject({
      jobId: '01PUBLISHED',
      messageId: 'm1',
      correlationId: 'c',
    });
  });

  it('does not delete or handle a message whose body is not JSON, and logs it once per receive', async () => {
    const { sqs, mock } = scriptedSqs(
      [message('bad', '{"unterminated', { correlationId: 'corr-bad' }, 1), message('ok', { fine: true })],
      [message('bad', '{"unterminated', { correlationId: 'corr-bad' }, 2)],
    );
    const handled: string[] = [];
    const { worker, lines } = start({ sqs, handler: async (job) => void handled.push(job.id) });
    await waitFor(() => worker.stats().received === 3 && worker.stats().inFlight === 0, 'both receives');
    await waitFor(() => mock.commandCalls(ReceiveMessageCommand).length >= 3, 'the next receive');
    expect(handled).toEqual(['ok']);
    expect(deletedIds(mock)).toEqual([['ok']]);
    const errors = lines.filter((line) => line.jobId === 'bad' && line.level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors.map((line) => line.receiveCount)).toEqual([1, 2]);
    expect(errors[0]).toMatchObject({ correlationId: 'corr-bad' });
    expect(errors[0]!.msg).toMatch(/message bad has a body that is not valid JSON .*not deleted.*dead-letter queue/);
    expect(worker.stats()).toMatchObject({ received: 3, succeeded: 1, failed: 2 });
  });

  it('runs at most `concurrency` handlers of a batch at once and still deletes the batch in one call', async () => {
    const { sqs, mock } = scriptedSqs(['1', '2', '3', '4', '5', '6', '7'].map((id) => message(id, {})));
    let active = 0;
    let highest = 0;
    const { worker } = start({
      sqs,
      concurrency: 2,
      handler: async () => {
        active += 1;
        highest = Math.max(highest, active);
        await new Promise((resolve) => setTimeout(resolve, 15));
        active -= 1;
      },
    });
    await waitFor(() => mock.commandCalls(DeleteMessageBatchCommand).length === 1, 'the delete');
    expect(highest).toBe(2);
    expect(worker.stats().succeeded).toBe(7);
    expect(deletedIds(mock)[0]).toHaveLength(7);
  });

  it('extends the visibility of a batch with heartbeats while a long handler runs, and stops after', async () => {
    const { sqs, mock } = scriptedSqs([message('slow', {})]);
    start({
      sqs,
      visibilityTimeoutSeconds: 5,
      heartbeatIntervalSeconds: 0.05,
      handler: () => new Promise((resolve) => setTimeout(resolve, 240)),
    });
    await waitFor(() => mock.commandCalls(DeleteMessageBatchCommand).length === 1, 'the delete', 5000);
    const heartbeats = mock.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(heartbeats.length).toBeGreaterThanOrEqual(3);
    for (const call of heartbeats) {
      expect(call.args[0].input.Entries).toEqual([{ Id: 'slow', ReceiptHandle: 'rh-slow', VisibilityTimeout: 5 }]);
    }
    const after = heartbeats.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(mock.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(after);
  });

  it('on stop lets running handlers finish within the stop timeout, deletes them and receives no more', async () => {
    const { sqs, mock } = scriptedSqs([message('a', {}), message('b', {})], [message('never', {})]);
    const gate = deferred();
    let started = 0;
    const { worker, lines } = start({
      sqs,
      stopTimeoutSeconds: 5,
      handler: async () => {
        started += 1;
        await gate.promise;
      },
    });
    await waitFor(() => started === 2, 'both handlers to start');
    const receivesBefore = mock.commandCalls(ReceiveMessageCommand).length;
    const stopped = worker.stop('test stop');
    await new Promise((resolve) => setTimeout(resolve, 30));
    gate.resolve();
    await stopped;
    expect(mock.commandCalls(ReceiveMessageCommand)).toHaveLength(receivesBefore);
    expect(deletedIds(mock)).toEqual([['a', 'b']]);
    expect(releases(mock)).toEqual([]);
    expect(worker.stats()).toEqual({ received: 2, succeeded: 2, failed: 0, released: 0, inFlight: 0 });
    expect(lines.filter((line) => !line.jobId).map((line) => line.msg)).toEqual([
      `receiving jobs from ${QUEUE_URL}; on SIGTERM in-flight jobs get up to 5 s`,
      'received 2 message(s)',
      'test stop: stopping; no more messages are received',
      'waiting up to 5 s for 2 unfinished job(s) of the current batch',
      'the current batch is done and its succeeded messages are deleted',
      'worker stopped',
    ]);
  });

  it('at the stop timeout deletes what finished, aborts the rest and releases them with visibility 0', async () => {
    const { sqs, mock } = scriptedSqs([message('fast', {}), message('stuck', {}), message('queued', {})]);
    const signals: Record<string, AbortSignal> = {};
    const { worker, lines } = start({
      sqs,
      concurrency: 2,
      stopTimeoutSeconds: 0.2,
      handler: async (job) => {
        signals[job.id] = job.signal;
        if (job.id === 'fast') return;
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      },
    });
    await waitFor(() => worker.stats().succeeded === 1 && worker.stats().inFlight === 2, 'fast done, 2 running');
    await worker.stop('test stop');

    expect(deletedIds(mock)).toEqual([['fast']]);
    expect(releases(mock)).toEqual([
      [
        { Id: 'stuck', ReceiptHandle: 'rh-stuck', VisibilityTimeout: 0 },
        { Id: 'queued', ReceiptHandle: 'rh-queued', VisibilityTimeout: 0 },
      ],
    ]);
    const order = mock.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(order.slice(-2)).toEqual(['DeleteMessageBatchCommand', 'ChangeMessageVisibilityBatchCommand']);
    expect(signals.stuck!.aborted).toBe(true);
    expect(signals.fast!.aborted).toBe(false);
    expect(worker.stats()).toEqual({ received: 3, succeeded: 1, failed: 0, released: 2, inFlight: 0 });
    expect(lines.filter((line) => !line.jobId).map((line) => line.msg)).toEqual([
      `receiving jobs from ${QUEUE_URL}; on SIGTERM in-flight jobs get up to 0.2 s`,
      'received 3 message(s)',
      'test stop: stopping; no more messages are received',
      'waiting up to 0.2 s for 2 unfinished job(s) of the current batch',
      'stop timeout of 0.2 s is over with 2 unfinished job(s): aborting them',
      'stop timeout over: released 2 message(s) with visibility 0 so another worker receives them now',
      'worker stopped',
    ]);
    expect(lines.filter((line) => line.jobId === 'stuck').map((line) => line.msg)).toEqual([
      'job started',
      'job finished after its message was released: ignored',
    ]);
  });

  it('on SIGTERM stops, logs each step and exits 0', async () => {
    const { sqs, mock } = scriptedSqs([message('a', {})]);
    const gate = deferred();
    const exits: number[] = [];
    const { worker, lines } = start({
      sqs,
      signals: ['SIGTERM'],
      exit: (code) => void exits.push(code),
      handler: () => gate.promise,
    });
    await waitFor(() => worker.stats().inFlight === 1, 'the handler to start');
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGTERM', 'SIGTERM');
    setTimeout(gate.resolve, 30);
    await waitFor(() => exits.length === 1, 'the exit');
    expect(exits).toEqual([0]);
    expect(deletedIds(mock)).toEqual([['a']]);
    expect(process.listenerCount('SIGTERM')).toBe(0);
    expect(lines.filter((line) => !line.jobId).map((line) => line.msg)).toEqual([
      `receiving jobs from ${QUEUE_URL}; on SIGTERM in-flight jobs get up to 25 s`,
      'received 1 message(s)',
      'received SIGTERM: stopping; no more messages are received',
      'waiting up to 25 s for 1 unfinished job(s) of the current batch',
      'received SIGTERM again: already stopping',
      'the current batch is done and its succeeded messages are deleted',
      'worker stopped',
      'exiting with code 0',
    ]);
  });

  it('stops promptly while waiting on an empty long poll', async () => {
    const { sqs, mock } = scriptedSqs();
    const { worker, lines } = start({ sqs, handler: async () => {} });
    await waitFor(() => mock.commandCalls(ReceiveMessageCommand).length > 0, 'a receive');
    const before = Date.now();
    await worker.stop();
    expect(Date.now() - before).toBeLessThan(1000);
    expect(lines.at(-1)).toMatchObject({ msg: 'worker stopped', received: 0, released: 0 });
  });

  it('reads the queue URL from <NAME>_QUEUE_URL and the stop timeout from STOP_TIMEOUT_SECONDS', async () => {
    const { sqs, mock } = scriptedSqs();
    const { worker } = start({
      sqs,
      queueUrl: undefined,
      queue: 'trigger-jobs',
      env: { TRIGGER_JOBS_QUEUE_URL: 'http://sqs.local/1/from-env', STOP_TIMEOUT_SECONDS: '12' },
      handler: async () => {},
    });
    expect(worker.queueUrl).toBe('http://sqs.local/1/from-env');
    await waitFor(() => mock.commandCalls(ReceiveMessageCommand).length > 0, 'a receive');
    expect(mock.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.QueueUrl).toBe('http://sqs.local/1/from-env');
    expect(mock.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
  });

  it('names the missing variable when the queue URL is not set', () => {
    const { sqs } = scriptedSqs();
    const attempt = () =>
      startQueueWorker({ queue: 'trigger-jobs', env: {}, sqs, signals: [], handler: async () => {} });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/TRIGGER_JOBS_QUEUE_URL is not set/);
  });

  it('rejects options outside their range, naming the option', () => {
    const { sqs } = scriptedSqs();
    const base = { queueUrl: QUEUE_URL, sqs, signals: [], handler: async () => {} };
    expect(() => startQueueWorker({ ...base, batchSize: 11 })).toThrow(/batchSize must be an integer from 1 to 10/);
    expect(() => startQueueWorker({ ...base, concurrency: 0 })).toThrow(WorkerOptionError);
    expect(() => startQueueWorker({ ...base, visibilityTimeoutSeconds: 10, heartbeatIntervalSeconds: 10 })).toThrow(
      /heartbeatIntervalSeconds must be 0 \(off\) or less than visibilityTimeoutSeconds \(10\)/,
    );
    expect(() => startQueueWorker({ ...base, queueUrl: undefined })).toThrow(/give `queue`/);
  });
});
