// A small closed-loop HTTP load generator for benchmarks: N concurrent keep-alive clients for a fixed time.

import { Agent, request } from 'node:http';

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Concurrent clients. @default 32 */
  readonly concurrency?: number;
  /** How long to run, in ms, after the warm-up. @default 4000 */
  readonly durationMs?: number;
  /** Requests before measuring, to warm JITs and caches. @default 200 */
  readonly warmup?: number;
  /** Status that counts as success. @default 200 */
  readonly expectStatus?: number;
}

function once(url: URL, agent: Agent, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', () => resolve(0));
    req.end();
  });
}

/** Runs the load and returns throughput, error count and latency percentiles. Bounded by time: it stops by itself. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const concurrency = options.concurrency ?? 32;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const headers = options.headers ?? {};
  const expected = options.expectStatus ?? 200;
  for (let i = 0; i < (options.warmup ?? 200); i++) await once(url, agent, headers);
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + (options.durationMs ?? 4000);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const status = await once(url, agent, headers);
        latencies.push(performance.now() - t0);
        if (status !== expected) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, errors, perSecond: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Prints `name_rps`, `name_p50_ms`, `name_p99_ms` and `name_errors` lines. */
export function reportLoad(name: string, result: LoadResult): void {
  process.stdout.write(`${name}_rps: ${result.perSecond.toFixed(0)}\n`);
  process.stdout.write(`${name}_p50_ms: ${result.p50Ms.toFixed(2)}\n`);
  process.stdout.write(`${name}_p99_ms: ${result.p99Ms.toFixed(2)}\n`);
  process.stdout.write(`${name}_errors: ${result.errors}\n`);
}
