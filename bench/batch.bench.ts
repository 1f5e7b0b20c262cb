// Benchmark: local AWS Batch array jobs of 100 and 1,000 children, against spawning the same number of bare Node
// processes with the same concurrency: the per-child overhead of the local Batch, and how the total grows with size.

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRunner } from '@hello-fargate/local';
import { defineJobQueue, defineSystem, defineWorkload } from '@hello-fargate/workload';
import { exec } from './measure.js';

const directory = fileURLToPath(new URL('./fixtures/', import.meta.url));
const noop = defineWorkload({
  name: 'noop-child',
  kind: 'batchjob',
  directory,
  entry: 'batch-noop-child.mjs',
  batch: { jobQueue: 'bench' },
});

/**
 * Spawns the same child script `count` times straight from Node, at most `concurrency` at a time, with an
 * environment as small as a task's (no tsx loader from this process); resolves with the wall time in ms.
 */
async function bareSpawns(count: number, concurrency: number): Promise<number> {
  const script = join(directory, 'batch-noop-child.mjs');
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const env = { PATH: process.env.PATH ?? '', AWS_BATCH_JOB_ARRAY_INDEX: String(index) };
        await exec(process.execPath, ['--enable-source-maps', script], env);
      }
    }),
  );
  return performance.now() - t0;
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hf-bench-batch-'));
  const concurrency = 4 * availableParallelism();
  const runner = await LocalRunner.start({
    // maxvCpus so high that only the runner's container cap (4 × CPUs) bounds concurrency, like the baseline's.
    system: defineSystem({
      name: 'bench',
      workloads: [noop],
      jobQueues: [defineJobQueue({ name: 'bench', maxvCpus: 4096 })],
    }),
    root,
    databaseUrl: 'postgres://unused@127.0.0.1:1/unused',
    services: false,
    output: () => undefined,
  });
  try {
    process.stdout.write(`batch_concurrency: ${concurrency}\n`);
    for (const size of [100, 1000]) {
      const bare = await bareSpawns(size, concurrency);
      const t0 = performance.now();
      const { jobId } = runner.batch?.submitJob({
        jobName: `bench-${size}`,
        jobQueue: 'bench',
        jobDefinition: noop.name,
        arrayProperties: { size },
      }) ?? { jobId: '' };
      const settled = await runner.batch?.whenSettled(jobId);
      const total = performance.now() - t0;
      if (settled?.status !== 'SUCCEEDED') throw new Error(`array job of ${size} ended ${settled?.status}`);
      process.stdout.write(`batch_array_${size}_total_ms: ${total.toFixed(0)}\n`);
      process.stdout.write(`batch_bare_spawn_${size}_total_ms: ${bare.toFixed(0)}\n`);
      process.stdout.write(`batch_array_${size}_per_child_ms: ${(total / size).toFixed(2)}\n`);
      process.stdout.write(`batch_array_${size}_overhead_per_child_ms: ${((total - bare) / size).toFixed(2)}\n`);
      process.stdout.write(`batch_array_${size}_vs_bare_spawn: ${(total / bare).toFixed(2)}\n`);
    }
  } finally {
    await runner.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
