// The CdkToolkit that drives the installed aws-cdk CLI: synth once to a cloud assembly, then act on that assembly.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import type { CdkToolkit, SynthesizedStack, ToolkitActionOptions, ToolkitDiff } from './cdk-toolkit.js';
import { parseCdkLine } from './parse-cdk-line.js';

/** Runs the CDK CLI with `args`, hands over each output line (stdout and stderr), resolves with the exit code. */
export type CdkCommandRunner = (args: readonly string[], onLine: (line: string) => void) => Promise<number>;

export interface CdkCliToolkitOptions {
  /** The project root: where the CDK CLI runs and `infra/app.ts` lives. */
  readonly root: string;
  /** The CDK app command. @default 'npx tsx infra/app.ts' */
  readonly app?: string;
  /** Where the cloud assembly is written. @default '<root>/cdk.out' */
  readonly outdir?: string;
  /** Stacks the CDK CLI deploys or destroys at once, dependencies permitting. @default 1 */
  readonly concurrency?: number;
  /** Runs the CLI. @default - spawns `<root>/node_modules/.bin/cdk` with colours off */
  readonly run?: CdkCommandRunner;
}

/** Lines of output kept for an error message when the CLI fails. */
const TAIL_LINES = 15;

/**
 * `synth` runs `cdk synth --app 'npx tsx infra/app.ts' --output <outdir>` (the app builds every environment; stacks are
 * selected by name) and reads the assembly's manifest. The other methods pass `--app <outdir>`, so the CDK CLI uses
 * that same assembly without synthesizing again, and `--exclusively`, so it acts on exactly the stacks named.
 * `deploy` builds the Docker image assets with the local Docker and pushes them to the bootstrap ECR repository,
 * tagged with their content hash, before it deploys each stack.
 */
export class CdkCliToolkit implements CdkToolkit {
  private readonly app: string;
  private readonly outdir: string;
  private readonly concurrency: number;
  private readonly run: CdkCommandRunner;
  /** Stack name → the artifact id the CLI selects stacks by. */
  private ids: Map<string, string> | undefined;

  constructor(options: CdkCliToolkitOptions) {
    this.app = options.app ?? 'npx tsx infra/app.ts';
    this.outdir = options.outdir ?? join(options.root, 'cdk.out');
    this.concurrency = options.concurrency ?? 1;
    this.run = options.run ?? spawnCdk(options.root);
    if (!(Number.isInteger(this.concurrency) && this.concurrency >= 1)) {
      throw new RangeError(`concurrency must be a whole number, at least 1; got ${this.concurrency}`);
    }
  }

  async synth(): Promise<readonly SynthesizedStack[]> {
    await this.cdk(['synth', '--app', this.app, '--output', this.outdir, '--quiet'], 'cdk synth');
    const stacks = new CloudAssembly(this.outdir).stacks;
    this.ids = new Map(stacks.map((s) => [s.stackName, s.id]));
    const nameOf = new Map(stacks.map((s) => [s.id, s.stackName]));
    return stacks.map((stack) => ({
      name: stack.stackName,
      dependencies: stack.dependencies
        .filter((d) => d instanceof CloudFormationStackArtifact)
        .map((d) => nameOf.get(d.id) ?? d.id),
      terminationProtection: stack.terminationProtection === true,
    }));
  }

  async deploy(stackNames: readonly string[], options: ToolkitActionOptions): Promise<void> {
    const selectors = await this.selectors(stackNames);
    await this.cdk(
      [
        'deploy',
        '--app',
        this.outdir,
        '--require-approval',
        'never',
        '--progress',
        'events',
        '--exclusively',
        '--concurrency',
        String(this.concurrency),
        ...selectors,
      ],
      'cdk deploy',
      (line) => options.onEvent(parseCdkLine(line)),
    );
  }

  async diff(stackNames: readonly string[]): Promise<ToolkitDiff> {
    const selectors = await this.selectors(stackNames);
    const lines: string[] = [];
    await this.cdk(['diff', '--app', this.outdir, '--exclusively', ...selectors], 'cdk diff', (line) =>
      lines.push(line),
    );
    const text = lines.join('\n');
    const counted = /Number of stacks with differences: (\d+)/.exec(text);
    const hasChanges = counted ? Number(counted[1]) > 0 : /^\s*\[[-+~]\]/m.test(text);
    return { text, hasChanges };
  }

  async destroy(stackNames: readonly string[], options: ToolkitActionOptions): Promise<void> {
    const selectors = await this.selectors(stackNames);
    await this.cdk(
      [
        'destroy',
        '--app',
        this.outdir,
        '--force',
        '--exclusively',
        '--concurrency',
        String(this.concurrency),
        ...selectors,
      ],
      'cdk destroy',
      (line) => options.onEvent(parseCdkLine(line)),
    );
  }

  private async selectors(stackNames: readonly string[]): Promise<string[]> {
    if (!this.ids) await this.synth();
    return stackNames.map((name) => this.ids?.get(name) ?? name);
  }

  /** Runs the CLI; a non-zero exit becomes an Error carrying the last lines it printed. */
  private async cdk(args: readonly string[], what: string, onLine?: (line: string) => void): Promise<void> {
    const tail: string[] = [];
    const exitCode = await this.run([...args, '--no-notices'], (raw) => {
      const line = stripVTControlCharacters(raw);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      onLine?.(line);
    });
    if (exitCode !== 0) {
      const last = tail.filter((l) => l.trim() !== '').join('\n');
      throw new Error(`${what} exited with code ${exitCode}${last ? `:\n${last}` : ''}`);
    }
  }
}

/** Spawns `<root>/node_modules/.bin/cdk` in `root`, colours off, both output streams read line by line. */
export function spawnCdk(root: string): CdkCommandRunner {
  const command = join(root, 'node_modules', '.bin', 'cdk');
  return (args, onLine) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, [...args], {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', onLine);
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new Error(`the aws-cdk CLI is not installed at ${command}: run \`npm ci\` in ${root}`)
            : error,
        ),
      );
      child.once('close', (code) => resolve(code ?? 1));
    });
}
