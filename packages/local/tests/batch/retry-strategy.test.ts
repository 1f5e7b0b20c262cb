// Retry strategies: the evaluateOnExit decision rules, and LocalBatch retrying failed attempts with attempt numbers.

import { afterEach, describe, expect, it } from 'vitest';
import { decideOnExit, matchesPattern, resolveRetryStrategy } from '../../src/batch/retry-strategy.js';
import { definition, harness, history, settle, type Harness } from './batch-test-helpers.js';

const failed = {
  exitCode: 137,
  reason: 'OutOfMemoryError: Container killed',
  statusReason: 'Essential container in task exited',
};

describe('evaluateOnExit', () => {
  it('lets the first rule whose given conditions all match decide', () => {
    const strategy = resolveRetryStrategy(
      {
        attempts: 3,
        evaluateOnExit: [
          { action: 'EXIT', onExitCode: '137', onReason: 'CannotPull*' },
          { action: 'exit', onExitCode: '13*', onReason: 'OutOfMemory*' },
          { action: 'RETRY', onExitCode: '*' },
        ],
      },
      'test',
    );
    expect(strategy.evaluateOnExit.map((r) => r.action)).toEqual(['EXIT', 'EXIT', 'RETRY']);
    expect(decideOnExit(strategy, failed)).toBe('EXIT');
    expect(decideOnExit(strategy, { ...failed, reason: 'Other' })).toBe('RETRY');
  });

  it('retries when no rule matches', () => {
    const strategy = resolveRetryStrategy(
      { attempts: 2, evaluateOnExit: [{ action: 'EXIT', onExitCode: '1' }] },
      'test',
    );
    expect(decideOnExit(strategy, failed)).toBe('RETRY');
  });

  it('matches status reasons and prefixes only where the pattern ends with *', () => {
    expect(matchesPattern('Job attempt duration exceeded timeout', 'Job attempt duration exceeded timeout')).toBe(true);
    expect(matchesPattern('Job attempt*', 'Job attempt duration exceeded timeout')).toBe(true);
    expect(matchesPattern('Job attempt', 'Job attempt duration exceeded timeout')).toBe(false);
    expect(matchesPattern('*', 'anything')).toBe(true);
    expect(matchesPattern('1*', undefined)).toBe(false);
  });

  it('never matches an exit code condition when the container was killed (no exit code)', () => {
    const strategy = resolveRetryStrategy(
      { attempts: 2, evaluateOnExit: [{ action: 'EXIT', onExitCode: '*' }] },
      'test',
    );
    expect(decideOnExit(strategy, { ...failed, exitCode: undefined })).toBe('RETRY');
  });
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.batch.close();
  h = undefined;
});

describe('LocalBatch retries', () => {
  it('retries a failed attempt through RUNNABLE with AWS_BATCH_JOB_ATTEMPT + 1', async () => {
    h = harness({ jobDefinitions: [definition({ retryStrategy: { attempts: 3 } })] });
    h.containers.auto = (spec) => ({ exitCode: spec.attempt < 3 ? 1 : 0 });
    const { jobId } = h.batch.submitJob({ jobName: 'flaky', jobQueue: 'jobs', jobDefinition: 'work' });
    const detail = await h.batch.whenSettled(jobId);
    expect(detail.status).toBe('SUCCEEDED');
    expect(h.containers.runs.map((r) => r.spec.environment.AWS_BATCH_JOB_ATTEMPT)).toEqual(['1', '2', '3']);
    expect(detail.attempts.map((a) => a.container.exitCode)).toEqual([1, 1, 0]);
    expect(history(h.changes, jobId)).toEqual([
      'SUBMITTED',
      'RUNNABLE',
      'STARTING',
      'RUNNING',
      'RUNNABLE',
      'STARTING',
      'RUNNING',
      'RUNNABLE',
      'STARTING',
      'RUNNING',
      'SUCCEEDED',
    ]);
  });

  it('fails after the last attempt', async () => {
    h = harness();
    h.containers.auto = () => ({ exitCode: 2 });
    const { jobId } = h.batch.submitJob({
      jobName: 'bad',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      retryStrategy: { attempts: 2 },
    });
    const detail = await h.batch.whenSettled(jobId);
    expect(detail).toMatchObject({ status: 'FAILED', statusReason: 'Essential container in task exited' });
    expect(detail.attempts).toHaveLength(2);
  });

  it('stops retrying at once when an EXIT rule matches, even for an array child', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 1 }] });
    h.containers.auto = (spec) => (spec.arrayIndex === 0 ? { exitCode: 0 } : { exitCode: 42, reason: 'bad input' });
    const { jobId } = h.batch.submitJob({
      jobName: 'strict',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      arrayProperties: { size: 2 },
      retryStrategy: { attempts: 5, evaluateOnExit: [{ action: 'EXIT', onExitCode: '42', onReason: 'bad*' }] },
    });
    const parent = await h.batch.whenSettled(jobId);
    expect(parent.status).toBe('FAILED');
    expect(h.containers.of(`${jobId}:1`)).toHaveLength(1);
    expect(h.batch.describeJobs([`${jobId}:1`])[0]).toMatchObject({
      status: 'FAILED',
      container: { exitCode: 42, reason: 'bad input' },
    });
  });

  it('retries only what a RETRY rule selects when an EXIT rule catches the rest', async () => {
    h = harness();
    h.containers.auto = (spec) => (spec.attempt === 1 ? { exitCode: 75 } : { exitCode: 1 });
    const { jobId } = h.batch.submitJob({
      jobName: 'selective',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      retryStrategy: {
        attempts: 5,
        evaluateOnExit: [
          { action: 'RETRY', onExitCode: '75' },
          { action: 'EXIT', onExitCode: '*' },
        ],
      },
    });
    const detail = await h.batch.whenSettled(jobId);
    expect(detail.attempts.map((a) => a.container.exitCode)).toEqual([75, 1]);
    expect(detail.status).toBe('FAILED');
    await settle();
  });
});
