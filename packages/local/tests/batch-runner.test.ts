// The local runner's AWS Batch: real child processes behind the Batch API, with retries, failures and timeouts.

import { readFileSync } from 'node:fs';
import {
  BatchClient,
  DescribeJobsCommand,
  ListJobsCommand,
  SubmitJobCommand,
  type SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import { defineJobQueue, defineSystem, defineWorkload } from '@hello-fargate/workload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRunner, TIMEOUT_REASON } from '../src/index.js';
import { fixtureProject, tempDir } from './helpers.js';

const child = defineWorkload({
  name: 'child',
  kind: 'batchjob',
  directory: fixtureProject,
  entry: 'apps/batch-child.mjs',
  batch: {
    jobQueue: 'jobs',
    attempts: 3,
    evaluateOnExit: [
      { action: 'RETRY', onExitCode: '75' },
      { action: 'EXIT', onExitCode: '*' },
    ],
  },
});

describe('AWS Batch in the local runner', () => {
  const state = tempDir('hf-batch-runner-');
  const lines: string[] = [];
  let runner: LocalRunner;
  let client: BatchClient;

  beforeAll(async () => {
    runner = await LocalRunner.start({
      system: defineSystem({
        name: 'batchy',
        workloads: [child],
        jobQueues: [defineJobQueue({ name: 'jobs', maxvCpus: 1 })],
      }),
      root: fixtureProject,
      stateDir: state.path,
      databaseUrl: 'postgres://unused@127.0.0.1:1/unused',
      batchMinimumAttemptDurationSeconds: 1,
      batchKillGraceSeconds: 1,
      output: (line) => lines.push(line),
    });
    client = new BatchClient({
      endpoint: runner.status().endpoints.batch as string,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }, 60_000);

  afterAll(async () => {
    await runner?.stop();
    state.remove();
  });

  async function run(input: Partial<SubmitJobCommandInput>) {
    const { jobId } = await client.send(
      new SubmitJobCommand({ jobName: 'test', jobQueue: 'jobs', jobDefinition: 'child', ...input }),
    );
    const settled = await runner.batch?.whenSettled(jobId as string);
    return { jobId: jobId as string, settled };
  }

  const describeJob = async (id: string) => (await client.send(new DescribeJobsCommand({ jobs: [id] }))).jobs?.[0];
  const logOf = (taskLine: string) => readFileSync(taskLine, 'utf8');

  it('gives each child its array variables and retries a retryable exit with AWS_BATCH_JOB_ATTEMPT + 1', async () => {
    const { jobId, settled } = await run({
      arrayProperties: { size: 4 },
      containerOverrides: { environment: [{ name: 'FAIL_ONCE_INDEX', value: '2' }] },
    });
    expect(settled?.status).toBe('SUCCEEDED');
    const retried = await describeJob(`${jobId}:2`);
    expect(retried?.attempts?.map((a) => a.container?.exitCode)).toEqual([75, 0]);
    const runs = lines.filter((l) => l.includes(`child job=${jobId}:2 `));
    expect(runs.map((l) => /attempt=(\d+)/.exec(l)?.[1])).toEqual(['1', '2']);
    expect(runs[0]).toContain('index=2 size=4');
    const others = await Promise.all([0, 1, 3].map((i) => describeJob(`${jobId}:${i}`)));
    expect(others.map((j) => j?.attempts?.length)).toEqual([1, 1, 1]);
  });

  it('fails a child on a non-retryable exit without retrying, and with it the parent', async () => {
    const { jobId, settled } = await run({
      arrayProperties: { size: 3 },
      containerOverrides: { environment: [{ name: 'FAIL_INDEX', value: '1' }] },
    });
    expect(settled?.status).toBe('FAILED');
    const failed = await describeJob(`${jobId}:1`);
    expect(failed?.status).toBe('FAILED');
    expect(failed?.attempts?.map((a) => a.container?.exitCode)).toEqual([1]);
    const children = await client.send(new ListJobsCommand({ arrayJobId: jobId, jobStatus: 'SUCCEEDED' }));
    expect(children.jobSummaryList?.map((j) => j.arrayProperties?.index).sort()).toEqual([0, 2]);
  });

  it('stops an attempt at its timeout with SIGTERM, then SIGKILL after the grace period', async () => {
    const started = Date.now();
    const { jobId, settled } = await run({
      containerOverrides: { environment: [{ name: 'HANG', value: 'true' }] },
      timeout: { attemptDurationSeconds: 1 },
      retryStrategy: { attempts: 1 },
    });
    expect(settled?.status).toBe('FAILED');
    expect(settled?.statusReason).toBe(TIMEOUT_REASON);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000); // 1 s timeout + 1 s grace before SIGKILL
    const task = runner.status().tasks.find((t) => t.startedBy === `batch:${jobId}`);
    const log = logOf(task?.logFile as string);
    expect(log.indexOf('got SIGTERM, ignoring it')).toBeGreaterThan(-1);
    expect(log.indexOf('SIGKILL')).toBeGreaterThan(log.indexOf('got SIGTERM'));
    expect(task?.exitCode).toBeNull();
  });

  it('answers bad submissions with ClientException messages naming the problem', async () => {
    const attempt = (input: Partial<SubmitJobCommandInput>) =>
      client.send(new SubmitJobCommand({ jobName: 'bad', jobQueue: 'jobs', jobDefinition: 'child', ...input }));
    await expect(attempt({ arrayProperties: { size: 1 } })).rejects.toThrow(/size 1 .*2 to 10,000/);
    await expect(attempt({ arrayProperties: { size: 10_001 } })).rejects.toThrow(/size 10001 .*2 to 10,000/);
    await expect(attempt({ jobQueue: 'nope' })).rejects.toThrow(
      'Job queue "nope" does not exist; known job queues: jobs',
    );
    await expect(attempt({ jobDefinition: 'ghost' })).rejects.toMatchObject({ name: 'ClientException' });
  });
});
