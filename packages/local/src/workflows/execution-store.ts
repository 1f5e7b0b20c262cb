// Keeps each execution's record and history as <stateDir>/workflows/<workflow>/<execution>.json, written atomically.

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionRecord, HistoryEvent } from './execution-record.js';

export interface StoredExecution {
  record: ExecutionRecord;
  history: HistoryEvent[];
}

/** Saves are queued per execution so the file always holds the latest state, and never a torn one. */
export class ExecutionStore {
  private readonly pending = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly stateDir: string,
    /** Told about a save that failed (the execution goes on; only its file is stale). */
    private readonly onSaveError: (file: string, error: Error) => void,
  ) {}

  /** Every readable execution saved for `workflow`; unreadable files are skipped and reported to `onProblem`. */
  load(workflow: string, onProblem: (file: string, problem: string) => void): StoredExecution[] {
    const dir = this.dirFor(workflow);
    let files: string[];
    try {
      files = readdirSync(dir).filter((file) => file.endsWith('.json'));
    } catch {
      return [];
    }
    const loaded: StoredExecution[] = [];
    for (const file of files) {
      try {
        const stored = JSON.parse(readFileSync(join(dir, file), 'utf8')) as StoredExecution;
        if (typeof stored.record?.executionArn !== 'string' || !Array.isArray(stored.history)) {
          throw new Error('not an execution record');
        }
        loaded.push(stored);
      } catch (error) {
        onProblem(join(dir, file), (error as Error).message);
      }
    }
    return loaded;
  }

  /**
   * Queues a save of what `read()` returns when the save runs, so saves asked for while one waits collapse into it.
   * Never rejects: a failed save goes to `onSaveError`.
   */
  save(workflow: string, name: string, read: () => StoredExecution): Promise<void> {
    const key = `${workflow}/${name}`;
    const queued = this.pending.get(key);
    if (queued && this.dirty.has(key)) return queued;
    this.dirty.add(key);
    const file = join(this.dirFor(workflow), `${name}.json`);
    const next = (queued ?? Promise.resolve())
      .then(async () => {
        this.dirty.delete(key);
        mkdirSync(this.dirFor(workflow), { recursive: true });
        await writeFile(`${file}.tmp`, JSON.stringify(read()));
        await rename(`${file}.tmp`, file);
      })
      .catch((error: unknown) => this.onSaveError(file, error as Error))
      .finally(() => {
        if (this.pending.get(key) === next) this.pending.delete(key);
      });
    this.pending.set(key, next);
    return next;
  }

  /** Deletes the saved file once queued saves are done; `flush` waits for it too. */
  remove(workflow: string, name: string): Promise<void> {
    const key = `${workflow}/${name}`;
    const file = join(this.dirFor(workflow), `${name}.json`);
    const next = (this.pending.get(key) ?? Promise.resolve())
      .then(() => rm(file, { force: true }))
      .catch((error: unknown) => this.onSaveError(file, error as Error))
      .finally(() => {
        if (this.pending.get(key) === next) this.pending.delete(key);
      });
    this.pending.set(key, next);
    return next;
  }

  /** Resolves when every queued save has been written. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending.values());
  }

  private dirFor(workflow: string): string {
    return join(this.stateDir, 'workflows', workflow);
  }
}
