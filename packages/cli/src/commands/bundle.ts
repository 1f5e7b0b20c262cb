// `hf bundle <workload> --out <dir>`: the workload's esbuild bundle and assets, as its container image holds them.

import { resolve } from 'node:path';
import { bundleWorkload } from '@hello-fargate/local';
import { CliError } from '../cli-error.js';
import { loadSystem } from '../load-system.js';

export async function bundleCommand(options: {
  root: string;
  workload: string;
  out: string;
  assets: string;
}): Promise<number> {
  if (options.assets !== 'copy' && options.assets !== 'link') throw new CliError('--assets must be copy or link', 2);
  const system = await loadSystem(options.root);
  const workload = system.workload(options.workload);
  const bundle = await bundleWorkload(workload, { outDir: resolve(options.out), assets: options.assets, minify: true });
  process.stdout.write(`hf: bundled ${workload.name} → ${bundle.entryFile}\n`);
  return 0;
}
