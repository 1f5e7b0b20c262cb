// A job as LocalBatch keeps it (shared fields once per array, small child records), and its AWS-shaped views.

import {
  JOB_STATUSES,
  type AttemptDetail,
  type ContainerRun,
  type JobDefinitionSpec,
  type JobDependency,
  type JobDetail,
  type JobStatus,
  type JobSummary,
  type StatusSummary,
} from './batch-types.js';
import type { ResolvedRetryStrategy } from './retry-strategy.js';

/** What a job and all its children share. */
export interface JobShared {
  readonly jobName: string;
  readonly queueName: string;
  readonly queueArn: string;
  readonly definition: JobDefinitionSpec;
  readonly definitionArn: string;
  /** Array size; undefined for a single job. */
  readonly size: number | undefined;
  readonly dependsOn: readonly JobDependency[];
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly retryStrategy: ResolvedRetryStrategy;
  readonly attemptDurationSeconds: number | undefined;
  readonly parameters: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

/** The attempt a job is running now. */
export interface ActiveAttempt {
  readonly number: number;
  readonly vcpus: number;
  run: ContainerRun | undefined;
  readonly attempt: AttemptDetail;
  cancelTimer: (() => void) | undefined;
  timedOut: boolean;
  terminateReason: string | undefined;
  startFailed: boolean;
}

export interface JobRecord {
  readonly jobId: string;
  /** Submission order (children share their parent's). */
  readonly seq: number;
  readonly shared: JobShared;
  /** Index of an array child. */
  readonly index?: number;
  readonly parent?: JobRecord;
  /** Children of an array job (absent when loaded without them). */
  children?: JobRecord[];
  /** Counts of the children per state, kept up to date on every child change. */
  summary?: StatusSummary;
  status: JobStatus;
  statusReason?: string;
  startedAt?: number;
  stoppedAt?: number;
  attempts: AttemptDetail[];
  /** Unfinished prerequisites (dependencies, the parent's gate, the previous SEQUENTIAL child). */
  waiting: number;
  /** A dependency had already failed at submission. */
  dependencyFailed?: boolean;
  /** An array parent whose whole-job dependencies are met and whose children were let go. */
  released?: boolean;
  /** Array parents whose children wait, N_TO_N, for this array's children. */
  nToNDependents?: JobRecord[];
  sequential?: boolean;
  active?: ActiveAttempt;
}

export const isFinal = (status: JobStatus): boolean => status === 'SUCCEEDED' || status === 'FAILED';

export function emptySummary(): StatusSummary {
  return Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as StatusSummary;
}

export function jobArn(rec: JobRecord): string {
  return rec.shared.queueArn.replace(/:job-queue\/.*$/, `:job/${rec.jobId}`);
}

function lastContainer(rec: JobRecord): AttemptDetail['container'] | undefined {
  return rec.active?.attempt.container ?? rec.attempts[rec.attempts.length - 1]?.container;
}

function arrayProperties(rec: JobRecord, withSummary: boolean): JobDetail['arrayProperties'] {
  if (rec.index !== undefined) return { index: rec.index };
  if (rec.shared.size === undefined) return undefined;
  return withSummary
    ? { statusSummary: { ...rec.summary } as StatusSummary, size: rec.shared.size }
    : { size: rec.shared.size };
}

/** DescribeJobs' view of a job. */
export function toJobDetail(rec: JobRecord): JobDetail {
  const { shared } = rec;
  const container = lastContainer(rec);
  const arrayProps = arrayProperties(rec, true);
  const { evaluateOnExit } = shared.retryStrategy;
  return {
    jobArn: jobArn(rec),
    jobName: shared.jobName,
    jobId: rec.jobId,
    jobQueue: shared.queueArn,
    status: rec.status,
    ...(rec.statusReason !== undefined && { statusReason: rec.statusReason }),
    createdAt: shared.createdAt,
    ...(rec.startedAt !== undefined && { startedAt: rec.startedAt }),
    ...(rec.stoppedAt !== undefined && { stoppedAt: rec.stoppedAt }),
    attempts: rec.attempts.map((a) => ({ ...a, container: { ...a.container } })),
    dependsOn: rec.index === undefined ? shared.dependsOn : [],
    jobDefinition: shared.definitionArn,
    parameters: shared.parameters,
    container: {
      image: shared.definition.image ?? 'local',
      command: shared.command,
      environment: Object.entries(shared.environment).map(([name, value]) => ({ name, value })),
      resourceRequirements: [
        { type: 'VCPU', value: String(shared.definition.vcpus) },
        { type: 'MEMORY', value: String(shared.definition.memory) },
      ],
      ...(container?.exitCode !== undefined && { exitCode: container.exitCode }),
      ...(container?.reason !== undefined && { reason: container.reason }),
      ...(container?.taskArn !== undefined && { taskArn: container.taskArn }),
      ...(container?.logStreamName !== undefined && { logStreamName: container.logStreamName }),
    },
    ...(arrayProps && { arrayProperties: arrayProps }),
    retryStrategy: {
      attempts: shared.retryStrategy.attempts,
      ...(evaluateOnExit.length > 0 && { evaluateOnExit }),
    },
    ...(shared.attemptDurationSeconds !== undefined && {
      timeout: { attemptDurationSeconds: shared.attemptDurationSeconds },
    }),
    platformCapabilities: ['FARGATE'],
    tags: {},
    propagateTags: false,
  };
}

/** ListJobs' view of a job. */
export function toJobSummary(rec: JobRecord): JobSummary {
  const container = lastContainer(rec);
  const arrayProps = arrayProperties(rec, false);
  return {
    jobArn: jobArn(rec),
    jobId: rec.jobId,
    jobName: rec.shared.jobName,
    createdAt: rec.shared.createdAt,
    status: rec.status,
    ...(rec.statusReason !== undefined && { statusReason: rec.statusReason }),
    ...(rec.startedAt !== undefined && { startedAt: rec.startedAt }),
    ...(rec.stoppedAt !== undefined && { stoppedAt: rec.stoppedAt }),
    ...(container && {
      container: {
        ...(container.exitCode !== undefined && { exitCode: container.exitCode }),
        ...(container.reason !== undefined && { reason: container.reason }),
      },
    }),
    ...(arrayProps && { arrayProperties: arrayProps }),
    jobDefinition: rec.shared.definitionArn,
  };
}
