// `hf batch submit|describe|list --env <env>`: AWS Batch jobs of a deployed batchjob workload, followed like locally.

import {
  type BatchClient,
  DescribeJobsCommand,
  type JobDependency,
  type JobDetail,
  type JobStatus,
  type JobSummary,
  ListJobsCommand,
  SubmitJobCommand,
  type SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { BATCH_JOB_STACK_OUTPUTS, stackName } from '@hello-fargate/workload';
import { ProgressBar } from '../progress-bar.js';
import { AwsCommandError, type AwsCallContext, awsCall } from './aws-command-error.js';
import { describeJobLines } from './describe-job-lines.js';
import { readDeployedOutputs } from './read-deployed-outputs.js';
import { sleep } from './sleep.js';
import { INTERRUPTED_EXIT_CODE } from './task-exit-code.js';

/** Milliseconds between DescribeJobs calls while following a job. */
export const DEFAULT_BATCH_POLL_INTERVAL_MS = 2000;

/** Smallest and largest array job AWS Batch accepts. */
export const ARRAY_SIZE_RANGE = { min: 2, max: 10_000 } as const;

/** Most dependencies one job may have. */
export const MAX_DEPENDENCIES = 20;

/**
 * DescribeJobs answers in a row that may not know a just-submitted job (AWS Batch is eventually consistent) before
 * following gives up.
 */
export const MISSING_JOB_POLLS_TOLERATED = 10;

import { JOB_STATUSES } from '../job-statuses.js';

export { JOB_STATUSES };

/** The AWS clients to use, configured by the caller (region, credentials, endpoints). */
export interface BatchOnAwsClients {
  readonly batch: BatchClient;
  readonly cloudformation: CloudFormationClient;
}

/** Where the commands write. The CLI sends `print` to stdout and `progress` to stderr. */
export interface BatchOnAwsOutput {
  /** What the command reports: the job submitted, its status changes, its result, descriptions and lists. */
  print(line: string): void;
  /** Notes about the command itself: the stack read, an interruption. */
  progress(line: string): void;
}

export interface SubmitBatchJobOnAwsOptions {
  /** The system's name, the first part of every stack name. */
  readonly system: string;
  /** The deployed environment, e.g. `staging`. */
  readonly environment: string;
  /** The batchjob workload; its stack is `stackName(system, environment, workload)`. */
  readonly workload: string;
  readonly clients: BatchOnAwsClients;
  readonly output: BatchOnAwsOutput;
  /** Children of an array job, 2–10,000; checked before any AWS call. @default - a single job */
  readonly arraySize?: number;
  /** Jobs to wait for: `jobId`, `jobId:N_TO_N` or `jobId:SEQUENTIAL`; at most 20. @default [] */
  readonly dependsOn?: readonly string[];
  /** The job's name (1–128 letters, digits, `-`, `_`, starting with a letter or digit). @default `<workload>-<UTC yyyymmddhhmmss>` */
  readonly jobName?: string;
  /** Replaces the container's command. @default - the job definition's command */
  readonly command?: readonly string[];
  /** Return once submitted instead of following the job. @default false */
  readonly noWait?: boolean;
  /** Milliseconds between DescribeJobs calls while following; must be above 0. @default 2000 */
  readonly pollIntervalMs?: number;
  /**
   * Aborting it (Ctrl-C) while following stops following and leaves the job to AWS Batch; the exit code is then
   * 130. Aborted before SubmitJob, nothing is submitted and INTERRUPTED is thrown. @default - cannot be interrupted
   */
  readonly signal?: AbortSignal;
  /** Where an array job's progress bar is drawn. @default process.stderr */
  readonly progressStream?: NodeJS.WriteStream;
  /** The clock for the default job name. @default () => new Date() */
  readonly now?: () => Date;
}

export interface SubmitBatchJobOnAwsResult {
  /** 0 when the job SUCCEEDED (or was not followed), 1 when it FAILED, 130 when interrupted. */
  readonly exitCode: number;
  readonly jobId: string;
  /** The last status seen. */
  readonly status: string;
}

export interface DescribeBatchJobOnAwsOptions {
  readonly environment: string;
  readonly jobId: string;
  readonly clients: Pick<BatchOnAwsClients, 'batch'>;
  readonly output: BatchOnAwsOutput;
  /** Print DescribeJobs' JSON instead of the summary. @default false */
  readonly json?: boolean;
}

export interface ListBatchJobsOnAwsOptions {
  readonly system: string;
  readonly environment: string;
  /** Batchjob workloads whose stacks' job queues are listed (a queue shared by several is listed once). */
  readonly workloads: readonly string[];
  readonly clients: BatchOnAwsClients;
  readonly output: BatchOnAwsOutput;
  /** Only jobs in this status (any case). @default - every status */
  readonly status?: string;
  /** List the children of this array job instead of the queues' jobs. @default - the queues' jobs */
  readonly arrayJob?: string;
  /** Print the job summaries as JSON. @default false */
  readonly json?: boolean;
}

/** `jobId`, `jobId:N_TO_N` or `jobId:SEQUENTIAL` → a JobDependency; an array child's id `<id>:<index>` stays whole. */
export function parseDependency(spec: string): JobDependency {
  const match = /^(.+?)(?::([A-Z_]+))?$/.exec(spec.trim());
  const jobId = match?.[1];
  const type = match?.[2];
  if (!jobId || (type !== undefined && type !== 'N_TO_N' && type !== 'SEQUENTIAL')) {
    throw new AwsCommandError(
      'INVALID_ARGUMENT',
      `--depends-on "${spec}" must be a job id, optionally followed by :N_TO_N or :SEQUENTIAL`,
    );
  }
  return { jobId, ...(type ? { type } : {}) };
}

/** The SubmitJob input, checked as a whole before any AWS call; kept apart so it reads as one plain object. */
export function submitJobInput(
  options: Pick<SubmitBatchJobOnAwsOptions, 'workload' | 'arraySize' | 'dependsOn' | 'jobName' | 'command' | 'now'>,
  target: { readonly jobQueueArn: string; readonly jobDefinitionArn: string },
): SubmitJobCommandInput {
  const dependsOn = (options.dependsOn ?? []).map(parseDependency);
  const jobName = options.jobName ?? defaultJobName(options.workload, (options.now ?? (() => new Date()))());
  return {
    jobName,
    jobQueue: target.jobQueueArn,
    jobDefinition: target.jobDefinitionArn,
    ...(options.arraySize !== undefined ? { arrayProperties: { size: options.arraySize } } : {}),
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    ...(options.command !== undefined ? { containerOverrides: { command: [...options.command] } } : {}),
  };
}

/** Refuses what AWS Batch would refuse, before the stack is even read. */
export function checkSubmitOptions(
  options: Pick<SubmitBatchJobOnAwsOptions, 'arraySize' | 'dependsOn' | 'jobName' | 'pollIntervalMs'>,
): void {
  const { arraySize, dependsOn = [], jobName, pollIntervalMs } = options;
  const { min, max } = ARRAY_SIZE_RANGE;
  if (arraySize !== undefined && !(Number.isInteger(arraySize) && arraySize >= min && arraySize <= max)) {
    throw new AwsCommandError(
      'INVALID_ARGUMENT',
      `--array-size ${arraySize} is out of range: an array job has from ${min} to ${max.toLocaleString('en')} ` +
        'children (leave --array-size out for a single job)',
    );
  }
  if (dependsOn.length > MAX_DEPENDENCIES) {
    throw new AwsCommandError(
      'INVALID_ARGUMENT',
      `a job may depend on at most ${MAX_DEPENDENCIES} jobs, got ${dependsOn.length} --depends-on`,
    );
  }
  dependsOn.forEach(parseDependency);
  if (jobName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(jobName)) {
    throw new AwsCommandError(
      'INVALID_ARGUMENT',
      `--name "${jobName}" must be 1–128 letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
  if (pollIntervalMs !== undefined && !(pollIntervalMs > 0)) {
    throw new RangeError(`pollIntervalMs must be above 0, got ${pollIntervalMs}`);
  }
}

/**
 * Submits one job (or array job) to the batchjob stack's queue and job definition and, unless `noWait`, follows it
 * until it SUCCEEDED or FAILED: a progress bar for arrays, status changes for single jobs.
 */
export async function submitBatchJobOnAws(options: SubmitBatchJobOnAwsOptions): Promise<SubmitBatchJobOnAwsResult> {
  const { system, environment, workload, clients, output, signal } = options;
  checkSubmitOptions(options);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_BATCH_POLL_INTERVAL_MS;

  const stack = stackName(system, environment, workload);
  output.progress(`reading stack ${stack}`);
  const outputs = await readDeployedOutputs({
    cloudformation: clients.cloudformation,
    stackName: stack,
    environment,
    keys: BATCH_JOB_STACK_OUTPUTS,
    required: ['jobQueueArn', 'jobDefinitionArn'],
  });
  if (signal?.aborted)
    throw new AwsCommandError('INTERRUPTED', 'interrupted before the job was submitted; nothing runs');

  const input = submitJobInput(options, {
    jobQueueArn: outputs.jobQueueArn as string,
    jobDefinitionArn: outputs.jobDefinitionArn as string,
  });
  const submitted = await awsCall({ action: 'batch:SubmitJob', environment }, () =>
    clients.batch.send(new SubmitJobCommand(input)),
  );
  const jobId = submitted.jobId ?? '';
  const size = options.arraySize;
  output.print(`submitted ${submitted.jobName ?? input.jobName} (job ${jobId}${size ? `, array of ${size}` : ''})`);
  if (options.noWait) return { exitCode: 0, jobId, status: 'SUBMITTED' };

  const bar = new ProgressBar(options.progressStream ? { stream: options.progressStream } : {});
  let lastStatus = '';
  let missingPolls = 0;
  for (;;) {
    if (signal?.aborted) {
      output.progress(`interrupted: job ${jobId} stays with AWS Batch (last status ${lastStatus || 'unknown'})`);
      output.progress(`stop it with \`aws batch terminate-job --job-id ${jobId} --reason "stopped from hf"\``);
      return { exitCode: INTERRUPTED_EXIT_CODE, jobId, status: lastStatus };
    }
    const job = await describeJob(clients.batch, environment, jobId);
    if (!job) {
      if (++missingPolls >= MISSING_JOB_POLLS_TOLERATED) {
        throw new AwsCommandError(
          'NOT_FOUND',
          `job ${jobId} was submitted but DescribeJobs does not find it after ${missingPolls} tries; ` +
            `look for it with \`hf batch list ${workload} --env ${environment}\``,
        );
      }
    } else {
      missingPolls = 0;
      const status = job.status ?? 'UNKNOWN';
      const finished = status === 'SUCCEEDED' || status === 'FAILED';
      const summary = job.arrayProperties?.statusSummary;
      const arraySize = job.arrayProperties?.size;
      if (arraySize && summary) {
        const done = (summary.SUCCEEDED ?? 0) + (summary.FAILED ?? 0);
        const detail = JOB_STATUSES.filter((s) => (summary[s] ?? 0) > 0)
          .map((s) => `${s.toLowerCase()} ${summary[s]}`)
          .join(', ');
        if (finished) bar.done(done, arraySize, detail);
        else bar.update(done, arraySize, detail);
      } else if (status !== lastStatus) {
        output.print(`${status}${job.statusReason ? `: ${job.statusReason}` : ''}`);
      }
      lastStatus = status;
      if (finished) {
        output.print(`job ${jobId} ${status}${job.statusReason && arraySize ? ` (${job.statusReason})` : ''}`);
        if (status === 'FAILED' && outputs.logGroupName) {
          const stream = job.container?.logStreamName;
          output.print(`  logs: group ${outputs.logGroupName}${stream ? `, stream ${stream}` : ''}`);
        }
        return { exitCode: status === 'SUCCEEDED' ? 0 : 1, jobId, status };
      }
    }
    await sleep(pollIntervalMs, signal);
  }
}

/** Prints one job, like the local `hf batch describe`; throws NOT_FOUND when AWS Batch does not know the id. */
export async function describeBatchJobOnAws(options: DescribeBatchJobOnAwsOptions): Promise<void> {
  const { environment, jobId, clients, output } = options;
  const job = await describeJob(clients.batch, environment, jobId);
  if (!job) {
    throw new AwsCommandError(
      'NOT_FOUND',
      `no job with id "${jobId}" in --env ${environment} (AWS Batch forgets finished jobs after about 7 days)`,
    );
  }
  if (options.json) output.print(JSON.stringify(job, null, 2));
  else for (const line of describeJobLines(job)) output.print(line);
}

/** Lists the jobs of the workloads' queues (or an array job's children) in every or one status, newest first. */
export async function listBatchJobsOnAws(options: ListBatchJobsOnAwsOptions): Promise<void> {
  const { system, environment, workloads, clients, output, arrayJob } = options;
  const status = options.status?.toUpperCase();
  if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
    throw new AwsCommandError(
      'INVALID_ARGUMENT',
      `--status "${options.status}" is not one of ${JOB_STATUSES.join(', ')}`,
    );
  }
  if (arrayJob === undefined && workloads.length === 0) {
    throw new AwsCommandError(
      'INVALID_ARGUMENT',
      'no batchjob workload to list the queue of; the system declares none',
    );
  }
  const statuses = status ? [status as JobStatus] : JOB_STATUSES;

  const targets: { arrayJobId?: string; jobQueue?: string }[] = [];
  if (arrayJob !== undefined) {
    targets.push({ arrayJobId: arrayJob });
  } else {
    const queues = new Set<string>();
    for (const workload of workloads) {
      const stack = stackName(system, environment, workload);
      output.progress(`reading stack ${stack}`);
      const outputs = await readDeployedOutputs({
        cloudformation: clients.cloudformation,
        stackName: stack,
        environment,
        keys: BATCH_JOB_STACK_OUTPUTS,
        required: ['jobQueueArn'],
      });
      queues.add(outputs.jobQueueArn as string);
    }
    for (const jobQueue of queues) targets.push({ jobQueue });
  }

  const context: AwsCallContext = { action: 'batch:ListJobs', environment };
  const jobs: JobSummary[] = [];
  for (const target of targets) {
    for (const jobStatus of statuses) {
      let nextToken: string | undefined;
      do {
        const page = await awsCall(context, () =>
          clients.batch.send(new ListJobsCommand({ ...target, jobStatus, ...(nextToken ? { nextToken } : {}) })),
        );
        jobs.push(...(page.jobSummaryList ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    }
  }
  jobs.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  if (options.json) {
    output.print(JSON.stringify(jobs, null, 2));
    return;
  }
  if (jobs.length === 0) {
    output.print('no jobs');
    return;
  }
  for (const job of jobs) {
    const array = job.arrayProperties?.size ? ` [${job.arrayProperties.size}]` : '';
    const created = job.createdAt ? new Date(job.createdAt).toISOString() : '';
    output.print(
      `${(job.jobId ?? '').padEnd(40)} ${(job.jobName ?? '').padEnd(32)} ${(job.status ?? '').padEnd(9)} ${created}${array}`,
    );
  }
}

function defaultJobName(workload: string, now: Date): string {
  return `${workload}-${now
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}`;
}

async function describeJob(batch: BatchClient, environment: string, jobId: string): Promise<JobDetail | undefined> {
  const result = await awsCall({ action: 'batch:DescribeJobs', environment }, () =>
    batch.send(new DescribeJobsCommand({ jobs: [jobId] })),
  );
  return result.jobs?.find((j) => j.jobId === jobId) ?? result.jobs?.[0];
}
