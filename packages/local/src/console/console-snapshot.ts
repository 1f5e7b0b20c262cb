// One picture of the running system for the console: services, tasks, targets, queues, workflows, batch and charts.

import type { JobStatus, JobSummary, StatusSummary } from '../batch/index.js';
import type { TargetHealth } from '../load-balancer/index.js';
import type { TaskSummary, WorkflowSummary } from '../local-runner.js';
import type { ServiceSnapshot } from '../service-controller.js';
import type { QueueStats } from '../sqs/index.js';
import type { ExecutionStatus, HistoryEvent } from '../workflows/index.js';
import type { ConsoleSources } from './console-sources.js';
import type { MetricsSeries } from './metrics-recorder.js';

/** Executions shown per workflow, jobs shown, stopped tasks shown, children drawn per array job. */
const EXECUTIONS = 5;
const JOBS = 10;
const STOPPED_TASKS = 30;
const CHILDREN = 1000;

export interface ServiceRow extends ServiceSnapshot {
  readonly kind: string;
}

export interface LoadBalancerRow {
  readonly workload: string;
  readonly url: string;
  readonly requests: number;
  readonly targets: TargetHealth[];
}

export interface QueueRow {
  readonly name: string;
  readonly dlqName: string;
  readonly queue: QueueStats;
  readonly dlq: QueueStats;
}

/** One state of an execution, from its StateEntered to its StateExited/StateFailed (or still running). */
export interface StateSpan {
  readonly state: string;
  readonly type?: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CAUGHT' | ExecutionStatus;
  readonly enteredAt: string;
  exitedAt?: string;
  retries: number;
  error?: string;
}

export interface ExecutionRow {
  readonly name: string;
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  readonly startDate: string;
  readonly stopDate?: string;
  readonly startedBy?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly states: StateSpan[];
}

export interface WorkflowRow extends WorkflowSummary {
  readonly executions: ExecutionRow[];
}

export interface BatchJobRow {
  readonly jobId: string;
  readonly jobName: string;
  readonly jobQueue: string;
  readonly status: JobStatus;
  readonly statusReason?: string;
  readonly createdAt: number;
  readonly size?: number;
  readonly summary?: StatusSummary;
  /** Each child's status by index (array jobs). */
  readonly children?: JobStatus[];
}

export interface ConsoleSnapshot {
  readonly at: string;
  readonly system: string;
  readonly startedAt: string;
  readonly endpoints: Record<string, string | null>;
  readonly services: ServiceRow[];
  readonly tasks: { readonly running: TaskSummary[]; readonly stopped: TaskSummary[] };
  readonly loadBalancers: LoadBalancerRow[];
  readonly queues: QueueRow[];
  readonly workflows: WorkflowRow[];
  readonly batch: { readonly jobQueues: string[]; readonly jobs: BatchJobRow[] };
  readonly charts: MetricsSeries;
}

/** Turns an execution's history into one span per state entered, in order (Map iterations are folded away). */
export function stateSpans(history: readonly HistoryEvent[], executionStatus: ExecutionStatus): StateSpan[] {
  const spans: StateSpan[] = [];
  const open = new Map<string, StateSpan>();
  for (const event of history) {
    if (event.index !== undefined || event.state === undefined) continue;
    const span = open.get(event.state);
    switch (event.type) {
      case 'StateEntered': {
        const entered: StateSpan = {
          state: event.state,
          ...(event.stateType ? { type: event.stateType } : {}),
          status: 'RUNNING',
          enteredAt: event.timestamp,
          retries: 0,
        };
        spans.push(entered);
        open.set(event.state, entered);
        break;
      }
      case 'StateExited':
        if (span) Object.assign(span, { status: 'SUCCEEDED', exitedAt: event.timestamp });
        open.delete(event.state);
        break;
      case 'StateFailed':
        if (span) Object.assign(span, { status: 'FAILED', exitedAt: event.timestamp, error: event.error });
        open.delete(event.state);
        break;
      case 'StateCaught':
        if (span) Object.assign(span, { status: 'CAUGHT', exitedAt: event.timestamp, error: event.error });
        open.delete(event.state);
        break;
      case 'StateRetried':
        if (span) span.retries = event.attempt ?? span.retries + 1;
        break;
      default:
        break;
    }
  }
  // A state still open when the execution ended shares its fate (aborted, timed out, failed).
  if (executionStatus !== 'RUNNING') for (const span of open.values()) span.status = executionStatus;
  return spans;
}

function workflowRows(sources: ConsoleSources, summaries: readonly WorkflowSummary[]): WorkflowRow[] {
  const engine = sources.workflows;
  return summaries.map((summary) => ({
    ...summary,
    executions: (engine?.listExecutions(summary.name) ?? []).slice(0, EXECUTIONS).map((record) => ({
      name: record.name,
      executionArn: record.executionArn,
      status: record.status,
      startDate: record.startDate,
      ...(record.stopDate ? { stopDate: record.stopDate } : {}),
      ...(record.startedBy ? { startedBy: record.startedBy } : {}),
      ...(record.error ? { error: record.error } : {}),
      ...(record.cause ? { cause: record.cause } : {}),
      states: stateSpans(engine?.history(record.executionArn) ?? [], record.status),
    })),
  }));
}

const ALL_JOBS = [{ name: 'AFTER_CREATED_AT', values: ['0'] }];

function batchRows(sources: ConsoleSources, jobQueues: readonly string[]): BatchJobRow[] {
  const batch = sources.batch;
  if (!batch) return [];
  const jobs: (JobSummary & { jobQueue: string })[] = jobQueues.flatMap((jobQueue) =>
    batch
      .listJobs({ jobQueue, filters: ALL_JOBS, maxResults: JOBS })
      .jobSummaryList.map((job) => ({ ...job, jobQueue })),
  );
  return jobs
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, JOBS)
    .map((job) => {
      const size = job.arrayProperties?.size;
      const base = {
        jobId: job.jobId,
        jobName: job.jobName,
        jobQueue: job.jobQueue,
        status: job.status,
        ...(job.statusReason ? { statusReason: job.statusReason } : {}),
        createdAt: job.createdAt,
      };
      if (size === undefined) return base;
      const detail = batch.describeJobs([job.jobId])[0];
      const children = batch
        .listJobs({ arrayJobId: job.jobId, filters: ALL_JOBS, maxResults: CHILDREN })
        .jobSummaryList.map((child) => child.status);
      return {
        ...base,
        size,
        ...(detail?.arrayProperties?.statusSummary ? { summary: detail.arrayProperties.statusSummary } : {}),
        children,
      };
    });
}

/** A URL with its password masked (an external DATABASE_URL may carry one; the page has no need of it). */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Builds the snapshot; `charts` comes from the metrics recorder. */
export function consoleSnapshot(sources: ConsoleSources, charts: MetricsSeries): ConsoleSnapshot {
  const status = sources.status();
  const services: ServiceRow[] = status.workloads.flatMap((w) => (w.service ? [{ ...w.service, kind: w.kind }] : []));
  const replicas: TaskSummary[] = services.flatMap((service) =>
    service.tasks
      .filter((task) => task.status !== 'STOPPED')
      .map((task) => ({
        taskId: task.id,
        workload: service.name,
        startedBy: `service:${service.name}`,
        status: task.status,
        exitCode: null,
        logFile: '',
      })),
  );
  const queues = sources.queues();
  return {
    at: new Date().toISOString(),
    system: status.system,
    startedAt: status.startedAt,
    endpoints: Object.fromEntries(
      Object.entries(status.endpoints).map(([name, url]) => [name, url === null ? null : withoutPassword(url)]),
    ),
    services,
    tasks: { running: [...replicas, ...sources.runningTasks()], stopped: status.tasks.slice(0, STOPPED_TASKS) },
    loadBalancers: [...sources.listeners()].map(([workload, listener]) => ({
      workload,
      url: listener.url,
      requests: listener.requestCount(),
      targets: listener.targetHealth(),
    })),
    queues: (queues?.queues ?? []).map(({ name, dlqName }) => ({
      name,
      dlqName,
      queue: queues?.stats(name) as QueueStats,
      dlq: queues?.stats(dlqName) as QueueStats,
    })),
    workflows: workflowRows(sources, status.workflows),
    batch: { jobQueues: status.batch?.jobQueues ?? [], jobs: batchRows(sources, status.batch?.jobQueues ?? []) },
    charts,
  };
}
