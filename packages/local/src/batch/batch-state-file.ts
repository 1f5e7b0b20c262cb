// Keeps Batch job history in <stateDir>/batch/jobs.json: debounced atomic rewrites, read back by the next runner.

import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttemptDetail, JobStatus, StatusSummary } from './batch-types.js';
import { emptySummary, isFinal, type JobRecord, type JobShared } from './job-record.js';

/** statusReason of jobs that were unfinished when the previous runner stopped. */
export const INTERRUPTED_REASON = 'Local runner stopped before the job finished';

/** Child records written in all (newest arrays first); older arrays keep their parent and statusSummary only. */
const MAX_SAVED_CHILDREN = 20_000;

interface SavedChild {
  s: JobStatus;
  a?: number;
  o?: number;
  r?: string;
  t?: AttemptDetail[];
}

interface SavedJob {
  jobId: string;
  seq: number;
  shared: JobShared;
  status: JobStatus;
  statusReason?: string;
  startedAt?: number;
  stoppedAt?: number;
  attempts: AttemptDetail[];
  summary?: StatusSummary;
  children?: SavedChild[];
}

interface SavedState {
  version: 1;
  jobs: SavedJob[];
}

/** The jobs.json of `stateDir`, written at most every `delayMs` with the jobs `snapshot` returns (oldest first). */
export class BatchStateFile {
  private readonly dir: string;
  private readonly path: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private closed = false;
  /** A failed background write, reported by the next flush. */
  private failure: Error | undefined;

  constructor(
    stateDir: string,
    private readonly delayMs: number,
    private readonly snapshot: () => readonly JobRecord[],
  ) {
    this.dir = join(stateDir, 'batch');
    this.path = join(this.dir, 'jobs.json');
  }

  /** Reads the saved jobs (oldest first), failing those that were unfinished with INTERRUPTED_REASON. */
  load(now: number): JobRecord[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return [];
    }
    let state: SavedState;
    try {
      state = JSON.parse(text) as SavedState;
    } catch (error) {
      throw new Error(
        `Local Batch job history ${this.path} is not valid JSON (${(error as Error).message}); delete it to start with an empty history.`,
        { cause: error },
      );
    }
    return (state.jobs ?? []).map((saved) => revive(saved, now));
  }

  /** Writes soon (debounced). */
  schedule(): void {
    this.dirty = true;
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write().catch((error: unknown) => {
        this.failure = error as Error;
      });
    }, this.delayMs);
    this.timer.unref();
  }

  /** Writes now if anything changed, and waits for it; throws if this or an earlier background write failed. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.write();
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw new Error(`Local Batch could not write ${this.path}: ${failure.message}`, { cause: failure });
  }

  /** A last flush; later changes are not written. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private write(): Promise<void> {
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        if (!this.dirty) return;
        this.dirty = false;
        mkdirSync(this.dir, { recursive: true });
        const tmp = `${this.path}.tmp`;
        await writeFile(tmp, JSON.stringify(serialize(this.snapshot())));
        await rename(tmp, this.path);
      });
    return this.writing;
  }
}

function serialize(jobs: readonly JobRecord[]): SavedState {
  let childBudget = MAX_SAVED_CHILDREN;
  const saved: SavedJob[] = [];
  for (let i = jobs.length - 1; i >= 0; i--) {
    const rec = jobs[i] as JobRecord;
    const children = rec.children && rec.children.length <= childBudget ? rec.children : undefined;
    if (children) childBudget -= children.length;
    saved.push({
      jobId: rec.jobId,
      seq: rec.seq,
      shared: rec.shared,
      status: rec.status,
      statusReason: rec.statusReason,
      startedAt: rec.startedAt,
      stoppedAt: rec.stoppedAt,
      attempts: rec.attempts,
      summary: rec.summary,
      children: children?.map((c) => ({
        s: c.status,
        a: c.startedAt,
        o: c.stoppedAt,
        r: c.statusReason,
        t: c.attempts.length > 0 ? c.attempts : undefined,
      })),
    });
  }
  return { version: 1, jobs: saved.reverse() };
}

function revive(saved: SavedJob, now: number): JobRecord {
  const interrupted = !isFinal(saved.status);
  const rec: JobRecord = {
    jobId: saved.jobId,
    seq: saved.seq,
    shared: saved.shared,
    status: interrupted ? 'FAILED' : saved.status,
    statusReason: interrupted ? INTERRUPTED_REASON : saved.statusReason,
    startedAt: saved.startedAt,
    stoppedAt: interrupted ? now : saved.stoppedAt,
    attempts: saved.attempts ?? [],
    waiting: 0,
  };
  if (saved.shared.size === undefined) return rec;
  if (saved.children) {
    rec.summary = emptySummary();
    rec.children = saved.children.map((c, index) => {
      const childInterrupted = !isFinal(c.s);
      const child: JobRecord = {
        jobId: `${saved.jobId}:${index}`,
        seq: saved.seq,
        shared: saved.shared,
        index,
        parent: rec,
        status: childInterrupted ? 'FAILED' : c.s,
        statusReason: childInterrupted ? INTERRUPTED_REASON : c.r,
        startedAt: c.a,
        stoppedAt: childInterrupted ? now : c.o,
        attempts: c.t ?? [],
        waiting: 0,
      };
      (rec.summary as StatusSummary)[child.status] += 1;
      return child;
    });
  } else {
    const summary = { ...emptySummary(), ...saved.summary };
    for (const status of ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'] as const) {
      summary.FAILED += summary[status];
      summary[status] = 0;
    }
    rec.summary = summary;
  }
  return rec;
}
