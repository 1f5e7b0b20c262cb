// Benchmark: a oneoff task's spawn-to-exit time through the local runner, against a bare `node` spawn-to-exit.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunner } from '@hello-fargate/local';
import { system } from '../system.js';
import { exec, ratio, report, time } from './measure.js';

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hf-bench-'));
  const runner = await LocalRunner.start({ system, root, services: false, output: () => undefined });
  try {
    const runs = 15;
    // Baseline: the cheapest a task can be — start Node, run nothing, exit — with an environment as small as a
    // task's (this process runs under tsx, whose loader would otherwise be inherited and slow every spawn).
    const bare = await time(runs, () => exec(process.execPath, ['-e', '0'], { PATH: process.env.PATH ?? '' }));
    // A real oneoff run with nothing to do: bundle start-up, DATABASE_URL connect, migrations table read, exit.
    const migrate = await time(runs, async () => {
      const result = await runner.runTask('oneoff', { args: ['migrate'] });
      if (result.exitCode !== 0) throw new Error(`oneoff migrate failed: ${result.lastLines.join('\n')}`);
    });
    report('task_spawn_bare_node', bare);
    report('task_spawn_oneoff_migrate_noop', migrate);
    ratio('task_spawn_oneoff_migrate_vs_bare_node', migrate, bare);
  } finally {
    await runner.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
