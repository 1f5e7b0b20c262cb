// hf workflow and hf batch against a running `hf start` (real processes): following runs, exit codes, bad input.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const hf = fileURLToPath(new URL('../bin/hf.js', import.meta.url));
const project = fileURLToPath(new URL('./fixtures/scheduled-project', import.meta.url));
const badSchedule = fileURLToPath(new URL('./fixtures/bad-schedule', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [hf, ...args], { env: { ...process.env, ...env } });
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

describe('hf workflow and hf batch with a running system', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'hf-cli-wf-'));
  const env = { HF_ROOT: project, HF_STATE_DIR: stateDir, DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused' };
  let runner: ChildProcess;
  let output = '';

  beforeAll(async () => {
    runner = spawn(process.execPath, [hf, 'start', '--control-port', '0'], { env: { ...process.env, ...env } });
    runner.stdout?.on('data', (d) => {
      output += d;
    });
    runner.stderr?.on('data', (d) => {
      output += d;
    });
    const deadline = Date.now() + 60_000;
    while (!output.includes('`hf status --json` shows this again')) {
      if (Date.now() > deadline || runner.exitCode !== null) throw new Error(`hf start did not get ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 90_000);

  afterAll(async () => {
    if (runner.exitCode === null) {
      const exited = new Promise((resolve) => runner.once('exit', resolve));
      runner.kill('SIGINT');
      await exited;
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('lists workflows with their schedule and next fire time in its time zone', async () => {
    const { code, stdout } = await run(['workflow', 'list'], env);
    expect(code).toBe(0);
    expect(stdout).toContain('nightly  (First → Second)');
    expect(stdout).toMatch(
      /schedule {2}cron\(30 2 \* \* \? \*\) Europe\/Berlin, next \d{4}-\d\d-\d\dT0[01]:30:00.000Z/,
    );
  });

  it('run-now follows a successful execution and exits 0; history shows it afterwards', async () => {
    const ran = await run(['workflow', 'run-now', 'nightly', '--input', '{"day":"2026-11-20"}'], env);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/StateEntered +First/);
    expect(ran.stdout).toMatch(/StateExited +Second/);
    expect(ran.stdout).toMatch(/SUCCEEDED in \d+\.\ds/);
    const history = await run(['workflow', 'history', 'nightly'], env);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^SUCCEEDED .*\(run-now\)$/m);
  });

  it('run-now exits 1 for a failing workflow, showing the retry and the caught error', async () => {
    const ran = await run(['workflow', 'run-now', 'broken'], env);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/StateRetried +Fails +attempt 1/);
    expect(ran.stdout).toMatch(/StateEntered +Notify failure/);
    expect(ran.stdout).toContain('FAILED');
    expect(ran.stdout).toContain('HelloFargate.TaskExitedNonZero');
  });

  it('refuses unknown workflows and bad input with messages', async () => {
    const unknown = await run(['workflow', 'run-now', 'daily'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no workflow "daily"; workflows: nightly, broken');
    const badInput = await run(['workflow', 'run-now', 'nightly', '--input', '{oops'], env);
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toContain('--input is not valid JSON');
  });

  it('batch submit follows an array job with a progress bar to SUCCEEDED; list and describe show it', async () => {
    const submitted = await run(['batch', 'submit', 'child', '--array-size', '5'], env);
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stderr).toContain('[##############################] 5/5  succeeded 5');
    const jobId = /job ([0-9a-f-]{36})/.exec(submitted.stdout)?.[1] as string;
    expect(submitted.stdout).toContain(`job ${jobId} SUCCEEDED`);
    const listed = await run(['batch', 'list'], env);
    expect(listed.stdout).toMatch(new RegExp(`^${jobId} .* SUCCEEDED .*\\[5\\]$`, 'm'));
    const described = await run(['batch', 'describe', `${jobId}:4`], env);
    expect(described.stdout).toContain('array index 4');
    expect(described.stdout).toContain('attempt 1   exit 0');
  });

  it('batch submit exits 1 when the job fails, naming the reason', async () => {
    const failed = await run(['batch', 'submit', 'child', '--array-size', '3', '--name', 'fails', '--', 'fail'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('3/3  failed 3');
    expect(failed.stdout).toMatch(/job [0-9a-f-]{36} FAILED/);
    const single = await run(['batch', 'submit', 'child', '--', 'fail'], env);
    expect(single.code).toBe(1);
    expect(single.stdout).toContain('FAILED: Essential container in task exited');
  });

  it('batch submit --file runs jobs that depend on each other by name, and refuses a cycle before running any', async () => {
    const graph = join(stateDir, 'graph.json');
    writeFileSync(
      graph,
      JSON.stringify({
        jobs: [
          { jobName: 'score', jobDefinition: 'child', arrayProperties: { size: 3 }, dependsOn: [{ job: 'prepare' }] },
          { jobName: 'prepare', jobDefinition: 'child', arrayProperties: { size: 3 } },
          {
            jobName: 'pairs',
            jobDefinition: 'child',
            arrayProperties: { size: 3 },
            dependsOn: [{ job: 'score', type: 'N_TO_N' }],
          },
        ],
      }),
    );
    const ran = await run(['batch', 'submit', '--file', graph], env);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout.indexOf('submitted prepare')).toBeLessThan(ran.stdout.indexOf('submitted score'));
    expect(ran.stdout).toMatch(/^pairs +SUCCEEDED/m);

    writeFileSync(
      graph,
      JSON.stringify({
        jobs: [
          { jobName: 'a', jobDefinition: 'child', dependsOn: [{ job: 'b' }] },
          { jobName: 'b', jobDefinition: 'child', dependsOn: [{ job: 'a' }] },
        ],
      }),
    );
    const before = (await run(['batch', 'list', '--json'], env)).stdout;
    const cyclic = await run(['batch', 'submit', '--file', graph], env);
    expect(cyclic.code).toBe(1);
    expect(cyclic.stderr).toContain('Job graph has a dependency cycle: a → b → a');
    expect((await run(['batch', 'list', '--json'], env)).stdout).toBe(before);
  });

  it('rejects bad batch input with messages naming the problem', async () => {
    const one = await run(['batch', 'submit', 'child', '--array-size', '1'], env);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('arrayProperties.size 1 is out of range; an array job has 2 to 10,000 children');
    const tooMany = await run(['batch', 'submit', 'child', '--array-size', '10001'], env);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toContain('arrayProperties.size 10001 is out of range');
    const queue = await run(['batch', 'submit', 'child', '--queue', 'nope'], env);
    expect(queue.code).toBe(1);
    expect(queue.stderr).toContain('Job queue "nope" does not exist; known job queues: jobs');
    const notBatch = await run(['batch', 'submit', 'step'], env);
    expect(notBatch.code).toBe(2);
    expect(notBatch.stderr).toContain('"step" is not a batchjob workload of this system (batchjobs: child)');
    const notNumber = await run(['batch', 'submit', 'child', '--array-size', 'ten'], env);
    expect(notNumber.code).toBe(2);
  });
});

describe('hf start with an invalid schedule expression', () => {
  it('fails fast naming the workflow, the field and the problem, with no stack trace', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hf-cli-bad-schedule-'));
    const { code, stderr } = await run(['start'], { HF_ROOT: badSchedule, HF_STATE_DIR: stateDir });
    rmSync(stateDir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toContain('workflow "nightly", field "schedule.expression"');
    expect(stderr).toContain('cron(0 2 * * * *)');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
