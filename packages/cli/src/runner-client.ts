// Talks to a running local runner through its control API (address in .hf/runner.json).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnerStatus, TaskSummary } from '@hello-fargate/local';

export interface RunnerInfo {
  readonly pid: number;
  readonly control: string;
}

/** The running runner for this state folder, or undefined when none is running. */
export function findRunner(stateDir: string): RunnerInfo | undefined {
  const file = join(stateDir, 'runner.json');
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as RunnerInfo;
    process.kill(info.pid, 0);
    return info.control ? info : undefined;
  } catch {
    return undefined;
  }
}

export async function fetchStatus(runner: RunnerInfo): Promise<RunnerStatus> {
  const response = await fetch(`${runner.control}/v1/status`);
  if (!response.ok) throw new Error(`runner answered ${response.status} to GET /v1/status`);
  return (await response.json()) as RunnerStatus;
}

export interface RemoteTaskResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stopCode: string;
  readonly stoppedReason: string;
  readonly logFile: string;
  readonly taskId: string;
}

/** Runs a task in the running runner, passing each log line to onLine as it comes. */
export async function runRemoteTask(
  runner: RunnerInfo,
  workload: string,
  args: readonly string[] | undefined,
  onLine: (line: string) => void,
): Promise<RemoteTaskResult> {
  const response = await fetch(`${runner.control}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workload, ...(args ? { args } : {}) }),
  });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `runner answered ${response.status}`);
  }
  let buffered = '';
  let result: RemoteTaskResult | undefined;
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const message = JSON.parse(buffered.slice(0, newline)) as
        { type: 'log'; line: string } | { type: 'result'; result: RemoteTaskResult } | { type: 'error'; error: string };
      buffered = buffered.slice(newline + 1);
      if (message.type === 'log') onLine(message.line);
      else if (message.type === 'result') result = message.result;
      else throw new Error(message.error);
      newline = buffered.indexOf('\n');
    }
  }
  if (!result) throw new Error('the runner closed the connection before the task finished');
  return result;
}

export type { RunnerStatus, TaskSummary };
