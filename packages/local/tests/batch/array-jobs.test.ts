// Array jobs: child ids and env, statusSummary, the parent's state, listing children, and a 1,000-child array.

import { afterEach, describe, expect, it } from 'vitest';
import { harness, history, settle, type Harness } from './batch-test-helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.batch.close();
  h = undefined;
});

describe('LocalBatch array jobs', () => {
  it('gives each child its id, index, array size and attempt in the environment', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 4 }] });
    const { jobId } = h.batch.submitJob({
      jobName: 'fan',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
    });
    await settle();
    expect(h.containers.runs.map((r) => r.spec.environment)).toEqual(
      [0, 1, 2].map((i) =>
        expect.objectContaining({
          AWS_BATCH_JOB_ID: `${jobId}:${i}`,
          AWS_BATCH_JOB_ARRAY_INDEX: String(i),
          AWS_BATCH_JOB_ARRAY_SIZE: '3',
          AWS_BATCH_JOB_ATTEMPT: '1',
          AWS_BATCH_JQ_NAME: 'jobs',
        }),
      ),
    );
    expect(h.containers.runs.map((r) => r.spec.arrayIndex)).toEqual([0, 1, 2]);
  });

  it('keeps the parent PENDING with a statusSummary while children run, then SUCCEEDED', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 0.5 }] });
    const { jobId } = h.batch.submitJob({
      jobName: 'fan',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
    });
    await settle();
    h.containers.live()[0]?.finish(0);
    await settle();
    const parent = h.batch.describeJobs([jobId])[0];
    expect(parent?.status).toBe('PENDING');
    expect(parent?.arrayProperties).toEqual({
      size: 3,
      statusSummary: { SUBMITTED: 0, PENDING: 0, RUNNABLE: 0, STARTING: 0, RUNNING: 2, SUCCEEDED: 1, FAILED: 0 },
    });
    expect(h.batch.describeJobs([`${jobId}:1`])[0]).toMatchObject({
      jobId: `${jobId}:1`,
      status: 'RUNNING',
      arrayProperties: { index: 1 },
    });
    for (const run of h.containers.live()) run.finish(0);
    const settled = await h.batch.whenSettled(jobId);
    expect(settled.status).toBe('SUCCEEDED');
    expect(settled.statusReason).toBeUndefined();
    expect(settled.arrayProperties?.statusSummary?.SUCCEEDED).toBe(3);
    expect(history(h.changes, jobId)).toEqual(['SUBMITTED', 'PENDING', 'SUCCEEDED']);
    expect(history(h.changes, `${jobId}:2`)).toEqual(['RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED']);
  });

  it('fails the parent when a child fails, after the other children have still run', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 0.25 }] });
    h.containers.auto = (spec) => ({ exitCode: spec.arrayIndex === 1 ? 3 : 0 });
    const { jobId } = h.batch.submitJob({
      jobName: 'fan',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 4 },
    });
    const parent = await h.batch.whenSettled(jobId);
    expect(parent.status).toBe('FAILED');
    expect(parent.statusReason).toBe('Array Child Job failed');
    expect(parent.arrayProperties?.statusSummary).toMatchObject({ SUCCEEDED: 3, FAILED: 1 });
    expect(h.containers.runs.map((r) => r.spec.arrayIndex)).toEqual([0, 1, 2, 3]);
    expect(h.batch.describeJobs([`${jobId}:1`])[0]).toMatchObject({
      status: 'FAILED',
      statusReason: 'Essential container in task exited',
      container: { exitCode: 3 },
    });
  });

  it('lists an array job children by index with paging, filtered by status', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 1 }] });
    const { jobId } = h.batch.submitJob({
      jobName: 'fan',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 7 },
    });
    await settle();
    const running = h.batch.listJobs({ arrayJobId: jobId });
    expect(running.jobSummaryList.map((s) => s.arrayProperties?.index)).toEqual([0, 1, 2, 3]);
    const first = h.batch.listJobs({ arrayJobId: jobId, jobStatus: 'RUNNABLE', maxResults: 2 });
    expect(first.jobSummaryList.map((s) => s.jobId)).toEqual([`${jobId}:4`, `${jobId}:5`]);
    expect(first.nextToken).toBeTruthy();
    const second = h.batch.listJobs({
      arrayJobId: jobId,
      jobStatus: 'RUNNABLE',
      maxResults: 2,
      nextToken: first.nextToken,
    });
    expect(second.jobSummaryList.map((s) => s.jobId)).toEqual([`${jobId}:6`]);
    expect(second.nextToken).toBeUndefined();
  });

  it('runs every child of a 1,000-child array exactly once, within maxvCpus', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 4 }] });
    h.containers.auto = () => ({ exitCode: 0 });
    const started = Date.now();
    const { jobId } = h.batch.submitJob({
      jobName: 'big',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 1000 },
    });
    const parent = await h.batch.whenSettled(jobId);
    expect(parent.status).toBe('SUCCEEDED');
    expect(parent.arrayProperties?.statusSummary?.SUCCEEDED).toBe(1000);
    const indexes = h.containers.runs.map((r) => r.spec.arrayIndex);
    expect(indexes).toHaveLength(1000);
    expect(new Set(indexes).size).toBe(1000);
    expect(h.containers.maxRunning).toBeLessThanOrEqual(16);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('accepts a 10,000-child array without starting more than fits', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 2 }] });
    const { jobId } = h.batch.submitJob({
      jobName: 'huge',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 10_000 },
    });
    await settle();
    expect(h.containers.running).toBe(8);
    expect(h.timers.pending).toBe(0);
    expect(h.batch.describeJobs([jobId])[0]?.arrayProperties?.statusSummary).toMatchObject({
      RUNNING: 8,
      RUNNABLE: 9992,
    });
    h.batch.terminateJob(jobId, 'enough');
    const parent = await h.batch.whenSettled(jobId);
    expect(parent).toMatchObject({ status: 'FAILED', statusReason: 'enough' });
    expect(h.containers.runs).toHaveLength(8);
  });
});
