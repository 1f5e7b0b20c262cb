// A small local AWS Batch (Fargate): queues bounded by maxvCpus, array jobs, dependencies, retries, timeouts, history.

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { BatchCatalog } from './batch-catalog.js';
import { BatchClientError } from './batch-client-error.js';
import { BatchStateFile, INTERRUPTED_REASON } from './batch-state-file.js';
import type {
  ContainerResult,
  ContainerRun,
  ContainerSpec,
  GraphJobInput,
  JobChange,
  JobDefinitionSpec,
  JobDependency,
  JobDetail,
  JobQueueSpec,
  JobStatus,
  ListJobsInput,
  ListJobsOutput,
  SubmitJobInput,
  SubmitJobOutput,
} from './batch-types.js';
import { orderJobGraph } from './job-graph.js';
import { emptySummary, isFinal, jobArn, toJobDetail, type ActiveAttempt, type JobRecord } from './job-record.js';
import { listJobRecords } from './list-jobs.js';
import { prepareSubmission, type DependencyTarget, type PreparedSubmission } from './prepare-submission.js';
import { decideOnExit } from './retry-strategy.js';

export interface LocalBatchOptions {
  /** Region in ARNs (the account is always 000000000000). @default 'us-east-1' */
  readonly region?: string;
  /** Job queues, each with its own Fargate compute environment of `maxvCpus`. */
  readonly jobQueues: readonly JobQueueSpec[];
  /** Job definitions (revision 1 unless given). */
  readonly jobDefinitions: readonly JobDefinitionSpec[];
  /** Starts one attempt of one job; LocalBatch calls `stop` on terminate, timeout and close. */
  readonly runContainer: (spec: ContainerSpec) => ContainerRun;
  /** Folder whose `batch/jobs.json` keeps the job history across runner restarts. @default - memory only */
  readonly stateDir?: string;
  /** Seconds between SIGTERM and SIGKILL, passed to `runContainer` (AWS: 30). @default 30 */
  readonly killGraceSeconds?: number;
  /** Smallest timeout.attemptDurationSeconds accepted; AWS requires 60, tests may lower it. @default 60 */
  readonly minimumAttemptDurationSeconds?: number;
  /**
   * Containers running at once across all queues, so that a laptop is not flooded by an array job whose queue allows
   * many vCPUs; jobs beyond it wait RUNNABLE, higher-priority queues first. @default - unlimited (only maxvCpus)
   */
  readonly maxConcurrentContainers?: number;
  /** Top-level jobs kept (in memory and in jobs.json); the oldest finished ones are forgotten first. @default 200 */
  readonly historyLimit?: number;
  /** Milliseconds jobs.json writes are coalesced over. @default 100 */
  readonly persistDelayMs?: number;
  /** Clock for createdAt/startedAt/stoppedAt, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Starts a timer (attempt timeouts) and returns its cancel function. @default setTimeout, unref'd */
  readonly setTimer?: (delayMs: number, callback: () => void) => () => void;
}

export const TIMEOUT_REASON = 'Job attempt duration exceeded timeout';
export const DEPENDENCY_FAILED_REASON = 'Dependent Job failed';
export const CONTAINER_EXITED_REASON = 'Essential container in task exited';
export const START_FAILED_REASON = 'Task failed to start';
/** Local wording (AWS does not document the parent's reason). */
export const ARRAY_CHILD_FAILED_REASON = 'Array Child Job failed';

interface QueueState {
  readonly spec: JobQueueSpec;
  usedVcpus: number;
  runnable: JobRecord[];
  head: number;
}

const defaultTimer = (delayMs: number, callback: () => void): (() => void) => {
  const timer = setTimeout(callback, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * Local AWS Batch. A child failing does not stop its siblings (as in AWS): the parent array job turns FAILED once
 * every child has finished. CancelJob only fails jobs that have not started (SUBMITTED, PENDING, RUNNABLE), like AWS;
 * TerminateJob also stops STARTING and RUNNING ones (no retry). Emits `change` on every state transition.
 */
export class LocalBatch extends EventEmitter<{ change: [JobChange] }> {
  readonly catalog: BatchCatalog;
  private readonly runContainer: (spec: ContainerSpec) => ContainerRun;
  private readonly killGraceSeconds: number;
  private readonly minimumTimeout: number;
  private readonly maxConcurrent: number;
  private readonly historyLimit: number;
  private readonly now: () => number;
  private readonly setTimer: (delayMs: number, callback: () => void) => () => void;
  private readonly stateFile: BatchStateFile | undefined;
  /** Top-level jobs in submission order. */
  private readonly jobs = new Map<string, JobRecord>();
  private readonly queues = new Map<string, QueueState>();
  private readonly queueOrder: QueueState[];
  /** Jobs waiting for the whole of the keyed job. */
  private readonly waiters = new Map<string, JobRecord[]>();
  private readonly settleWaiters = new Map<string, ((detail: JobDetail) => void)[]>();
  private readonly active = new Set<JobRecord>();
  private submitted: JobRecord[] = [];
  private finished: JobRecord[] = [];
  private draining = false;
  private pumpScheduled = false;
  private running = 0;
  private seq = 0;
  private closed = false;

  constructor(options: LocalBatchOptions) {
    super();
    this.catalog = new BatchCatalog(options.jobQueues, options.jobDefinitions, options.region ?? 'us-east-1');
    this.runContainer = options.runContainer;
    this.killGraceSeconds = options.killGraceSeconds ?? 30;
    this.minimumTimeout = options.minimumAttemptDurationSeconds ?? 60;
    this.maxConcurrent = options.maxConcurrentContainers ?? Number.POSITIVE_INFINITY;
    this.historyLimit = options.historyLimit ?? 200;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? defaultTimer;
    for (const spec of options.jobQueues) {
      this.queues.set(spec.name, { spec, usedVcpus: 0, runnable: [], head: 0 });
    }
    this.queueOrder = [...this.queues.values()].sort((a, b) => (b.spec.priority ?? 1) - (a.spec.priority ?? 1));
    if (options.stateDir !== undefined) {
      this.stateFile = new BatchStateFile(options.stateDir, options.persistDelayMs ?? 100, () => [
        ...this.jobs.values(),
      ]);
      const loaded = this.stateFile.load(this.now());
      for (const rec of loaded) {
        this.jobs.set(rec.jobId, rec);
        this.seq = Math.max(this.seq, rec.seq);
      }
      if (loaded.length > 0) this.stateFile.schedule();
    }
  }

  /** SubmitJob: checks the request (BatchClientError naming the problem), then queues the job. */
  submitJob(input: SubmitJobInput): SubmitJobOutput {
    this.assertOpen();
    const prepared = prepareSubmission(
      input,
      this.catalog,
      (dep) => this.dependencyTarget(dep.jobId),
      this.minimumTimeout,
    );
    const rec = this.create(prepared, (key) => this.findJob(key));
    this.afterChange();
    return { jobArn: jobArn(rec), jobName: rec.shared.jobName, jobId: rec.jobId };
  }

  /**
   * Submits jobs that refer to each other by name (`dependsOn: [{ job: 'name' }]`), each after the jobs it depends
   * on. Everything is checked first, a cycle included (`a → b → a`): on an error nothing is submitted.
   * Returns the submitted jobs in submission order.
   */
  submitJobGraph(jobs: readonly GraphJobInput[]): SubmitJobOutput[] {
    this.assertOpen();
    const ordered = orderJobGraph(jobs);
    const prepared = new Map<string, PreparedSubmission>();
    for (const job of ordered) {
      const given = job.dependsOn ?? [];
      const dependsOn: JobDependency[] = given.map((d) => ({ jobId: d.job ?? d.jobId, type: d.type }));
      const lookup = (dep: JobDependency, i: number): DependencyTarget | undefined => {
        const inGraph = given[i]?.job;
        if (inGraph === undefined) return this.dependencyTarget(dep.jobId);
        const target = prepared.get(inGraph);
        return target && { key: `graph:${inGraph}`, size: target.size };
      };
      prepared.set(job.jobName, prepareSubmission({ ...job, dependsOn }, this.catalog, lookup, this.minimumTimeout));
    }
    const created = new Map<string, JobRecord>();
    const outputs = ordered.map((job) => {
      const rec = this.create(prepared.get(job.jobName) as PreparedSubmission, (key) =>
        key.startsWith('graph:') ? created.get(key.slice(6)) : this.findJob(key),
      );
      created.set(job.jobName, rec);
      return { jobArn: jobArn(rec), jobName: rec.shared.jobName, jobId: rec.jobId };
    });
    this.afterChange();
    return outputs;
  }

  /** DescribeJobs: at most 100 ids; unknown ids are left out (as AWS does). */
  describeJobs(jobIds: readonly string[]): JobDetail[] {
    if (!Array.isArray(jobIds)) throw new BatchClientError('DescribeJobs needs jobs: a list of job ids.');
    if (jobIds.length > 100) {
      throw new BatchClientError(`DescribeJobs got ${jobIds.length} job ids; AWS Batch allows at most 100 per call.`);
    }
    return jobIds.flatMap((id) => {
      const rec = this.findJob(id);
      return rec ? [toJobDetail(rec)] : [];
    });
  }

  /**
   * ListJobs: a queue's top-level jobs newest first (jobStatus @default 'RUNNING', ignored with filters), or an
   * array job's children by index; paged with maxResults (@default 100) and nextToken.
   */
  listJobs(input: ListJobsInput): ListJobsOutput {
    if ((input.jobQueue === undefined) === (input.arrayJobId === undefined)) {
      throw new BatchClientError('ListJobs needs exactly one of jobQueue or arrayJobId.');
    }
    let records: Iterable<JobRecord>;
    if (input.jobQueue !== undefined) {
      const queue = this.catalog.resolveQueue(input.jobQueue);
      records = this.newestFirst(queue.name);
    } else {
      records = this.findJob(input.arrayJobId as string)?.children ?? [];
    }
    return listJobRecords(records, input);
  }

  /** TerminateJob: stops STARTING/RUNNING jobs (no retry) and fails queued ones with `reason`; arrays: every child. */
  terminateJob(jobId: string, reason: string): void {
    this.stop(jobId, reason, true, 'TerminateJob');
  }

  /** CancelJob: fails SUBMITTED/PENDING/RUNNABLE jobs with `reason`; started ones keep running (as in AWS). */
  cancelJob(jobId: string, reason: string): void {
    this.stop(jobId, reason, false, 'CancelJob');
  }

  /** Resolves with the job's detail once it is SUCCEEDED or FAILED. */
  whenSettled(jobId: string): Promise<JobDetail> {
    const rec = this.findJob(jobId);
    if (!rec) return Promise.reject(new BatchClientError(`Job ${jobId} does not exist (or is no longer kept).`));
    if (isFinal(rec.status)) return Promise.resolve(toJobDetail(rec));
    return new Promise((resolve) => {
      const list = this.settleWaiters.get(rec.jobId) ?? [];
      list.push(resolve);
      this.settleWaiters.set(rec.jobId, list);
    });
  }

  /** Stops running containers, fails unfinished jobs with INTERRUPTED_REASON, and writes jobs.json. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const results: Promise<unknown>[] = [];
    for (const rec of this.active) {
      const active = rec.active as ActiveAttempt;
      if (active.run) results.push(active.run.result.catch(() => undefined));
      if (active.terminateReason === undefined) {
        active.terminateReason = INTERRUPTED_REASON;
        active.run?.stop(INTERRUPTED_REASON);
      }
    }
    for (const rec of this.jobs.values()) this.stopRecord(rec, INTERRUPTED_REASON, false);
    this.drain();
    // A container that ignores stop cannot hold close() forever: give up after the kill grace and a margin.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(results),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, (this.killGraceSeconds + 5) * 1000);
      }),
    ]);
    clearTimeout(timer);
    await this.stateFile?.close();
  }

  /** Writes jobs.json now (nothing without stateDir); saves also happen on their own, debounced. */
  async flush(): Promise<void> {
    await this.stateFile?.flush();
  }

  /** Finds a job or array child by id. */
  private findJob(jobId: string | undefined): JobRecord | undefined {
    if (typeof jobId !== 'string') return undefined;
    const top = this.jobs.get(jobId);
    if (top) return top;
    const match = /^(.+):(0|[1-9]\d*)$/.exec(jobId);
    return match ? this.jobs.get(match[1] as string)?.children?.[Number(match[2])] : undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('LocalBatch is closed; create a new one to submit jobs.');
  }

  private dependencyTarget(jobId: string | undefined): DependencyTarget | undefined {
    const rec = this.findJob(jobId);
    return rec && { key: rec.jobId, size: rec.index === undefined ? rec.shared.size : undefined };
  }

  private *newestFirst(queueName: string): Iterable<JobRecord> {
    const all = [...this.jobs.values()];
    for (let i = all.length - 1; i >= 0; i--) {
      const rec = all[i] as JobRecord;
      if (rec.shared.queueName === queueName) yield rec;
    }
  }

  private create(prepared: PreparedSubmission, resolve: (key: string) => JobRecord | undefined): JobRecord {
    const jobId = randomUUID();
    const seq = ++this.seq;
    const size = prepared.size;
    const dependencies = prepared.dependencies.map((d) => ({
      ...d,
      rec: d.key === undefined ? undefined : resolve(d.key),
    }));
    const rec: JobRecord = {
      jobId,
      seq,
      shared: {
        jobName: prepared.jobName,
        queueName: prepared.queue.name,
        queueArn: this.catalog.queueArn(prepared.queue.name),
        definition: prepared.definition,
        definitionArn: this.catalog.definitionArn(prepared.definition),
        size,
        dependsOn: dependencies.map((d) =>
          d.rec ? { jobId: d.rec.jobId, ...(d.type && { type: d.type }) } : { type: d.type },
        ),
        command: prepared.command,
        environment: prepared.environment,
        retryStrategy: prepared.retryStrategy,
        attemptDurationSeconds: prepared.attemptDurationSeconds,
        parameters: prepared.parameters,
        createdAt: this.now(),
      },
      status: 'SUBMITTED',
      attempts: [],
      waiting: 0,
    };
    const sequential = dependencies.some((d) => d.type === 'SEQUENTIAL');
    if (size !== undefined) {
      rec.sequential = sequential;
      rec.summary = emptySummary();
      rec.summary.PENDING = size;
      const children: JobRecord[] = new Array<JobRecord>(size);
      for (let index = 0; index < size; index++) {
        children[index] = {
          jobId: `${jobId}:${index}`,
          seq,
          shared: rec.shared,
          index,
          parent: rec,
          status: 'PENDING',
          attempts: [],
          // The parent's gate, and the previous child for SEQUENTIAL.
          waiting: 1 + (sequential && index > 0 ? 1 : 0),
        };
      }
      rec.children = children;
    }
    for (const { type, rec: dep } of dependencies) {
      if (!dep || type === 'SEQUENTIAL') continue;
      if (type === 'N_TO_N') {
        (dep.nToNDependents ??= []).push(rec);
        for (const [index, child] of (rec.children as JobRecord[]).entries()) {
          const status = dep.children?.[index]?.status ?? dep.status;
          if (status === 'FAILED') child.dependencyFailed = true;
          else if (status !== 'SUCCEEDED') child.waiting += 1;
        }
        continue;
      }
      if (dep.status === 'FAILED') rec.dependencyFailed = true;
      else if (dep.status !== 'SUCCEEDED') {
        rec.waiting += 1;
        const list = this.waiters.get(dep.jobId) ?? [];
        list.push(rec);
        this.waiters.set(dep.jobId, list);
      }
    }
    this.jobs.set(jobId, rec);
    this.emitChange(rec, undefined);
    this.submitted.push(rec);
    return rec;
  }

  /** After an API call or a container event: cascade finished jobs, start what fits, save. */
  private afterChange(): void {
    this.drain();
    this.schedulePump();
    this.stateFile?.schedule();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (this.closed) return;
    const submitted = this.submitted;
    this.submitted = [];
    for (const rec of submitted) this.admit(rec);
    this.drain();
    this.startRunnable();
    this.stateFile?.schedule();
  }

  /** SUBMITTED → PENDING (waiting on dependencies) or RUNNABLE; an array parent lets its children go. */
  private admit(rec: JobRecord): void {
    if (rec.status !== 'SUBMITTED') return;
    if (rec.dependencyFailed || rec.waiting > 0 || rec.children) this.setStatus(rec, 'PENDING');
    if (rec.dependencyFailed) {
      this.failQueued(rec, DEPENDENCY_FAILED_REASON);
      return;
    }
    if (rec.children) {
      for (const child of rec.children) {
        if (child.dependencyFailed) this.failQueued(child, DEPENDENCY_FAILED_REASON);
      }
      if (rec.waiting === 0) this.release(rec);
    } else if (rec.waiting === 0) {
      this.makeRunnable(rec);
    }
  }

  private release(parent: JobRecord): void {
    parent.released = true;
    for (const child of parent.children as JobRecord[]) {
      if (child.status !== 'PENDING') continue;
      child.waiting -= 1;
      if (child.waiting === 0) this.makeRunnable(child);
    }
  }

  private makeRunnable(rec: JobRecord): void {
    this.setStatus(rec, 'RUNNABLE');
    (this.queues.get(rec.shared.queueName) as QueueState).runnable.push(rec);
    this.schedulePump();
  }

  /** One of the jobs `rec` waits for finished. */
  private resolveDependency(rec: JobRecord | undefined, succeeded: boolean): void {
    if (!rec || isFinal(rec.status)) return;
    if (!succeeded) {
      this.failQueued(rec, DEPENDENCY_FAILED_REASON);
      return;
    }
    rec.waiting -= 1;
    if (rec.waiting > 0 || rec.status !== 'PENDING') return;
    if (rec.children) {
      if (!rec.released) this.release(rec);
    } else {
      this.makeRunnable(rec);
    }
  }

  /** Fails a job that is not running (an array parent: each of its children that is not running). */
  private failQueued(rec: JobRecord, reason: string): void {
    if (isFinal(rec.status) || rec.active) return;
    if (rec.children) {
      rec.statusReason = reason;
      for (const child of rec.children) this.failQueued(child, reason);
      return;
    }
    this.finish(rec, 'FAILED', reason);
  }

  private finish(rec: JobRecord, status: 'SUCCEEDED' | 'FAILED', reason: string | undefined): void {
    rec.stoppedAt = this.now();
    this.setStatus(rec, status, reason);
    this.finished.push(rec);
  }

  /** Tells everything waiting on the finished jobs; iterative, so a 10,000-child cascade cannot overflow the stack. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.finished.length; i++) this.notify(this.finished[i] as JobRecord);
    } finally {
      this.finished = [];
      this.draining = false;
    }
  }

  private notify(rec: JobRecord): void {
    const succeeded = rec.status === 'SUCCEEDED';
    const waiting = this.waiters.get(rec.jobId);
    if (waiting) {
      this.waiters.delete(rec.jobId);
      for (const w of waiting) this.resolveDependency(w, succeeded);
    }
    const settle = this.settleWaiters.get(rec.jobId);
    if (settle) {
      this.settleWaiters.delete(rec.jobId);
      const detail = toJobDetail(rec);
      for (const resolve of settle) resolve(detail);
    }
    const parent = rec.parent;
    if (parent && rec.index !== undefined) {
      for (const dependent of parent.nToNDependents ?? []) {
        this.resolveDependency(dependent.children?.[rec.index], succeeded);
      }
      if (parent.sequential) this.resolveDependency(parent.children?.[rec.index + 1], succeeded);
      const summary = parent.summary as Record<JobStatus, number>;
      if (!isFinal(parent.status) && summary.SUCCEEDED + summary.FAILED === parent.shared.size) {
        const failed = summary.FAILED > 0;
        if (failed) this.finish(parent, 'FAILED', parent.statusReason ?? ARRAY_CHILD_FAILED_REASON);
        else {
          parent.statusReason = undefined;
          this.finish(parent, 'SUCCEEDED', undefined);
        }
      }
    } else {
      this.prune();
    }
  }

  /** Forgets the oldest finished top-level jobs beyond historyLimit. */
  private prune(): void {
    if (this.jobs.size <= this.historyLimit) return;
    for (const [jobId, rec] of this.jobs) {
      if (this.jobs.size <= this.historyLimit) break;
      if (isFinal(rec.status)) this.jobs.delete(jobId);
    }
  }

  private startRunnable(): void {
    for (const queue of this.queueOrder) {
      while (queue.head < queue.runnable.length) {
        const rec = queue.runnable[queue.head] as JobRecord;
        if (rec.status !== 'RUNNABLE' || rec.active) {
          queue.head += 1;
          continue;
        }
        if (queue.usedVcpus + rec.shared.definition.vcpus > queue.spec.maxvCpus + 1e-9) break;
        if (this.running >= this.maxConcurrent) break;
        queue.head += 1;
        this.startAttempt(rec, queue);
      }
      if (queue.head === queue.runnable.length) {
        queue.runnable = [];
        queue.head = 0;
      } else if (queue.head > 1024 && queue.head * 2 > queue.runnable.length) {
        queue.runnable = queue.runnable.slice(queue.head);
        queue.head = 0;
      }
    }
    this.drain();
  }

  private startAttempt(rec: JobRecord, queue: QueueState): void {
    const { shared } = rec;
    const active: ActiveAttempt = {
      number: rec.attempts.length + 1,
      vcpus: shared.definition.vcpus,
      run: undefined,
      attempt: { container: {} },
      cancelTimer: undefined,
      timedOut: false,
      terminateReason: undefined,
      startFailed: false,
    };
    rec.active = active;
    queue.usedVcpus += active.vcpus;
    this.running += 1;
    this.active.add(rec);
    this.setStatus(rec, 'STARTING');
    const environment: Record<string, string> = {
      ...shared.environment,
      AWS_BATCH_JOB_ID: rec.jobId,
      AWS_BATCH_JQ_NAME: shared.queueName,
      AWS_BATCH_JOB_ATTEMPT: String(active.number),
    };
    if (rec.index !== undefined) {
      environment.AWS_BATCH_JOB_ARRAY_INDEX = String(rec.index);
      environment.AWS_BATCH_JOB_ARRAY_SIZE = String(shared.size);
    }
    let run: ContainerRun;
    try {
      run = this.runContainer({
        jobId: rec.jobId,
        jobName: shared.jobName,
        jobQueue: shared.queueName,
        attempt: active.number,
        ...(rec.index !== undefined && { arrayIndex: rec.index }),
        definition: shared.definition,
        command: shared.command,
        environment,
        vcpus: shared.definition.vcpus,
        memory: shared.definition.memory,
        killGraceSeconds: this.killGraceSeconds,
        ...(shared.attemptDurationSeconds !== undefined && { attemptDurationSeconds: shared.attemptDurationSeconds }),
      });
    } catch (error) {
      active.startFailed = true;
      this.endAttempt(rec, queue, { exitCode: null, reason: `CannotStartContainerError: ${(error as Error).message}` });
      return;
    }
    active.run = run;
    if (run.taskArn !== undefined) active.attempt.container.taskArn = run.taskArn;
    if (run.logStreamName !== undefined) active.attempt.container.logStreamName = run.logStreamName;
    const markRunning = (): void => {
      if (rec.active !== active) return;
      const t = this.now();
      active.attempt.startedAt = t;
      rec.startedAt = t;
      if (rec.parent && rec.parent.startedAt === undefined) rec.parent.startedAt = t;
      this.setStatus(rec, 'RUNNING');
      if (shared.attemptDurationSeconds !== undefined) {
        active.cancelTimer = this.setTimer(shared.attemptDurationSeconds * 1000, () => {
          if (rec.active !== active || active.terminateReason !== undefined) return;
          active.timedOut = true;
          run.stop(TIMEOUT_REASON);
        });
      }
      this.stateFile?.schedule();
    };
    if (run.started) run.started.then(markRunning, () => undefined);
    else markRunning();
    run.result.then(
      (result) => {
        this.endAttempt(rec, queue, result);
        this.afterChange();
      },
      (error: unknown) => {
        active.startFailed = active.attempt.startedAt === undefined;
        this.endAttempt(rec, queue, {
          exitCode: null,
          reason: `CannotStartContainerError: ${error instanceof Error ? error.message : String(error)}`,
        });
        this.afterChange();
      },
    );
  }

  /** An attempt ended: SUCCEEDED, retried (back to RUNNABLE) or FAILED. */
  private endAttempt(rec: JobRecord, queue: QueueState, result: ContainerResult): void {
    const active = rec.active;
    if (!active) return;
    active.cancelTimer?.();
    rec.active = undefined;
    queue.usedVcpus -= active.vcpus;
    this.running -= 1;
    this.active.delete(rec);
    const { attempt } = active;
    attempt.stoppedAt = this.now();
    const exitCode = typeof result?.exitCode === 'number' ? result.exitCode : undefined;
    if (exitCode !== undefined) attempt.container.exitCode = exitCode;
    if (typeof result?.reason === 'string') attempt.container.reason = result.reason;
    const statusReason =
      active.terminateReason ??
      (active.timedOut ? TIMEOUT_REASON : active.startFailed ? START_FAILED_REASON : CONTAINER_EXITED_REASON);
    attempt.statusReason = statusReason;
    rec.attempts.push(attempt);
    const strategy = rec.shared.retryStrategy;
    if (exitCode === 0 && !active.timedOut && active.terminateReason === undefined) {
      this.finish(rec, 'SUCCEEDED', statusReason);
    } else if (
      active.terminateReason === undefined &&
      // AWS Batch: "If a job is terminated for exceeding the timeout duration, it's not retried."
      !active.timedOut &&
      !this.closed &&
      rec.attempts.length < strategy.attempts &&
      decideOnExit(strategy, { exitCode, reason: attempt.container.reason, statusReason }) === 'RETRY'
    ) {
      this.setStatus(rec, 'RUNNABLE', statusReason);
      queue.runnable.push(rec);
    } else {
      this.finish(rec, 'FAILED', statusReason);
    }
    this.schedulePump();
  }

  private stop(jobId: string, reason: string, terminateRunning: boolean, operation: string): void {
    if (typeof reason !== 'string' || reason === '') {
      throw new BatchClientError(`${operation} needs a reason: it becomes the job's statusReason.`);
    }
    const rec = this.findJob(jobId);
    if (!rec) throw new BatchClientError(`${operation}: job ${jobId} does not exist (or is no longer kept).`);
    this.stopRecord(rec, reason, terminateRunning);
    this.afterChange();
  }

  private stopRecord(rec: JobRecord, reason: string, terminateRunning: boolean): void {
    if (isFinal(rec.status)) return;
    if (rec.children) {
      rec.statusReason = reason;
      for (const child of rec.children) this.stopRecord(child, reason, terminateRunning);
      return;
    }
    const active = rec.active;
    if (!active) {
      this.failQueued(rec, reason);
    } else if (terminateRunning && active.terminateReason === undefined) {
      active.terminateReason = reason;
      active.run?.stop(reason);
    }
  }

  private setStatus(rec: JobRecord, status: JobStatus, reason?: string): void {
    const previous = rec.status;
    rec.status = status;
    if (reason !== undefined) rec.statusReason = reason;
    const summary = rec.parent?.summary;
    if (summary) {
      summary[previous] -= 1;
      summary[status] += 1;
    }
    this.emitChange(rec, previous);
  }

  private emitChange(rec: JobRecord, previousStatus: JobStatus | undefined): void {
    if (this.listenerCount('change') === 0) return;
    this.emit('change', {
      jobId: rec.jobId,
      jobName: rec.shared.jobName,
      jobQueue: rec.shared.queueName,
      status: rec.status,
      ...(previousStatus !== undefined && { previousStatus }),
      ...(rec.statusReason !== undefined && { statusReason: rec.statusReason }),
      ...(rec.parent && { arrayJobId: rec.parent.jobId, arrayIndex: rec.index }),
      attempt: rec.active?.number ?? rec.attempts.length,
      at: this.now(),
    });
  }
}
