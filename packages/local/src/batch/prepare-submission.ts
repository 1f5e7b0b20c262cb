// SubmitJob's checks, run before anything is created: every refusal is a BatchClientError saying what to change.

import { BatchClientError } from './batch-client-error.js';
import type { BatchCatalog } from './batch-catalog.js';
import type { JobDefinitionSpec, JobDependency, JobQueueSpec, KeyValuePair, SubmitJobInput } from './batch-types.js';
import { resolveRetryStrategy, type ResolvedRetryStrategy } from './retry-strategy.js';

/** What a dependency points at: whether it is an array job, and of which size. */
export interface DependencyTarget {
  /** The job's id, or a placeholder for a job of the same graph that is not submitted yet. */
  readonly key: string;
  /** Array size; undefined for a job that is not an array job. */
  readonly size: number | undefined;
}

/** A checked dependency: `key` is the DependencyTarget's key (none for SEQUENTIAL). */
export interface PreparedDependency {
  readonly type: 'N_TO_N' | 'SEQUENTIAL' | undefined;
  readonly key?: string;
}

/** A checked submission: everything needed to create the job. */
export interface PreparedSubmission {
  readonly jobName: string;
  readonly queue: JobQueueSpec;
  readonly definition: JobDefinitionSpec;
  readonly size: number | undefined;
  /** The dependencies in the order given. */
  readonly dependencies: readonly PreparedDependency[];
  readonly command: readonly string[];
  /** Definition environment with the overrides applied (no AWS_BATCH_* yet). */
  readonly environment: Readonly<Record<string, string>>;
  readonly retryStrategy: ResolvedRetryStrategy;
  readonly attemptDurationSeconds: number | undefined;
  readonly parameters: Readonly<Record<string, string>>;
}

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const MAX_ARRAY_SIZE = 10_000;
const MAX_DEPENDENCIES = 20;

/**
 * Checks `input` against the catalog. `lookup` finds dependency `i` (undefined when unknown); `minimumTimeout` is the
 * smallest attemptDurationSeconds accepted (60 on AWS).
 */
export function prepareSubmission(
  input: SubmitJobInput,
  catalog: BatchCatalog,
  lookup: (dependency: JobDependency, index: number) => DependencyTarget | undefined,
  minimumTimeout: number,
): PreparedSubmission {
  if (typeof input !== 'object' || input === null) throw new BatchClientError('SubmitJob needs a request object.');
  const { jobName } = input;
  if (typeof jobName !== 'string' || !JOB_NAME.test(jobName)) {
    throw new BatchClientError(
      `jobName ${JSON.stringify(jobName)} is invalid: use 1–128 letters, digits, hyphens (-) and underscores (_), starting with a letter or digit.`,
    );
  }
  const where = `Job ${jobName}`;
  const queue = catalog.resolveQueue(input.jobQueue);
  const definition = catalog.resolveDefinition(input.jobDefinition);
  if (definition.vcpus > queue.maxvCpus) {
    throw new BatchClientError(
      `${where}: job definition ${definition.name} needs ${definition.vcpus} vCPUs but job queue ${queue.name} allows at most ${queue.maxvCpus} (maxvCpus); the job could never start. Use a smaller definition or a larger queue.`,
    );
  }
  const size = arraySize(input, where);
  const deps = dependencies(input, where, size, lookup);
  const overrides = input.containerOverrides ?? {};
  const command = overrides.command ?? definition.command;
  if (!Array.isArray(command) || command.some((part) => typeof part !== 'string')) {
    throw new BatchClientError(`${where}: containerOverrides.command must be a list of strings.`);
  }
  const environment = { ...(definition.environment ?? {}), ...overrideEnvironment(overrides.environment, where) };
  const retryStrategy = resolveRetryStrategy(input.retryStrategy ?? definition.retryStrategy, where);
  const timeout = input.timeout ?? definition.timeout;
  const attemptDurationSeconds = timeout?.attemptDurationSeconds;
  if (attemptDurationSeconds !== undefined) {
    if (typeof attemptDurationSeconds !== 'number' || !Number.isInteger(attemptDurationSeconds)) {
      throw new BatchClientError(
        `${where}: timeout.attemptDurationSeconds ${JSON.stringify(attemptDurationSeconds)} must be a whole number of seconds.`,
      );
    }
    if (attemptDurationSeconds < minimumTimeout) {
      throw new BatchClientError(
        `${where}: timeout.attemptDurationSeconds ${attemptDurationSeconds} is too short; AWS Batch requires at least ${minimumTimeout} seconds.`,
      );
    }
  }
  return {
    jobName,
    queue,
    definition,
    size,
    dependencies: deps,
    command,
    environment,
    retryStrategy,
    attemptDurationSeconds,
    parameters: input.parameters ?? {},
  };
}

function arraySize(input: SubmitJobInput, where: string): number | undefined {
  const size = input.arrayProperties?.size;
  if (size === undefined || size === null) return undefined;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 2 || size > MAX_ARRAY_SIZE) {
    throw new BatchClientError(
      `${where}: arrayProperties.size ${JSON.stringify(size)} is out of range; an array job has 2 to 10,000 children (omit arrayProperties for a single job).`,
    );
  }
  return size;
}

function dependencies(
  input: SubmitJobInput,
  where: string,
  size: number | undefined,
  lookup: (dependency: JobDependency, index: number) => DependencyTarget | undefined,
): PreparedDependency[] {
  const given = input.dependsOn ?? [];
  if (!Array.isArray(given)) throw new BatchClientError(`${where}: dependsOn must be a list.`);
  if (given.length > MAX_DEPENDENCIES) {
    throw new BatchClientError(
      `${where}: dependsOn has ${given.length} entries; AWS Batch allows at most ${MAX_DEPENDENCIES} dependencies per job.`,
    );
  }
  return given.map((dep: JobDependency, i): PreparedDependency => {
    const field = `${where}: dependsOn[${i}]`;
    const type = typeof dep?.type === 'string' ? dep.type.toUpperCase() : dep?.type;
    if (type !== undefined && type !== 'N_TO_N' && type !== 'SEQUENTIAL') {
      throw new BatchClientError(`${field}.type ${JSON.stringify(dep.type)} must be N_TO_N or SEQUENTIAL, or omitted.`);
    }
    if (type === 'SEQUENTIAL') {
      if (size === undefined) {
        throw new BatchClientError(
          `${field}: a SEQUENTIAL dependency runs an array job's children one after another, but this is not an array job; add arrayProperties.size or remove the dependency.`,
        );
      }
      if (dep.jobId !== undefined) {
        throw new BatchClientError(
          `${field}: a SEQUENTIAL dependency applies to the array job's own children; remove its jobId (use N_TO_N or a plain dependency to wait for another job).`,
        );
      }
      return { type };
    }
    if (typeof dep?.jobId !== 'string' || dep.jobId === '') {
      throw new BatchClientError(`${field} needs a jobId (only SEQUENTIAL dependencies have none).`);
    }
    const target = lookup(dep, i);
    if (!target) {
      throw new BatchClientError(
        `${field}: job ${dep.jobId} does not exist (or is no longer kept); submit it first or check the id.`,
      );
    }
    if (type === 'N_TO_N') {
      if (size === undefined) {
        throw new BatchClientError(
          `${field}: an N_TO_N dependency makes child i wait for child i of ${dep.jobId}, but this is not an array job; add arrayProperties.size or drop the type.`,
        );
      }
      if (target.size === undefined) {
        throw new BatchClientError(
          `${field}: an N_TO_N dependency needs an array job, but ${dep.jobId} is not one; drop the type to wait for the whole job.`,
        );
      }
      if (target.size !== size) {
        throw new BatchClientError(
          `${field}: an N_TO_N dependency needs arrays of the same size, but ${dep.jobId} has ${target.size} children and this job ${size}.`,
        );
      }
      return { type, key: target.key };
    }
    return { type: undefined, key: target.key };
  });
}

function overrideEnvironment(list: readonly KeyValuePair[] | undefined, where: string): Record<string, string> {
  if (list === undefined) return {};
  if (!Array.isArray(list)) throw new BatchClientError(`${where}: containerOverrides.environment must be a list.`);
  const result: Record<string, string> = {};
  for (const [i, pair] of list.entries()) {
    if (typeof pair?.name !== 'string' || pair.name === '' || typeof pair.value !== 'string') {
      throw new BatchClientError(
        `${where}: containerOverrides.environment[${i}] needs a name and a string value (got ${JSON.stringify(pair)}).`,
      );
    }
    if (pair.name.startsWith('AWS_BATCH')) {
      throw new BatchClientError(
        `${where}: containerOverrides.environment[${i}] ${pair.name}: names starting with AWS_BATCH are reserved by AWS Batch; rename it.`,
      );
    }
    result[pair.name] = pair.value;
  }
  return result;
}
