import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Runs the README's `npm start` until it is ready, then presses Ctrl-C the way a terminal does (SIGINT to the whole
 * foreground process group: npm does not forward a SIGINT sent to npm alone) and collects what it printed.
 */
async function npmStartThenInterrupt(
  stateDir: string,
): Promise<{ output: string; signal: NodeJS.Signals | null; code: number | null; stopMs: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, HF_STATE_DIR: stateDir };
  delete env.DATABASE_URL;
  const child = spawn('npm', ['start', '--silent'], { cwd: root, env, detached: true });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (code, signal) => resolve([code, signal])),
  );
  const deadline = Date.now() + 90_000;
  while (!output.includes('`hf status --json` shows this again')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      process.kill(-(child.pid as number), 'SIGKILL');
      throw new Error(`npm start did not get ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const t0 = Date.now();
  process.kill(-(child.pid as number), 'SIGINT');
  const [code, signal] = await exited;
  return { output, code, signal, stopMs: Date.now() - t0 };
}

describe('npm start (the whole system, embedded PGlite)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'hf-npm-start-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('runs migrations before anything else, prints where things are, and stops cleanly on SIGINT', async () => {
    const { output, code, signal, stopMs } = await npmStartThenInterrupt(stateDir);
    expect(output).toMatch(/database {3}postgres:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres \(PGlite/);
    expect(output).toContain('pre-deploy oneoff migrate');
    expect(output).toMatch(/oneoff\/[0-9a-f]{8} \| .*0001_customers/);
    expect(output).toMatch(/control {8}http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/oneoff {9}oneoff {8}SUCCEEDED \(last run exit 0\)/);
    expect(output).toContain('seed       oneoff import');
    expect(output).toMatch(/backend {8}backend {7}ACTIVE \(2\/2 healthy\)/);
    expect(output).toMatch(/webapp {9}webapp {8}ACTIVE \(2\/2 healthy\)/);
    expect(output).toMatch(/webapi {9}webapi {8}ACTIVE \(2\/2 healthy\)/);
    expect(output).toMatch(/main-job {7}backgroundjob ACTIVE \(1\/1 running\)/);
    expect(output).toMatch(/background-job backgroundjob ACTIVE \(1\/1 running\)/);
    expect(output).toMatch(
      /sqs {8}http:\/\/127\.0\.0\.1:\d+ \(order-events \+ order-events-dlq, background-jobs \+ background-jobs-dlq/,
    );
    expect(output).toMatch(/hf: stopped in [\d.]+ s/);
    // npm itself ends by the signal; the runner stopped cleanly and removed its state file.
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
    expect(existsSync(join(stateDir, 'runner.json'))).toBe(false);
    expect(stopMs).toBeLessThan(30_000);
  }, 120_000);

  it('keeps the database between runs: a second start finds nothing to migrate', async () => {
    const { output } = await npmStartThenInterrupt(stateDir);
    expect(output).not.toMatch(/0001_customers/);
    expect(output).toMatch(/oneoff {9}oneoff {8}SUCCEEDED/);
    expect(output).toMatch(/hf: stopped in [\d.]+ s/);
  }, 120_000);
});
