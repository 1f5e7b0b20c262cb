// Reading the AWS Batch job contract: which job, which child of an array job, and which attempt this container is.

import { ConfigError } from './config-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** AWS Batch allows array jobs of 2 to 10,000 children. */
export const MAX_BATCH_ARRAY_SIZE = 10_000;

/** AWS Batch retries a job at most 10 times in all. */
export const MAX_BATCH_ATTEMPTS = 10;

/** One container of a Batch job. A job that is not an array job is one shard: index 0 of size 1. */
export interface BatchArrayChild {
  /** AWS_BATCH_JOB_ID: `<parent>:<index>` for an array child. By hand: `manual-<ISO timestamp>`. */
  readonly jobId: string;
  /** The array job's id (AWS_BATCH_JOB_ID without `:<index>`); the job id itself for a non-array job. */
  readonly parentJobId: string;
  /** AWS_BATCH_JOB_ARRAY_INDEX, from 0. @default 0 */
  readonly index: number;
  /** AWS_BATCH_JOB_ARRAY_SIZE, 1 to 10,000. @default 1 */
  readonly size: number;
  /** AWS_BATCH_JOB_ATTEMPT, from 1: the retry strategy's attempt number. @default 1 */
  readonly attempt: number;
}

/**
 * The Batch job this container runs from the environment; a ConfigError naming the variable when a value is not an
 * integer in range or the index is not below the size.
 * @param now the clock for the manual job id. @default () => new Date()
 */
export function readBatchArray(env: Env = process.env, now: () => Date = () => new Date()): BatchArrayChild {
  const rawIndex = nonEmpty(env.AWS_BATCH_JOB_ARRAY_INDEX);
  const rawSize = nonEmpty(env.AWS_BATCH_JOB_ARRAY_SIZE);
  if (rawIndex !== undefined && rawSize === undefined) {
    throw new ConfigError(
      'AWS_BATCH_JOB_ARRAY_SIZE',
      `environment variable AWS_BATCH_JOB_ARRAY_SIZE is not set but AWS_BATCH_JOB_ARRAY_INDEX is "${rawIndex}"; an array child needs both (set both, or neither for a single job)`,
    );
  }
  const size = integer('AWS_BATCH_JOB_ARRAY_SIZE', rawSize, 1, [1, MAX_BATCH_ARRAY_SIZE]);
  const index = integer('AWS_BATCH_JOB_ARRAY_INDEX', rawIndex, 0, [0, MAX_BATCH_ARRAY_SIZE - 1]);
  if (index >= size) {
    throw new ConfigError(
      'AWS_BATCH_JOB_ARRAY_INDEX',
      `environment variable AWS_BATCH_JOB_ARRAY_INDEX="${index}" must be below AWS_BATCH_JOB_ARRAY_SIZE="${size}" (indexes count from 0)`,
    );
  }
  const attempt = integer('AWS_BATCH_JOB_ATTEMPT', nonEmpty(env.AWS_BATCH_JOB_ATTEMPT), 1, [1, MAX_BATCH_ATTEMPTS]);
  const jobId = nonEmpty(env.AWS_BATCH_JOB_ID) ?? `manual-${now().toISOString()}`;
  const suffix = `:${index}`;
  const isChild = rawIndex !== undefined && jobId.endsWith(suffix) && jobId.length > suffix.length;
  return { jobId, parentJobId: isChild ? jobId.slice(0, -suffix.length) : jobId, index, size, attempt };
}

function integer(name: string, raw: string | undefined, fallback: number, [min, max]: [number, number]): number {
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `environment variable ${name}="${raw}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
