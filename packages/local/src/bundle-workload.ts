// Bundles a workload's entry with esbuild into the layout its container uses: <out>/apps/main.mjs + its assets.

import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { entryPath, type Workload } from '@hello-fargate/workload';
import { build } from 'esbuild';

export interface BundleOptions {
  /** Output folder; the bundle keeps the entry's path inside it, e.g. `<outDir>/apps/main.mjs`. */
  readonly outDir: string;
  /** How assets are placed: `copy` for images, `link` for the local runner (edits show up without rebuilding). @default 'link' */
  readonly assets?: 'copy' | 'link';
  /** Minify the bundle. @default false */
  readonly minify?: boolean;
}

export interface Bundle {
  /** Absolute path of the bundled entry module. */
  readonly entryFile: string;
  /** Path of the entry relative to outDir (the container's command argument). */
  readonly relativeEntry: string;
}

/** The bundled entry's path relative to the bundle root: `apps/main.ts` → `apps/main.mjs`. */
export function bundledEntry(workload: Workload): string {
  return `${workload.entry.replace(/\.[cm]?[jt]s$/, '')}.mjs`;
}

/** Builds one self-contained ESM file for the workload and places its assets beside it. */
export async function bundleWorkload(workload: Workload, options: BundleOptions): Promise<Bundle> {
  const relativeEntry = bundledEntry(workload);
  const entryFile = join(options.outDir, relativeEntry);
  mkdirSync(dirname(entryFile), { recursive: true });
  const result = await build({
    entryPoints: [entryPath(workload)],
    outfile: entryFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    minify: options.minify ?? false,
    logLevel: 'silent',
    // pg's optional native driver is never used; CommonJS dependencies need `require` inside an ES module.
    external: ['pg-native'],
    banner: {
      js: "import { createRequire as __hfCreateRequire } from 'node:module'; const require = __hfCreateRequire(import.meta.url);",
    },
  }).catch((error: { errors?: { text: string; location?: { file: string; line: number } }[] }) => {
    const first = error.errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new Error(`cannot bundle workload "${workload.name}": ${first?.text ?? String(error)}${where}`);
  });
  if (result.errors.length > 0) throw new Error(`cannot bundle workload "${workload.name}": ${result.errors[0]?.text}`);

  for (const asset of workload.assets) {
    const source = join(workload.directory, asset);
    if (!existsSync(source)) throw new Error(`workload "${workload.name}", field "assets": ${source} does not exist`);
    const target = join(options.outDir, asset);
    rmSync(target, { recursive: true, force: true });
    if ((options.assets ?? 'link') === 'copy') cpSync(source, target, { recursive: true });
    else symlinkSync(source, target);
  }
  return { entryFile, relativeEntry };
}
