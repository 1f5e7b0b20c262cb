import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const hf = fileURLToPath(new URL('../bin/hf.js', import.meta.url));
const fixtureProject = fileURLToPath(new URL('../../local/tests/fixtures/project', import.meta.url));
const badProject = fileURLToPath(new URL('./fixtures/bad-system', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.DATABASE_URL; // the embedded PGlite, as on a fresh machine
  return env;
}

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [hf, ...args], { env: baseEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('hf start / status / run-task (real processes, embedded PGlite)', () => {
  let stateDir: string;
  let env: Record<string, string>;
  let runner: ChildProcess;
  let output = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'hf-cli-'));
    env = { HF_ROOT: fixtureProject, HF_STATE_DIR: stateDir };
    runner = spawn(process.execPath, [hf, 'start', '--database-port', '0', '--control-port', '0'], {
      env: baseEnv(env),
    });
    runner.stdout?.on('data', (d) => {
      output += d;
    });
    runner.stderr?.on('data', (d) => {
      output += d;
    });
    exited = new Promise((resolve) => runner.on('exit', resolve));
    const deadline = Date.now() + 60_000;
    while (!output.includes('`hf status --json` shows this again')) {
      if (Date.now() > deadline || runner.exitCode !== null) throw new Error(`hf start did not get ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 90_000);

  afterAll(async () => {
    if (runner.exitCode === null) runner.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('runs the pre-deploy task against the embedded database before services, and prints where things are', () => {
    expect(output).toMatch(/database {3}postgres:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres \(PGlite/);
    expect(output).toContain('answer 42');
    expect(output.indexOf('answer 42')).toBeLessThan(output.indexOf('web/'));
    expect(output).toMatch(/control {8}http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/web {12}backend {7}ACTIVE \(2\/2 healthy\)/);
  });

  it('hf status --json reports endpoints and each workload state', async () => {
    const { code, stdout } = await run(['status', '--json'], env);
    expect(code).toBe(0);
    const status = JSON.parse(stdout);
    expect(status.running).toBe(true);
    expect(status.endpoints.database).toMatch(/^postgres:\/\//);
    expect(status.endpoints.control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(status.database.kind).toBe('pglite');
    const byName = Object.fromEntries(status.workloads.map((w: { name: string }) => [w.name, w]));
    expect(byName.web).toMatchObject({
      kind: 'backend',
      state: 'ACTIVE',
      service: { desiredCount: 2, healthyCount: 2 },
    });
    expect(byName.job).toMatchObject({
      kind: 'oneoff',
      state: 'SUCCEEDED',
      lastRun: { exitCode: 0, startedBy: 'pre-deploy' },
    });
  });

  it('hf run-task runs in the running runner and exits with the task exit code', async () => {
    const { code, stdout, stderr } = await run(['run-task', 'job', '--', 'ok', '3'], env);
    expect(stdout).toMatch(/job\/[0-9a-f]{8} \| exiting with 3/);
    expect(stderr).toMatch(/task [0-9a-f]{8} stopped: exit code 3/);
    expect(code).toBe(3);
  });

  it('gives tasks the SQS contract: the SDK in the task reaches the local queue with no endpoint in its code', async () => {
    const { code, stdout } = await run(['run-task', 'job', '--', 'sqs', '0'], env);
    expect(stdout).toMatch(/sent [0-9a-f-]{36}/);
    expect(code).toBe(0);
    const stats = await run(['queue', 'stats'], env);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/^jobs +1 +0 +0 +\d+$/m);
    expect(stats.stdout).toMatch(/^jobs-dlq +0 +0 +0 +-$/m);
  });

  it('hf queue sends, peeks without receiving, and reports bad usage', async () => {
    const sent = await run(['queue', 'send', 'jobs', '{"hello":"queue"}'], env);
    expect(sent.code).toBe(0);
    const peek = await run(['queue', 'peek', 'jobs', '--max', '5'], env);
    expect(peek.stdout).toMatch(/receives=0 +visible +\{"hello":"queue"\}/);
    const unknown = await run(['queue', 'frob'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown queue action "frob"');
    const missing = await run(['queue', 'peek', 'nope'], env);
    expect(missing.code).toBe(1);
  });

  it('rejects bad usage with a message and exit code 2, and unknown workloads by name', async () => {
    const missing = await run(['run-task'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/expected 1 argument \(a workload name\), got 0/);
    const unknown = await run(['run-task', 'nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/workload "nope".*no such workload in system "fixture"; declared: web, job/);
    const command = await run(['frobnicate'], env);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "frobnicate"');
  });

  it('stops everything on SIGINT within the longest stopTimeout and exits 0', async () => {
    const t0 = Date.now();
    runner.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000 + 2000);
    expect(output).toMatch(/hf: stopped in [\d.]+ s/);
    expect(output.match(/SIGTERM received: draining/g)?.length).toBe(2);
    const after = await run(['status', '--json'], env);
    expect(after.code).toBe(3);
    expect(JSON.parse(after.stdout)).toEqual({ running: false });
    expect(after.stderr).toContain('no local runner is running here');
  }, 20_000);
});

describe('hf with an invalid system declaration', () => {
  it('fails fast naming the workload and field, with no stack trace', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hf-cli-'));
    const { code, stderr } = await run(['start'], { HF_ROOT: badProject, HF_STATE_DIR: stateDir });
    rmSync(stateDir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toContain(
      'hf: invalid declaration: workload "reports", field "cpu": 300 is not a Fargate cpu value',
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
