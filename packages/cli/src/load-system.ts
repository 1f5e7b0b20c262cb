// Finds the project root (the folder with system.ts) and loads the system declaration from it.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { System } from '@hello-fargate/workload';

/** The nearest folder at or above `from` that holds system.ts; `HF_ROOT` wins when set. */
export function findProjectRoot(from = process.cwd()): string {
  if (process.env.HF_ROOT) return resolve(process.env.HF_ROOT);
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'system.ts'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `no system.ts found in ${from} or any folder above it; run hf inside the project (or set HF_ROOT)`,
      );
    }
    dir = parent;
  }
}

/** The runner's state folder: `HF_STATE_DIR`, or `<root>/.hf`. */
export function stateDirFor(root: string): string {
  return process.env.HF_STATE_DIR ? resolve(process.env.HF_STATE_DIR) : join(root, '.hf');
}

/** Imports `<root>/system.ts` and returns its exported `system`. Declaration errors surface with their message. */
export async function loadSystem(root: string): Promise<System> {
  const mod = (await import(pathToFileURL(join(root, 'system.ts')).href)) as { system?: System };
  if (!mod.system) throw new Error(`${join(root, 'system.ts')} must export \`system\` (made with defineSystem)`);
  return mod.system;
}
