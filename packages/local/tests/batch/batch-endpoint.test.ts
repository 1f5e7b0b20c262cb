// The local Batch REST endpoint driven by the real @aws-sdk/client-batch: submit, describe, list, errors, limits.

import {
  BatchClient,
  CancelJobCommand,
  ClientException,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  SubmitJobCommand,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBatchEndpoint, type BatchEndpoint } from '../../src/batch/index.js';
import { harness, settle, type Harness } from './batch-test-helpers.js';

let h: Harness;
let endpoint: BatchEndpoint;
let client: BatchClient;
beforeEach(async () => {
  h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 0.5 }] });
  endpoint = await startBatchEndpoint({ batch: h.batch, port: 0 });
  client = new BatchClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterEach(async () => {
  client.destroy();
  await endpoint.close();
  await h.batch.close();
});

describe('local Batch endpoint with the AWS SDK', () => {
  it('submits an array job, describes it and lists its children', async () => {
    const submitted = await client.send(
      new SubmitJobCommand({
        jobName: 'fan',
        jobQueue: 'arn:aws:batch:us-east-1:000000000000:job-queue/jobs',
        jobDefinition: 'work',
        arrayProperties: { size: 3 },
        containerOverrides: { environment: [{ name: 'MODE', value: 'sdk' }] },
        retryStrategy: { attempts: 2, evaluateOnExit: [{ action: 'EXIT', onExitCode: '3' }] },
      }),
    );
    expect(submitted.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(submitted.jobArn).toBe(`arn:aws:batch:us-east-1:000000000000:job/${submitted.jobId}`);
    await settle();
    const { jobs } = await client.send(new DescribeJobsCommand({ jobs: [submitted.jobId as string, 'unknown-id'] }));
    expect(jobs).toHaveLength(1);
    expect(jobs?.[0]).toMatchObject({
      jobName: 'fan',
      status: 'PENDING',
      createdAt: 1_000_000,
      arrayProperties: { size: 3, statusSummary: { RUNNING: 2, RUNNABLE: 1 } },
      retryStrategy: { attempts: 2, evaluateOnExit: [{ action: 'EXIT', onExitCode: '3' }] },
      container: { environment: expect.arrayContaining([{ name: 'MODE', value: 'sdk' }]) },
      platformCapabilities: ['FARGATE'],
    });
    const running = await client.send(new ListJobsCommand({ arrayJobId: submitted.jobId }));
    expect(running.jobSummaryList?.map((s) => [s.jobId, s.status, s.arrayProperties?.index])).toEqual([
      [`${submitted.jobId}:0`, 'RUNNING', 0],
      [`${submitted.jobId}:1`, 'RUNNING', 1],
    ]);
    const page = await client.send(
      new ListJobsCommand({ arrayJobId: submitted.jobId, jobStatus: 'RUNNING', maxResults: 1 }),
    );
    const next = await client.send(
      new ListJobsCommand({
        arrayJobId: submitted.jobId,
        jobStatus: 'RUNNING',
        maxResults: 1,
        nextToken: page.nextToken,
      }),
    );
    expect([page.jobSummaryList?.[0]?.jobId, next.jobSummaryList?.[0]?.jobId]).toEqual([
      `${submitted.jobId}:0`,
      `${submitted.jobId}:1`,
    ]);
    const queue = await client.send(
      new ListJobsCommand({ jobQueue: 'jobs', filters: [{ name: 'JOB_NAME', values: ['fa*'] }] }),
    );
    expect(queue.jobSummaryList?.map((s) => s.jobName)).toEqual(['fan']);
  });

  it('surfaces a refused request as a ClientException with the message', async () => {
    const error = await client
      .send(
        new SubmitJobCommand({ jobName: 'bad', jobQueue: 'jobs', jobDefinition: 'work', arrayProperties: { size: 1 } }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientException);
    expect((error as ClientException).name).toBe('ClientException');
    expect((error as ClientException).message).toContain('arrayProperties.size 1 is out of range');
    expect((error as ClientException).$metadata.httpStatusCode).toBe(400);
    const unknownQueue = await client
      .send(new SubmitJobCommand({ jobName: 'bad', jobQueue: 'nope', jobDefinition: 'work' }))
      .catch((e: unknown) => e);
    expect((unknownQueue as Error).message).toBe('Job queue "nope" does not exist; known job queues: jobs.');
  });

  it('terminates and cancels jobs', async () => {
    const running = await client.send(new SubmitJobCommand({ jobName: 'r', jobQueue: 'jobs', jobDefinition: 'work' }));
    await client.send(new SubmitJobCommand({ jobName: 'other', jobQueue: 'jobs', jobDefinition: 'work' }));
    const queued = await client.send(new SubmitJobCommand({ jobName: 'q', jobQueue: 'jobs', jobDefinition: 'work' }));
    await settle();
    await client.send(new CancelJobCommand({ jobId: queued.jobId, reason: 'never mind' }));
    await client.send(new TerminateJobCommand({ jobId: running.jobId, reason: 'stop it' }));
    const { jobs } = await client.send(
      new DescribeJobsCommand({ jobs: [running.jobId as string, queued.jobId as string] }),
    );
    expect(jobs?.map((j) => [j.status, j.statusReason])).toEqual([
      ['FAILED', 'stop it'],
      ['FAILED', 'never mind'],
    ]);
  });

  it('describes job queues and job definitions', async () => {
    const { jobQueues } = await client.send(new DescribeJobQueuesCommand({}));
    expect(jobQueues).toEqual([
      expect.objectContaining({
        jobQueueName: 'jobs',
        jobQueueArn: 'arn:aws:batch:us-east-1:000000000000:job-queue/jobs',
        state: 'ENABLED',
        status: 'VALID',
      }),
    ]);
    const { jobDefinitions } = await client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: 'work' }));
    expect(jobDefinitions?.[0]).toMatchObject({
      jobDefinitionName: 'work',
      revision: 1,
      status: 'ACTIVE',
      containerProperties: {
        command: ['node', 'main.js'],
        resourceRequirements: [
          { type: 'VCPU', value: '0.25' },
          { type: 'MEMORY', value: '512' },
        ],
      },
    });
  });

  it('answers 404 to unknown routes and 413 to oversized bodies', async () => {
    const unknown = await fetch(`${endpoint.url}/v1/createjobqueue`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toContain(
      'no operation at POST /v1/createjobqueue',
    );
    const large = await fetch(`${endpoint.url}/v1/submitjob`, { method: 'POST', body: 'x'.repeat(300 * 1024) });
    expect(large.status).toBe(413);
    const notJson = await fetch(`${endpoint.url}/v1/submitjob`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-errortype')).toBe('ClientException');
  });
});
