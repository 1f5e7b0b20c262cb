// Job dependencies: PENDING until dependencies succeed, failure propagation, N_TO_N and SEQUENTIAL array children.

import { afterEach, describe, expect, it } from 'vitest';
import { harness, history, settle, type Harness } from './batch-test-helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.batch.close();
  h = undefined;
});

describe('LocalBatch dependencies', () => {
  it('keeps a job PENDING until its dependency succeeds', async () => {
    h = harness();
    const first = h.batch.submitJob({ jobName: 'first', jobQueue: 'jobs', jobDefinition: 'work' });
    const second = h.batch.submitJob({
      jobName: 'second',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      dependsOn: [{ jobId: first.jobId }],
    });
    await settle();
    expect(h.batch.describeJobs([second.jobId])[0]).toMatchObject({
      status: 'PENDING',
      dependsOn: [{ jobId: first.jobId }],
    });
    expect(h.containers.runs).toHaveLength(1);
    h.containers.of(first.jobId)[0]?.finish(0);
    await settle();
    h.containers.of(second.jobId)[0]?.finish(0);
    expect((await h.batch.whenSettled(second.jobId)).status).toBe('SUCCEEDED');
    expect(history(h.changes, second.jobId)).toEqual([
      'SUBMITTED',
      'PENDING',
      'RUNNABLE',
      'STARTING',
      'RUNNING',
      'SUCCEEDED',
    ]);
  });

  it('fails dependent jobs, transitively, with "Dependent Job failed" when a dependency fails', async () => {
    h = harness();
    const first = h.batch.submitJob({ jobName: 'first', jobQueue: 'jobs', jobDefinition: 'work' });
    const second = h.batch.submitJob({
      jobName: 'second',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      dependsOn: [{ jobId: first.jobId }],
    });
    const third = h.batch.submitJob({
      jobName: 'third',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
      dependsOn: [{ jobId: second.jobId }],
    });
    await settle();
    h.containers.of(first.jobId)[0]?.finish(1);
    const [two, three] = await Promise.all([h.batch.whenSettled(second.jobId), h.batch.whenSettled(third.jobId)]);
    expect(two).toMatchObject({ status: 'FAILED', statusReason: 'Dependent Job failed', attempts: [] });
    expect(three).toMatchObject({ status: 'FAILED', statusReason: 'Dependent Job failed' });
    expect(three.arrayProperties?.statusSummary?.FAILED).toBe(3);
    expect(h.containers.runs).toHaveLength(1);
    const late = h.batch.submitJob({
      jobName: 'late',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      dependsOn: [{ jobId: first.jobId }],
    });
    expect(await h.batch.whenSettled(late.jobId)).toMatchObject({
      status: 'FAILED',
      statusReason: 'Dependent Job failed',
    });
  });

  it('starts child i of an N_TO_N dependent as soon as child i of its dependency succeeds', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 4 }] });
    const a = h.batch.submitJob({
      jobName: 'a',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
    });
    const b = h.batch.submitJob({
      jobName: 'b',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
      dependsOn: [{ jobId: a.jobId, type: 'N_TO_N' }],
    });
    await settle();
    expect(h.containers.runs.map((r) => r.spec.jobId)).toEqual([`${a.jobId}:0`, `${a.jobId}:1`, `${a.jobId}:2`]);
    h.containers.of(`${a.jobId}:1`)[0]?.finish(0);
    await settle();
    expect(h.containers.of(`${b.jobId}:1`)).toHaveLength(1);
    expect(h.containers.of(`${b.jobId}:0`)).toHaveLength(0);
    h.containers.of(`${a.jobId}:2`)[0]?.finish(9);
    await settle();
    expect(h.batch.describeJobs([`${b.jobId}:2`])[0]).toMatchObject({
      status: 'FAILED',
      statusReason: 'Dependent Job failed',
    });
    h.containers.of(`${a.jobId}:0`)[0]?.finish(0);
    await settle();
    for (const run of h.containers.live()) run.finish(0);
    const parent = await h.batch.whenSettled(b.jobId);
    expect(parent.status).toBe('FAILED');
    expect(parent.arrayProperties?.statusSummary).toMatchObject({ SUCCEEDED: 2, FAILED: 1 });
  });

  it('runs SEQUENTIAL children one after another from index 0, and fails the rest when one fails', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 4 }] });
    h.containers.auto = (spec) => ({ exitCode: spec.arrayIndex === 2 ? 1 : 0 });
    let maxAtOnce = 0;
    h.batch.on('change', () => {
      maxAtOnce = Math.max(maxAtOnce, h?.containers.running ?? 0);
    });
    const { jobId } = h.batch.submitJob({
      jobName: 'steps',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 5 },
      dependsOn: [{ type: 'SEQUENTIAL' }],
    });
    const parent = await h.batch.whenSettled(jobId);
    expect(h.containers.runs.map((r) => r.spec.arrayIndex)).toEqual([0, 1, 2]);
    expect(maxAtOnce).toBe(1);
    expect(parent.status).toBe('FAILED');
    expect(h.batch.describeJobs([`${jobId}:3`, `${jobId}:4`]).map((d) => d.statusReason)).toEqual([
      'Dependent Job failed',
      'Dependent Job failed',
    ]);
  });

  it('waits for a whole array job when the dependency has no type', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 4 }] });
    const a = h.batch.submitJob({
      jobName: 'a',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 2 },
    });
    const after = h.batch.submitJob({
      jobName: 'after',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      dependsOn: [{ jobId: a.jobId }],
    });
    await settle();
    h.containers.of(`${a.jobId}:0`)[0]?.finish(0);
    await settle();
    expect(h.containers.of(after.jobId)).toHaveLength(0);
    h.containers.of(`${a.jobId}:1`)[0]?.finish(0);
    await settle();
    expect(h.containers.of(after.jobId)).toHaveLength(1);
  });
});
