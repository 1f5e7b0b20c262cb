// Searches the tasks' log files for a correlation id (x-request-id, `requestId`) or a job id: the newest matches first.

import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface LogMatch {
  readonly workload: string;
  /** The task id (its log file's name). */
  readonly taskId: string;
  readonly line: string;
  /** When the log file was last written, ISO 8601. */
  readonly fileTime: string;
}

export interface SearchLogsOptions {
  /** Matches returned at most. @default 50 */
  readonly limit?: number;
  /** Task ids whose every line matches (e.g. the tasks a Batch job started). @default - none */
  readonly taskIds?: ReadonlySet<string>;
  /** Bytes read from the end of each log file. @default 2 MiB */
  readonly tailBytes?: number;
}

/** Shortest query searched: shorter ones would match nearly every line. */
export const MIN_QUERY_LENGTH = 3;

async function logFiles(logsDir: string): Promise<{ workload: string; file: string; mtimeMs: number }[]> {
  let workloads: string[];
  try {
    workloads = await readdir(logsDir);
  } catch {
    return [];
  }
  const files = await Promise.all(
    workloads.map(async (workload) => {
      const names = await readdir(join(logsDir, workload)).catch(() => [] as string[]);
      return Promise.all(
        names
          .filter((name) => name.endsWith('.log'))
          .map(async (name) => {
            const file = join(logsDir, workload, name);
            const info = await stat(file).catch(() => undefined);
            return info ? [{ workload, file, mtimeMs: info.mtimeMs }] : [];
          }),
      );
    }),
  );
  return files.flat(2).sort((a, b) => b.mtimeMs - a.mtimeMs);
}

async function tail(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    // A cut first line is dropped rather than shown half.
    return length < size ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}

/** Lines containing `query` (as typed, case-sensitive) across `<logsDir>/<workload>/<task id>.log`, newest first. */
export async function searchLogs(logsDir: string, query: string, options: SearchLogsOptions = {}): Promise<LogMatch[]> {
  const needle = query.trim();
  if (needle.length < MIN_QUERY_LENGTH) return [];
  const limit = options.limit ?? 50;
  const tailBytes = options.tailBytes ?? 2 * 1024 * 1024;
  const matches: LogMatch[] = [];
  for (const { workload, file, mtimeMs } of await logFiles(logsDir)) {
    const taskId = basename(file, '.log');
    const whole = options.taskIds?.has(taskId) ?? false;
    const lines = (await tail(file, tailBytes).catch(() => '')).split('\n').filter((line) => line.length > 0);
    for (let index = lines.length - 1; index >= 0; index--) {
      const line = lines[index] as string;
      if (!whole && !line.includes(needle)) continue;
      matches.push({ workload, taskId, line, fileTime: new Date(mtimeMs).toISOString() });
      if (matches.length >= limit) return matches;
    }
  }
  return matches;
}
