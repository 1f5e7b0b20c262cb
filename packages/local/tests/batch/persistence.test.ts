// Job history in <stateDir>/batch/jobs.json: a restarted LocalBatch lists past jobs and fails the unfinished ones.

import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBatch } from '../../src/batch/local-batch.js';
import { tempDir } from '../helpers.js';
import { definition, FakeContainers, settle } from './batch-test-helpers.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir('hf-batch-');
});
afterEach(() => {
  dir.remove();
});

function open(containers = new FakeContainers(), historyLimit?: number): LocalBatch {
  return new LocalBatch({
    jobQueues: [{ name: 'jobs', maxvCpus: 0.5 }],
    jobDefinitions: [definition()],
    runContainer: containers.runContainer,
    stateDir: dir.path,
    ...(historyLimit !== undefined && { historyLimit }),
  });
}

describe('LocalBatch persistence', () => {
  it('lists past jobs after a restart and fails those that were unfinished', async () => {
    const containers = new FakeContainers();
    const first = open(containers);
    const done = first.submitJob({ jobName: 'done', jobQueue: 'jobs', jobDefinition: 'work' });
    const fan = first.submitJob({
      jobName: 'fan',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
    });
    await settle();
    containers.of(done.jobId)[0]?.finish(0);
    await first.whenSettled(done.jobId);
    await settle();
    // The runner dies here: nothing is closed, only what was written on the way survives.
    await first.flush();
    expect(existsSync(join(dir.path, 'batch', 'jobs.json'))).toBe(true);

    const second = open();
    const [past, array] = second.describeJobs([done.jobId, fan.jobId]);
    expect(past).toMatchObject({ status: 'SUCCEEDED', jobName: 'done', attempts: [{ container: { exitCode: 0 } }] });
    expect(array).toMatchObject({ status: 'FAILED', statusReason: 'Local runner stopped before the job finished' });
    expect(array?.arrayProperties?.statusSummary).toMatchObject({ FAILED: 3, RUNNING: 0, RUNNABLE: 0 });
    expect(second.listJobs({ arrayJobId: fan.jobId, jobStatus: 'FAILED' }).jobSummaryList).toHaveLength(3);
    expect(second.listJobs({ jobQueue: 'jobs', jobStatus: 'SUCCEEDED' }).jobSummaryList.map((s) => s.jobId)).toEqual([
      done.jobId,
    ]);
    const after = second.submitJob({
      jobName: 'after',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      dependsOn: [{ jobId: done.jobId }],
    });
    expect(second.describeJobs([after.jobId])[0]?.dependsOn).toEqual([{ jobId: done.jobId }]);
    await second.close();
    await first.close();
  });

  it('writes the jobs on close and keeps only the newest historyLimit finished jobs', async () => {
    const containers = new FakeContainers();
    containers.auto = () => ({ exitCode: 0 });
    const batch = open(containers, 3);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { jobId } = batch.submitJob({ jobName: `j${i}`, jobQueue: 'jobs', jobDefinition: 'work' });
      ids.push(jobId);
      await batch.whenSettled(jobId);
    }
    await batch.close();
    const saved = JSON.parse(readFileSync(join(dir.path, 'batch', 'jobs.json'), 'utf8')) as {
      jobs: { jobId: string }[];
    };
    expect(saved.jobs.map((j) => j.jobId)).toEqual(ids.slice(2));
    const reopened = open();
    expect(reopened.describeJobs(ids).map((d) => d.jobName)).toEqual(['j2', 'j3', 'j4']);
    await reopened.close();
  });

  it('explains a damaged history file', () => {
    mkdirSync(join(dir.path, 'batch'), { recursive: true });
    writeFileSync(join(dir.path, 'batch', 'jobs.json'), '{"version":1,"jobs":[');
    expect(() => open()).toThrow(/jobs\.json is not valid JSON .*delete it to start with an empty history/);
  });
});
