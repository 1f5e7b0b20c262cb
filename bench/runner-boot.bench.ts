// Benchmark: `hf start`'s boot-to-ready time for the real system, against starting the embedded database alone.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunner, startLocalDatabase } from '@hello-fargate/local';
import { system } from '../system.js';
import { ratio, report, time } from './measure.js';

export async function run(): Promise<void> {
  const runs = 5;
  const root = mkdtempSync(join(tmpdir(), 'hf-bench-'));
  try {
    // Warm: the data folder exists and migrations are applied, as on every `npm start` after the first.
    await (await LocalRunner.start({ system, root, output: () => undefined })).stop();
    const database = await time(runs, async () => {
      const db = await startLocalDatabase({ dataDir: join(root, '.hf', 'pgdata') });
      await db.stop();
    });
    const boot = await time(runs, async () => {
      const runner = await LocalRunner.start({ system, root, output: () => undefined });
      await runner.stop();
    });
    report('runner_boot_database_only', database);
    report('runner_boot_to_ready_warm', boot);
    ratio('runner_boot_vs_database_only', boot, database);

    const cold = await time(1, async () => {
      const fresh = mkdtempSync(join(tmpdir(), 'hf-bench-'));
      const runner = await LocalRunner.start({ system, root: fresh, output: () => undefined });
      await runner.stop();
      rmSync(fresh, { recursive: true, force: true });
    });
    process.stdout.write(`runner_boot_to_ready_cold_ms: ${cold.median.toFixed(1)}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
