// Small timing helpers for benchmarks: repeat, take the median and p90, print `name: value` lines.

import { spawn } from 'node:child_process';

export interface Timing {
  readonly median: number;
  readonly p90: number;
  readonly runs: number;
}

export async function time(runs: number, fn: () => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] as number;
  return { median: at(0.5), p90: at(0.9), runs };
}

export function report(name: string, timing: Timing): void {
  process.stdout.write(`${name}_median_ms: ${timing.median.toFixed(1)}\n`);
  process.stdout.write(`${name}_p90_ms: ${timing.p90.toFixed(1)}\n`);
}

export function ratio(name: string, value: Timing, baseline: Timing): void {
  process.stdout.write(`${name}: ${(value.median / baseline.median).toFixed(2)}\n`);
}

/** Spawns a process and resolves with its exit code. */
export function exec(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', env });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}
