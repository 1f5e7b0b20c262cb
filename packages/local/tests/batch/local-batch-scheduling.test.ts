// LocalBatch's job lifecycle and scheduling: states in order, timestamps, FIFO, the maxvCpus bound, the global cap.

import { afterEach, describe, expect, it } from 'vitest';
import { FakeContainers, harness, history, settle, type Harness } from './batch-test-helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.batch.close();
  h = undefined;
});

describe('LocalBatch scheduling', () => {
  it('moves a job SUBMITTED → RUNNABLE → STARTING → RUNNING → SUCCEEDED with epoch-ms timestamps', async () => {
    h = harness();
    const { jobId, jobArn, jobName } = h.batch.submitJob({ jobName: 'one', jobQueue: 'jobs', jobDefinition: 'work' });
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(jobArn).toBe(`arn:aws:batch:us-east-1:000000000000:job/${jobId}`);
    expect(jobName).toBe('one');
    expect(h.batch.describeJobs([jobId])[0]?.status).toBe('SUBMITTED');
    await settle();
    h.tick(5000);
    h.containers.of(jobId)[0]?.finish(0);
    const detail = await h.batch.whenSettled(jobId);
    expect(history(h.changes, jobId)).toEqual(['SUBMITTED', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED']);
    expect(detail).toMatchObject({
      status: 'SUCCEEDED',
      statusReason: 'Essential container in task exited',
      createdAt: 1_000_000,
      startedAt: 1_000_000,
      stoppedAt: 1_005_000,
      jobQueue: 'arn:aws:batch:us-east-1:000000000000:job-queue/jobs',
      jobDefinition: 'arn:aws:batch:us-east-1:000000000000:job-definition/work:1',
      container: { exitCode: 0, command: ['node', 'main.js'], logStreamName: `local/${jobId}` },
      attempts: [
        {
          container: { exitCode: 0, taskArn: expect.stringContaining('task/local/') },
          startedAt: 1_000_000,
          stoppedAt: 1_005_000,
          statusReason: 'Essential container in task exited',
        },
      ],
    });
  });

  it('stays STARTING until the container reports it runs', async () => {
    const fakes = new FakeContainers();
    let started: () => void = () => undefined;
    h = harness({
      runContainer: (spec) => ({ ...fakes.runContainer(spec), started: new Promise<void>((r) => (started = r)) }),
    });
    const { jobId } = h.batch.submitJob({ jobName: 'slow-start', jobQueue: 'jobs', jobDefinition: 'work' });
    await settle();
    expect(h.batch.describeJobs([jobId])[0]?.status).toBe('STARTING');
    expect(h.batch.describeJobs([jobId])[0]?.startedAt).toBeUndefined();
    h.tick(2000);
    started();
    await settle();
    expect(h.batch.describeJobs([jobId])[0]).toMatchObject({ status: 'RUNNING', startedAt: 1_002_000 });
  });

  it('never runs more jobs at once than maxvCpus / vcpus, and starts them in submission order', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 1 }] });
    const ids = Array.from(
      { length: 10 },
      (_, i) => h?.batch.submitJob({ jobName: `j${i}`, jobQueue: 'jobs', jobDefinition: 'work' }).jobId as string,
    );
    await settle();
    expect(h.containers.running).toBe(4);
    while (h.containers.live().length > 0) {
      h.containers.live()[0]?.finish(0);
      await settle();
      expect(h.containers.running).toBeLessThanOrEqual(4);
    }
    expect(h.containers.maxRunning).toBe(4);
    expect(h.containers.runs.map((r) => r.spec.jobId)).toEqual(ids);
    expect(h.batch.describeJobs(ids).every((d) => d.status === 'SUCCEEDED')).toBe(true);
  });

  it('caps containers across queues with maxConcurrentContainers, higher priority first', async () => {
    h = harness({
      jobQueues: [
        { name: 'low', maxvCpus: 4, priority: 1 },
        { name: 'high', maxvCpus: 4, priority: 10 },
      ],
      maxConcurrentContainers: 2,
    });
    const low = h.batch.submitJob({
      jobName: 'low',
      jobQueue: 'low',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
    });
    const high = h.batch.submitJob({
      jobName: 'high',
      jobQueue: 'high',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
    });
    await settle();
    expect(h.containers.runs.map((r) => r.spec.jobId)).toEqual([`${high.jobId}:0`, `${high.jobId}:1`]);
    h.containers.live()[0]?.finish(0);
    await settle();
    expect(h.containers.running).toBe(2);
    expect(h.containers.runs.map((r) => r.spec.jobId)).toContain(`${high.jobId}:2`);
    for (let i = 0; i < 10 && h.containers.live().length > 0; i++) {
      for (const run of h.containers.live()) run.finish(0);
      await settle();
    }
    expect(h.containers.maxRunning).toBe(2);
    expect((await h.batch.whenSettled(low.jobId)).status).toBe('SUCCEEDED');
  });

  it('passes the definition, overrides and kill grace to the container', async () => {
    h = harness({ killGraceSeconds: 7 });
    h.batch.submitJob({
      jobName: 'over',
      jobQueue: 'arn:aws:batch:us-east-1:000000000000:job-queue/jobs',
      jobDefinition: 'work:1',
      containerOverrides: { command: ['node', 'other.js'], environment: [{ name: 'MODE', value: 'fast' }] },
      parameters: { ignored: 'yes' },
    });
    await settle();
    const spec = h.containers.runs[0]?.spec;
    expect(spec).toMatchObject({
      jobName: 'over',
      jobQueue: 'jobs',
      attempt: 1,
      command: ['node', 'other.js'],
      killGraceSeconds: 7,
      vcpus: 0.25,
      memory: 512,
      environment: { STAGE: 'local', MODE: 'fast', AWS_BATCH_JQ_NAME: 'jobs', AWS_BATCH_JOB_ATTEMPT: '1' },
    });
    expect(spec?.environment.AWS_BATCH_JOB_ARRAY_INDEX).toBeUndefined();
    expect(spec?.environment.AWS_BATCH_JOB_ARRAY_SIZE).toBeUndefined();
  });

  it('fails an attempt whose container cannot start, with the error as container reason', async () => {
    h = harness({
      runContainer: () => {
        throw new Error('spawn node ENOENT');
      },
    });
    const { jobId } = h.batch.submitJob({ jobName: 'broken', jobQueue: 'jobs', jobDefinition: 'work' });
    await settle();
    expect(await h.batch.whenSettled(jobId)).toMatchObject({
      status: 'FAILED',
      statusReason: 'Task failed to start',
      attempts: [{ container: { reason: 'CannotStartContainerError: spawn node ENOENT' } }],
    });
  });
});
