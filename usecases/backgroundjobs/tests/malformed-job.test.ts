// A malformed job on the local SQS endpoint: never deleted, logged on each receive, in background-jobs-dlq after 3.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type SqsEndpoint, startSqsEndpoint } from '@hello-fargate/local';
import { publishJob, type QueueWorker, startQueueWorker } from '@hello-fargate/runtime/worker';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../tools/testing/test-databases.js';
import { createJobPerformer } from '../apps/perform-job.js';
import { backgroundJobsQueue } from '../workload.js';

describe('a malformed background job', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hf-malformed-'));
  let endpoint: SqsEndpoint;
  let sqs: SQSClient;
  let worker: QueueWorker | undefined;

  beforeAll(async () => {
    endpoint = await startSqsEndpoint({ dataDir, port: 0 });
    await endpoint.createQueues([backgroundJobsQueue]);
    sqs = new SQSClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    await worker?.stop('test over');
    sqs?.destroy();
    await endpoint?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`moves to ${backgroundJobsQueue.dlqName} after ${backgroundJobsQueue.maxReceiveCount} receives, each logged with the reason`, async () => {
    const { logger, lines } = captureLogger('info');
    // The body fails validation before any query, so the pool is never used.
    const pool = {} as pg.Pool;
    await publishJob(
      sqs,
      endpoint.queueUrl(backgroundJobsQueue.name),
      { type: 'refund', orderId: 'x' },
      { correlationId: 'malformed-1', jobId: 'x:refund' },
    );
    worker = startQueueWorker({
      queueUrl: endpoint.queueUrl(backgroundJobsQueue.name),
      sqs,
      logger,
      signals: [],
      handler: createJobPerformer(pool),
      visibilityTimeoutSeconds: 1,
      heartbeatIntervalSeconds: 0,
      waitTimeSeconds: 1,
    });

    const deadline = Date.now() + 15_000;
    while (endpoint.stats(backgroundJobsQueue.dlqName).visible === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    expect(endpoint.stats(backgroundJobsQueue.dlqName).visible).toBe(1);
    expect(endpoint.stats(backgroundJobsQueue.name)).toMatchObject({ visible: 0, inFlight: 0 });
    const failures = lines.filter((line) => line.level === 'error');
    expect(failures.map((line) => line.receiveCount)).toEqual([1, 2, 3]);
    for (const line of failures) {
      expect(line).toMatchObject({ jobId: 'x:refund', correlationId: 'malformed-1' });
      expect(line.msg).toMatch(/malformed background-jobs message: "type" must be one of invoice, notification/);
      expect(line.msg).toMatch(/background-jobs-dlq/);
    }
  });
});
