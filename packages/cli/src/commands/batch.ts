// `hf batch submit|describe|list`: AWS Batch jobs of the running local system, through its Batch API endpoint.

import {
  BatchClient,
  DescribeJobsCommand,
  type JobStatus,
  type JobSummary,
  ListJobsCommand,
  SubmitJobCommand,
} from '@aws-sdk/client-batch';
import { readFileSync } from 'node:fs';
import { JOB_STATUSES } from '../job-statuses.js';
import { describeJobLines } from '../aws/describe-job-lines.js';
import { CliError } from '../cli-error.js';
import { stateDirFor } from '../load-system.js';
import { ProgressBar } from '../progress-bar.js';
import { fetchStatus, findRunner } from '../runner-client.js';

export interface BatchCommandOptions {
  readonly root: string;
  /** `submit`, `describe` or `list`. */
  readonly action: string;
  readonly args: readonly string[];
  /** submit: number of array children (2–10,000). @default - a single job */
  readonly arraySize?: number;
  /** submit: job queue. @default - the workload's declared batch.jobQueue; list: every queue */
  readonly queue?: string;
  /** submit: job name. @default `<workload>-<timestamp>` */
  readonly name?: string;
  /** submit: `jobId` or `jobId:N_TO_N|SEQUENTIAL`. @default - none */
  readonly dependsOn?: readonly string[];
  /** submit: return after submitting instead of following the job. @default false */
  readonly noWait?: boolean;
  /**
   * submit: a JSON file `{ "jobs": [ { jobName, jobDefinition, jobQueue?, arrayProperties?, dependsOn?: [{ job, type? }] } ] }`
   * of jobs that depend on each other by name; checked as a whole (a cycle is refused) before any is submitted.
   * @default - one job from the arguments
   */
  readonly file?: string;
  /** submit: container command override (after `--`). @default - the workload's command */
  readonly command?: readonly string[];
  /** list: job status filter. @default - every status */
  readonly status?: string;
  /** list: children of this array job. @default - top-level jobs */
  readonly arrayJob?: string;
  /** describe/list: print the API's JSON. @default false */
  readonly json?: boolean;
  /** Client for tests. @default - one pointed at the runner's endpoint */
  readonly client?: BatchClient;
  /** Milliseconds between polls while following a job. @default 500 */
  readonly pollMs?: number;
}

interface LocalBatch {
  readonly client: BatchClient;
  /** The endpoint URL, for the local-only graph submission. */
  readonly endpoint?: string;
  readonly queues: readonly string[];
  /** Each batchjob workload's declared job queue. */
  readonly defaultQueues: Readonly<Record<string, string>>;
}

async function localClient(root: string): Promise<LocalBatch> {
  const runner = findRunner(stateDirFor(root));
  if (!runner) throw new CliError('no local runner is running here; start it with `npm start`', 3);
  const status = await fetchStatus(runner);
  const endpoint = status.endpoints.batch;
  if (!endpoint) throw new CliError('the running system declares no job queues (defineJobQueue in system.ts)', 3);
  const client = new BatchClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    client,
    endpoint,
    queues: status.batch?.jobQueues ?? [],
    defaultQueues: status.batch?.jobDefinitions ?? {},
  };
}

export async function batchCommand(options: BatchCommandOptions): Promise<number> {
  const local: LocalBatch = options.client
    ? { client: options.client, queues: options.queue ? [options.queue] : [], defaultQueues: {} }
    : await localClient(options.root);
  const { client, queues } = local;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  try {
    switch (options.action) {
      case 'submit':
        if (options.file !== undefined) return await submitGraph(local, options, print);
        return await submit(client, options, local.defaultQueues, print);
      case 'describe': {
        const id = options.args[0];
        if (!id) throw new CliError('hf batch describe needs a job id', 2);
        const [job] = (await client.send(new DescribeJobsCommand({ jobs: [id] }))).jobs ?? [];
        if (!job) throw new CliError(`no job with id "${id}"`, 1);
        if (options.json) print(JSON.stringify(job, null, 2));
        else for (const line of describeJobLines(job)) print(line);
        return 0;
      }
      case 'list':
        return await list(client, options, queues, print);
      default:
        throw new CliError(`unknown action "${options.action}"; use submit, describe or list`, 2);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    const name = (error as { name?: string }).name;
    if (name === 'ClientException') throw new CliError((error as Error).message, 1);
    throw error;
  }
}

async function submit(
  client: BatchClient,
  options: BatchCommandOptions,
  defaultQueues: Readonly<Record<string, string>>,
  print: (line: string) => void,
): Promise<number> {
  const workload = options.args[0];
  const definitions = Object.keys(defaultQueues);
  if (!workload || options.args.length > 1) {
    throw new CliError(
      `hf batch submit needs one job definition (a batchjob workload${definitions.length ? `: ${definitions.join(', ')}` : ''}); command arguments go after "--"`,
      2,
    );
  }
  const jobQueue = options.queue ?? defaultQueues[workload];
  if (!jobQueue) {
    throw new CliError(
      `"${workload}" is not a batchjob workload of this system${definitions.length ? ` (batchjobs: ${definitions.join(', ')})` : ''}; or pass --queue`,
      2,
    );
  }
  const dependsOn = (options.dependsOn ?? []).map((spec) => {
    const [jobId, type] = spec.split(/:(?=N_TO_N$|SEQUENTIAL$)/);
    return { jobId, ...(type ? { type: type as 'N_TO_N' | 'SEQUENTIAL' } : {}) };
  });
  const output = await client.send(
    new SubmitJobCommand({
      jobName:
        options.name ??
        `${workload}-${new Date()
          .toISOString()
          .replace(/[-:.TZ]/g, '')
          .slice(0, 14)}`,
      jobDefinition: workload,
      jobQueue,
      ...(options.arraySize !== undefined ? { arrayProperties: { size: options.arraySize } } : {}),
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
      ...(options.command ? { containerOverrides: { command: [...options.command] } } : {}),
    }),
  );
  const size = options.arraySize;
  print(`submitted ${output.jobName} (job ${output.jobId}${size ? `, array of ${size}` : ''})`);
  if (options.noWait) return 0;
  return follow(client, output.jobId as string, options.pollMs ?? 500, print);
}

/** Follows a job until it settles: a progress bar for arrays, state changes for single jobs. */
async function follow(
  client: BatchClient,
  jobId: string,
  pollMs: number,
  print: (line: string) => void,
): Promise<number> {
  const bar = new ProgressBar();
  let lastStatus = '';
  for (;;) {
    const [job] = (await client.send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs ?? [];
    if (!job) throw new CliError(`job ${jobId} disappeared from the runner (was it restarted?)`, 1);
    const summary = job.arrayProperties?.statusSummary;
    const size = job.arrayProperties?.size;
    const finished = job.status === 'SUCCEEDED' || job.status === 'FAILED';
    if (size && summary) {
      const done = (summary.SUCCEEDED ?? 0) + (summary.FAILED ?? 0);
      const detail = JOB_STATUSES.filter((s) => (summary[s] ?? 0) > 0)
        .map((s) => `${s.toLowerCase()} ${summary[s]}`)
        .join(', ');
      if (finished) bar.done(done, size, detail);
      else bar.update(done, size, detail);
    } else if (job.status !== lastStatus) {
      print(`${job.status}${job.statusReason ? `: ${job.statusReason}` : ''}`);
    }
    lastStatus = job.status ?? '';
    if (finished) {
      print(`job ${jobId} ${job.status}${job.statusReason && size ? ` (${job.statusReason})` : ''}`);
      return job.status === 'SUCCEEDED' ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

interface GraphFileJob {
  readonly jobName?: unknown;
  readonly jobDefinition?: unknown;
  readonly jobQueue?: unknown;
  readonly [key: string]: unknown;
}

/** Submits a file of jobs that depend on each other by name, then follows them all until each has settled. */
async function submitGraph(
  local: LocalBatch,
  options: BatchCommandOptions,
  print: (line: string) => void,
): Promise<number> {
  const file = options.file as string;
  let parsed: { jobs?: GraphFileJob[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as { jobs?: GraphFileJob[] };
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, 2);
  }
  if (!Array.isArray(parsed.jobs) || parsed.jobs.length === 0) {
    throw new CliError(`${file} must hold { "jobs": [ … ] } with at least one job`, 2);
  }
  const jobs = parsed.jobs.map((job, i) => {
    if (typeof job.jobName !== 'string' || typeof job.jobDefinition !== 'string') {
      throw new CliError(`${file}: jobs[${i}] needs a jobName and a jobDefinition (a batchjob workload)`, 2);
    }
    const jobQueue = typeof job.jobQueue === 'string' ? job.jobQueue : local.defaultQueues[job.jobDefinition];
    return { ...job, ...(jobQueue ? { jobQueue } : {}) };
  });
  if (!local.endpoint) throw new CliError('submitting a job file needs the local runner', 2);
  const response = await fetch(`${local.endpoint}/v1/local/submitjobgraph`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jobs }),
  });
  const body = (await response.json()) as { message?: string; jobs?: { jobName: string; jobId: string }[] };
  if (!response.ok || !body.jobs) throw new CliError(`${file}: ${body.message ?? `answered ${response.status}`}`, 1);
  for (const job of body.jobs) print(`submitted ${job.jobName} (job ${job.jobId})`);
  if (options.noWait) return 0;
  const ids = body.jobs.map((j) => j.jobId);
  const seen = new Map<string, string>();
  for (;;) {
    const details = (await local.client.send(new DescribeJobsCommand({ jobs: ids }))).jobs ?? [];
    for (const job of details) {
      if (seen.get(job.jobId as string) === job.status) continue;
      seen.set(job.jobId as string, job.status as string);
      print(`${(job.jobName ?? '').padEnd(24)} ${job.status}${job.statusReason ? ` — ${job.statusReason}` : ''}`);
    }
    if (details.length === ids.length && details.every((j) => j.status === 'SUCCEEDED' || j.status === 'FAILED')) {
      return details.every((j) => j.status === 'SUCCEEDED') ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

async function list(
  client: BatchClient,
  options: BatchCommandOptions,
  queues: readonly string[],
  print: (line: string) => void,
): Promise<number> {
  const status = options.status?.toUpperCase();
  if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
    throw new CliError(`--status "${options.status}" is not one of ${JOB_STATUSES.join(', ')}`, 2);
  }
  const statuses = status ? [status as JobStatus] : JOB_STATUSES;
  const jobs: JobSummary[] = [];
  const requests = options.arrayJob
    ? statuses.map((s) => ({ arrayJobId: options.arrayJob, jobStatus: s }))
    : (options.queue ? [options.queue] : queues).flatMap((q) => statuses.map((s) => ({ jobQueue: q, jobStatus: s })));
  if (requests.length === 0) throw new CliError('no job queue to list; pass --queue <name>', 2);
  for (const request of requests) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListJobsCommand({ ...request, ...(nextToken ? { nextToken } : {}) }));
      jobs.push(...(page.jobSummaryList ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  jobs.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  if (options.json) {
    print(JSON.stringify(jobs, null, 2));
    return 0;
  }
  if (jobs.length === 0) {
    print('no jobs');
    return 0;
  }
  for (const job of jobs) {
    const array = job.arrayProperties?.size ? ` [${job.arrayProperties.size}]` : '';
    const created = job.createdAt ? new Date(job.createdAt).toISOString() : '';
    print(
      `${(job.jobId ?? '').padEnd(40)} ${(job.jobName ?? '').padEnd(32)} ${(job.status ?? '').padEnd(9)} ${created}${array}`,
    );
  }
  return 0;
}
