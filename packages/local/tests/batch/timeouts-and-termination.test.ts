// Attempt timeouts (stop, statusReason, retry), TerminateJob and CancelJob, and close() with jobs in flight.

import { afterEach, describe, expect, it } from 'vitest';
import { harness, settle, type Harness } from './batch-test-helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.batch.close();
  h = undefined;
});

describe('LocalBatch timeouts', () => {
  it('stops an attempt that outlives attemptDurationSeconds and does not retry it, attempts left or not', async () => {
    // AWS Batch: "If a job is terminated for exceeding the timeout duration, it's not retried."
    h = harness();
    const { jobId } = h.batch.submitJob({
      jobName: 'slow',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      timeout: { attemptDurationSeconds: 90 },
      retryStrategy: { attempts: 2 },
    });
    await settle();
    expect(h.containers.runs[0]?.spec.attemptDurationSeconds).toBe(90);
    expect(h.timers.fireAll()).toEqual([90_000]);
    await settle();
    expect(h.containers.runs[0]?.stops).toEqual(['Job attempt duration exceeded timeout']);
    const detail = await h.batch.whenSettled(jobId);
    expect(h.containers.runs).toHaveLength(1);
    expect(detail).toMatchObject({ status: 'FAILED', statusReason: 'Job attempt duration exceeded timeout' });
    expect(detail.attempts.map((a) => a.statusReason)).toEqual(['Job attempt duration exceeded timeout']);
    expect(detail.attempts[0]?.container.exitCode).toBe(143);
  });

  it('lets an EXIT rule on the timeout status reason stop the retries', async () => {
    h = harness();
    const { jobId } = h.batch.submitJob({
      jobName: 'slow',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      timeout: { attemptDurationSeconds: 60 },
      retryStrategy: { attempts: 3, evaluateOnExit: [{ action: 'EXIT', onStatusReason: 'Job attempt duration*' }] },
    });
    await settle();
    h.timers.fireAll();
    expect((await h.batch.whenSettled(jobId)).attempts).toHaveLength(1);
  });

  it('counts the timeout per array child and cancels the timer of a child that finished', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 1 }] });
    const { jobId } = h.batch.submitJob({
      jobName: 'slow',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 2 },
      timeout: { attemptDurationSeconds: 60 },
    });
    await settle();
    expect(h.timers.pending).toBe(2);
    h.containers.of(`${jobId}:0`)[0]?.finish(0);
    await settle();
    expect(h.timers.pending).toBe(1);
    h.timers.fireAll();
    const parent = await h.batch.whenSettled(jobId);
    expect(parent.status).toBe('FAILED');
    expect(h.batch.describeJobs([`${jobId}:0`, `${jobId}:1`]).map((d) => d.status)).toEqual(['SUCCEEDED', 'FAILED']);
  });

  it('fails a timed-out attempt even when the container exits 0 on SIGTERM', async () => {
    h = harness();
    h.containers.exitOnStop = 0;
    const { jobId } = h.batch.submitJob({
      jobName: 'slow',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      timeout: { attemptDurationSeconds: 60 },
    });
    await settle();
    h.timers.fireAll();
    expect(await h.batch.whenSettled(jobId)).toMatchObject({
      status: 'FAILED',
      statusReason: 'Job attempt duration exceeded timeout',
    });
  });
});

describe('LocalBatch TerminateJob and CancelJob', () => {
  it('terminates a running job without retrying it, and fails a queued one, with the reason', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 0.25 }] });
    const running = h.batch.submitJob({
      jobName: 'running',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      retryStrategy: { attempts: 3 },
    });
    const queued = h.batch.submitJob({ jobName: 'queued', jobQueue: 'jobs', jobDefinition: 'work' });
    await settle();
    h.batch.terminateJob(running.jobId, 'user asked');
    h.batch.terminateJob(queued.jobId, 'not needed');
    expect(h.containers.runs[0]?.stops).toEqual(['user asked']);
    expect(await h.batch.whenSettled(running.jobId)).toMatchObject({ status: 'FAILED', statusReason: 'user asked' });
    expect(await h.batch.whenSettled(queued.jobId)).toMatchObject({
      status: 'FAILED',
      statusReason: 'not needed',
      attempts: [],
    });
    expect(h.containers.runs).toHaveLength(1);
  });

  it('cancels only jobs that have not started, as AWS does', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 0.25 }] });
    const { jobId } = h.batch.submitJob({
      jobName: 'fan',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
    });
    await settle();
    h.batch.cancelJob(jobId, 'changed my mind');
    expect(h.containers.runs[0]?.stops).toEqual([]);
    expect(h.batch.describeJobs([`${jobId}:0`, `${jobId}:1`, `${jobId}:2`]).map((d) => d.status)).toEqual([
      'RUNNING',
      'FAILED',
      'FAILED',
    ]);
    h.containers.runs[0]?.finish(0);
    expect(await h.batch.whenSettled(jobId)).toMatchObject({ status: 'FAILED', statusReason: 'changed my mind' });
  });

  it('refuses a terminate without a reason or for an unknown job', () => {
    h = harness();
    const { jobId } = h.batch.submitJob({ jobName: 'x', jobQueue: 'jobs', jobDefinition: 'work' });
    expect(() => h?.batch.terminateJob(jobId, '')).toThrow('TerminateJob needs a reason');
    expect(() => h?.batch.cancelJob('nope', 'why')).toThrow('CancelJob: job nope does not exist');
  });

  it('stops running containers and fails unfinished jobs on close', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 0.25 }] });
    const running = h.batch.submitJob({ jobName: 'running', jobQueue: 'jobs', jobDefinition: 'work' });
    const queued = h.batch.submitJob({ jobName: 'queued', jobQueue: 'jobs', jobDefinition: 'work' });
    await settle();
    const { batch, containers } = h;
    h = undefined;
    await batch.close();
    expect(containers.runs[0]?.stops).toEqual(['Local runner stopped before the job finished']);
    expect(batch.describeJobs([running.jobId, queued.jobId]).map((d) => [d.status, d.statusReason])).toEqual([
      ['FAILED', 'Local runner stopped before the job finished'],
      ['FAILED', 'Local runner stopped before the job finished'],
    ]);
    expect(() => batch.submitJob({ jobName: 'late', jobQueue: 'jobs', jobDefinition: 'work' })).toThrow('closed');
  });
});
