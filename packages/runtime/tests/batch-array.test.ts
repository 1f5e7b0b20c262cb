// readBatchArray: the AWS_BATCH_* variables of an array child, a single job, a hand-started run, and bad values.

import { describe, expect, it } from 'vitest';
import { readBatchArray } from '../src/batch-array.js';
import { ConfigError } from '../src/config-error.js';

const clock = () => new Date('2026-11-21T02:30:00.000Z');

describe('readBatchArray', () => {
  it('reads an array child and takes the parent job id from `<parent>:<index>`', () => {
    const child = readBatchArray({
      AWS_BATCH_JOB_ID: '5c5e1f5a-7d4e-4c59-9d1b-2f3b5e6a7c8d:7',
      AWS_BATCH_JOB_ARRAY_INDEX: '7',
      AWS_BATCH_JOB_ARRAY_SIZE: '10',
      AWS_BATCH_JOB_ATTEMPT: '2',
    });

    expect(child).toEqual({
      jobId: '5c5e1f5a-7d4e-4c59-9d1b-2f3b5e6a7c8d:7',
      parentJobId: '5c5e1f5a-7d4e-4c59-9d1b-2f3b5e6a7c8d',
      index: 7,
      size: 10,
      attempt: 2,
    });
  });

  it('treats a job that is not an array job as one shard of size 1, its own parent', () => {
    expect(readBatchArray({ AWS_BATCH_JOB_ID: 'job-1', AWS_BATCH_JOB_ATTEMPT: '1' })).toEqual({
      jobId: 'job-1',
      parentJobId: 'job-1',
      index: 0,
      size: 1,
      attempt: 1,
    });
  });

  it('gives a hand-started task a manual job id and the first attempt', () => {
    expect(readBatchArray({}, clock)).toEqual({
      jobId: 'manual-2026-11-21T02:30:00.000Z',
      parentJobId: 'manual-2026-11-21T02:30:00.000Z',
      index: 0,
      size: 1,
      attempt: 1,
    });
  });

  it.each([
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '3', AWS_BATCH_JOB_ARRAY_SIZE: '3' }, 'AWS_BATCH_JOB_ARRAY_INDEX', /must be below/],
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '1.5', AWS_BATCH_JOB_ARRAY_SIZE: '3' }, 'AWS_BATCH_JOB_ARRAY_INDEX', /integer/],
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '-1', AWS_BATCH_JOB_ARRAY_SIZE: '3' }, 'AWS_BATCH_JOB_ARRAY_INDEX', /integer/],
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '0', AWS_BATCH_JOB_ARRAY_SIZE: 'ten' }, 'AWS_BATCH_JOB_ARRAY_SIZE', /integer/],
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '0', AWS_BATCH_JOB_ARRAY_SIZE: '0' }, 'AWS_BATCH_JOB_ARRAY_SIZE', /1 to 10000/],
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '0', AWS_BATCH_JOB_ARRAY_SIZE: '10001' }, 'AWS_BATCH_JOB_ARRAY_SIZE', /1 to 10000/],
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '2' }, 'AWS_BATCH_JOB_ARRAY_SIZE', /is not set but AWS_BATCH_JOB_ARRAY_INDEX/],
    [{ AWS_BATCH_JOB_ATTEMPT: '0' }, 'AWS_BATCH_JOB_ATTEMPT', /1 to 10/],
    [{ AWS_BATCH_JOB_ATTEMPT: '2x' }, 'AWS_BATCH_JOB_ATTEMPT', /integer/],
  ])('refuses %o with a ConfigError naming %s', (env, variable, message) => {
    let thrown: unknown;
    try {
      readBatchArray(env);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(variable);
    expect((thrown as ConfigError).message).toMatch(message);
  });
});
