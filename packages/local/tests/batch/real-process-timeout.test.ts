// The timeout path with real child processes: SIGTERM at the attempt timeout, SIGKILL killGraceSeconds later.

import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerResult, ContainerRun, ContainerSpec } from '../../src/batch/index.js';
import { LocalBatch } from '../../src/batch/local-batch.js';
import { definition } from './batch-test-helpers.js';

/** A minimal process-backed runContainer, as the runner's will be: SIGTERM, then SIGKILL after the grace. */
function runProcess(spec: ContainerSpec): ContainerRun {
  const [program, ...args] = spec.command as [string, ...string[]];
  const child = spawn(program, args, {
    env: { ...process.env, ...spec.environment },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let killTimer: NodeJS.Timeout | undefined;
  const result = new Promise<ContainerResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      resolve({
        exitCode: code,
        reason: signal ? `killed by ${signal}; output: ${output.trim()}` : `output: ${output.trim()}`,
      });
    });
  });
  const started = new Promise<void>((resolve) => child.on('spawn', () => resolve()));
  return {
    taskArn: `local-task/${child.pid}`,
    started,
    result,
    stop: () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), spec.killGraceSeconds * 1000);
    },
  };
}

const ready = 'process.stdout.write("ready ");';
const graceful = `${ready} process.on("SIGTERM", () => { process.stdout.write("got SIGTERM"); process.exit(143); }); setInterval(() => {}, 1000);`;
const stubborn = `${ready} process.on("SIGTERM", () => { process.stdout.write("ignoring SIGTERM "); }); setInterval(() => {}, 1000);`;

let batch: LocalBatch | undefined;
afterEach(async () => {
  await batch?.close();
});

function open(script: string): LocalBatch {
  return new LocalBatch({
    jobQueues: [{ name: 'jobs', maxvCpus: 1 }],
    jobDefinitions: [definition({ command: [process.execPath, '-e', script] })],
    runContainer: runProcess,
    minimumAttemptDurationSeconds: 1,
    killGraceSeconds: 1,
  });
}

describe('LocalBatch timeout with real processes', () => {
  it('sends SIGTERM when the attempt times out and records the exit', async () => {
    batch = open(graceful);
    const { jobId } = batch.submitJob({
      jobName: 'graceful',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      timeout: { attemptDurationSeconds: 1 },
    });
    const detail = await batch.whenSettled(jobId);
    expect(detail).toMatchObject({ status: 'FAILED', statusReason: 'Job attempt duration exceeded timeout' });
    expect(detail.attempts[0]?.container).toMatchObject({ exitCode: 143, reason: 'output: ready got SIGTERM' });
    expect((detail.stoppedAt as number) - (detail.startedAt as number)).toBeGreaterThanOrEqual(1000);
  });

  it('kills a process that ignores SIGTERM killGraceSeconds later', async () => {
    batch = open(stubborn);
    const { jobId } = batch.submitJob({
      jobName: 'stubborn',
      jobQueue: 'jobs',
      jobDefinition: 'work',
      timeout: { attemptDurationSeconds: 1 },
    });
    const detail = await batch.whenSettled(jobId);
    expect(detail.statusReason).toBe('Job attempt duration exceeded timeout');
    expect(detail.attempts[0]?.container.exitCode).toBeUndefined();
    expect(detail.attempts[0]?.container.reason).toBe('killed by SIGKILL; output: ready ignoring SIGTERM');
    expect((detail.stoppedAt as number) - (detail.startedAt as number)).toBeGreaterThanOrEqual(2000);
  });
});
