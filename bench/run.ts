// `npm run bench`: runs every benchmark in turn; each prints `name: value` lines and ratios against its baseline.

import { run as batch } from './batch.bench.js';
import { run as queues } from './queues.bench.js';
import { run as runnerBoot } from './runner-boot.bench.js';
import { run as taskSpawn } from './task-spawn.bench.js';
import { run as webapi } from './webapi.bench.js';
import { run as workflow } from './workflow.bench.js';

const benchmarks: Record<string, () => Promise<void>> = {
  batch,
  queues,
  'runner-boot': runnerBoot,
  'task-spawn': taskSpawn,
  webapi,
  workflow,
};
const only = process.argv.slice(2);

for (const [name, run] of Object.entries(benchmarks)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`# ${name}\n`);
  await run();
}
