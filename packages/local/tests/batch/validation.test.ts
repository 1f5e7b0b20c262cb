// SubmitJob's refusals: each is a BatchClientError (ClientException, 400) whose message names what was wrong.

import { afterEach, describe, expect, it } from 'vitest';
import { BatchClientError, type SubmitJobInput } from '../../src/batch/index.js';
import { LocalBatch } from '../../src/batch/local-batch.js';
import { definition, harness, type Harness } from './batch-test-helpers.js';

let h: Harness;
afterEach(async () => {
  await h.batch.close();
});

function refusal(input: Partial<SubmitJobInput>): BatchClientError {
  try {
    h.batch.submitJob({ jobName: 'job', jobQueue: 'jobs', jobDefinition: 'work', ...input } as SubmitJobInput);
  } catch (error) {
    expect(error).toBeInstanceOf(BatchClientError);
    expect((error as BatchClientError).code).toBe('ClientException');
    expect((error as BatchClientError).status).toBe(400);
    return error as BatchClientError;
  }
  throw new Error('submitJob accepted the request');
}

describe('SubmitJob validation', () => {
  it('refuses bad job names', () => {
    h = harness();
    expect(refusal({ jobName: '-starts-with-dash' }).message).toContain('jobName "-starts-with-dash" is invalid');
    expect(refusal({ jobName: 'a'.repeat(129) }).message).toContain('1–128 letters, digits');
    expect(refusal({ jobName: 'has space' }).message).toContain('is invalid');
    expect(
      h.batch.submitJob({ jobName: `9ok_Name-${'x'.repeat(118)}`, jobQueue: 'jobs', jobDefinition: 'work' }).jobId,
    ).toBeTruthy();
  });

  it('names an unknown job queue and lists the known ones', () => {
    h = harness({
      jobQueues: [
        { name: 'jobs', maxvCpus: 1 },
        { name: 'other', maxvCpus: 2 },
      ],
    });
    expect(refusal({ jobQueue: 'missing' }).message).toBe(
      'Job queue "missing" does not exist; known job queues: jobs, other.',
    );
  });

  it('names an unknown job definition or revision', () => {
    h = harness();
    expect(refusal({ jobDefinition: 'nope' }).message).toBe(
      'Job definition "nope" does not exist; known job definitions: work:1.',
    );
    expect(refusal({ jobDefinition: 'work:2' }).message).toContain('"work:2" does not exist');
  });

  it('refuses array sizes outside 2–10,000, naming the value', () => {
    h = harness();
    expect(refusal({ arrayProperties: { size: 1 } }).message).toContain(
      'arrayProperties.size 1 is out of range; an array job has 2 to 10,000 children',
    );
    expect(refusal({ arrayProperties: { size: 10_001 } }).message).toContain(
      'arrayProperties.size 10001 is out of range',
    );
    expect(refusal({ arrayProperties: { size: 2.5 } }).message).toContain('2.5');
  });

  it('refuses unknown, too many and mistyped dependencies', () => {
    h = harness();
    const single = h.batch.submitJob({ jobName: 'single', jobQueue: 'jobs', jobDefinition: 'work' });
    const array3 = h.batch.submitJob({
      jobName: 'arr',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 3 },
    });
    expect(refusal({ dependsOn: [{ jobId: 'no-such-job' }] }).message).toContain(
      'dependsOn[0]: job no-such-job does not exist',
    );
    expect(refusal({ dependsOn: Array.from({ length: 21 }, () => ({ jobId: single.jobId })) }).message).toContain(
      'dependsOn has 21 entries; AWS Batch allows at most 20',
    );
    expect(refusal({ dependsOn: [{ jobId: single.jobId, type: 'ALL' }] }).message).toContain(
      'dependsOn[0].type "ALL" must be N_TO_N or SEQUENTIAL',
    );
    expect(refusal({ dependsOn: [{ jobId: array3.jobId, type: 'N_TO_N' }] }).message).toContain(
      'but this is not an array job',
    );
    expect(
      refusal({ arrayProperties: { size: 3 }, dependsOn: [{ jobId: single.jobId, type: 'N_TO_N' }] }).message,
    ).toContain(`an N_TO_N dependency needs an array job, but ${single.jobId} is not one`);
    expect(
      refusal({ arrayProperties: { size: 4 }, dependsOn: [{ jobId: array3.jobId, type: 'N_TO_N' }] }).message,
    ).toContain(`${array3.jobId} has 3 children and this job 4`);
    expect(refusal({ dependsOn: [{ type: 'SEQUENTIAL' }] }).message).toContain(
      "a SEQUENTIAL dependency runs an array job's children one after another, but this is not an array job",
    );
    expect(
      refusal({ arrayProperties: { size: 3 }, dependsOn: [{ jobId: single.jobId, type: 'SEQUENTIAL' }] }).message,
    ).toContain('remove its jobId');
    expect(refusal({ dependsOn: [{}] }).message).toContain('dependsOn[0] needs a jobId');
  });

  it('refuses bad retry strategies and timeouts', () => {
    h = harness({ minimumAttemptDurationSeconds: 60 });
    expect(refusal({ retryStrategy: { attempts: 0 } }).message).toContain(
      'retryStrategy.attempts 0 is out of range; AWS Batch allows 1 to 10',
    );
    expect(refusal({ retryStrategy: { attempts: 11 } }).message).toContain('attempts 11 is out of range');
    expect(
      refusal({ retryStrategy: { attempts: 2, evaluateOnExit: Array.from({ length: 6 }, () => ({ action: 'EXIT' })) } })
        .message,
    ).toContain('has 6 rules; AWS Batch allows at most 5');
    expect(refusal({ retryStrategy: { attempts: 2, evaluateOnExit: [{ action: 'MAYBE' }] } }).message).toContain(
      'evaluateOnExit[0].action "MAYBE" must be RETRY or EXIT',
    );
    expect(
      refusal({ retryStrategy: { attempts: 2, evaluateOnExit: [{ action: 'EXIT', onExitCode: 'one' }] } }).message,
    ).toContain('onExitCode "one" must be 1–512 characters: digits');
    expect(refusal({ timeout: { attemptDurationSeconds: 59 } }).message).toContain(
      'timeout.attemptDurationSeconds 59 is too short; AWS Batch requires at least 60 seconds',
    );
  });

  it('refuses reserved AWS_BATCH variables and a definition larger than the queue', () => {
    h = harness({ jobDefinitions: [definition(), definition({ name: 'huge', vcpus: 4 })] });
    expect(
      refusal({ containerOverrides: { environment: [{ name: 'AWS_BATCH_JOB_ID', value: 'x' }] } }).message,
    ).toContain('AWS_BATCH_JOB_ID: names starting with AWS_BATCH are reserved');
    expect(refusal({ jobDefinition: 'huge' }).message).toContain(
      'job definition huge needs 4 vCPUs but job queue jobs allows at most 1 (maxvCpus)',
    );
  });

  it('refuses more than 100 ids in DescribeJobs and leaves unknown ids out', () => {
    h = harness();
    expect(() => h.batch.describeJobs(Array.from({ length: 101 }, (_, i) => `id-${i}`))).toThrow(
      'DescribeJobs got 101 job ids; AWS Batch allows at most 100 per call.',
    );
    expect(h.batch.describeJobs(['unknown', 'other:1'])).toEqual([]);
  });

  it('refuses a misconfigured LocalBatch', () => {
    h = harness();
    const base = { jobDefinitions: [definition()], runContainer: h.containers.runContainer };
    expect(() => new LocalBatch({ ...base, jobQueues: [{ name: 'q', maxvCpus: 0 }] })).toThrow(
      'job queue q needs maxvCpus > 0',
    );
    expect(
      () =>
        new LocalBatch({
          ...base,
          jobQueues: [
            { name: 'q', maxvCpus: 1 },
            { name: 'q', maxvCpus: 1 },
          ],
        }),
    ).toThrow('job queue q is configured twice');
  });
});
