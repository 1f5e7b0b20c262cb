// The CDK app (`npm run synth`, or the CDK CLI with `--app "npx tsx infra/app.ts"`): every stack of every environment.

import { relative } from 'node:path';
import { buildApp, REPO_ROOT } from './build-app.js';

const started = performance.now();
const { app, environments } = buildApp();
const assembly = app.synth();

// The CDK CLI reads the assembly itself; a summary only helps people running `npm run synth`.
if (!process.env.CDK_OUTDIR) {
  const lines = environments.flatMap((env) => [
    `${env.config.name} (${env.config.account} ${env.config.region}):`,
    ...env.stacks.map((stack) => {
      const template = assembly.getStackByName(stack.stackName).template as { Resources?: object };
      return `  ${stack.stackName}  ${Object.keys(template.Resources ?? {}).length} resources`;
    }),
  ]);
  const count = environments.reduce((n, env) => n + env.stacks.length, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `${lines.join('\n')}\nsynthesized ${count} stacks to ${relative(REPO_ROOT, assembly.directory) || '.'} in ${seconds} s\n`,
  );
}
