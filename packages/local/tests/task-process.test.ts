import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../src/ports.js';
import { TaskProcess } from '../src/task-process.js';
import { fixtureApp, tempDir } from './helpers.js';

describe('TaskProcess', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  async function start(app: string, args: string[] = [], stopTimeoutSeconds = 2) {
    const lines: string[] = [];
    const task = TaskProcess.start({
      workload: 'demo',
      command: [process.execPath, fixtureApp(app), ...args],
      env: { PATH: process.env.PATH ?? '', PORT: String(await freePort()) },
      cwd: dir.path,
      stopTimeoutSeconds,
      logFile: join(dir.path, 'logs', 'demo.log'),
      onLine: (line) => lines.push(line),
    });
    return { task, lines };
  }

  it('reports the container exit code and keeps every line, prefixed with workload and task id', async () => {
    const { task, lines } = await start('task.mjs', ['ok', '7']);
    const result = await task.stopped;
    expect(result.exitCode).toBe(7);
    expect(result.stopCode).toBe('EssentialContainerExited');
    expect(task.id).toMatch(/^[0-9a-f]{32}$/);
    expect(lines).toContain(`demo/${task.id.slice(0, 8)} | exiting with 7`);
    expect(readFileSync(result.logFile, 'utf8')).toContain('exiting with 7\n');
    expect(result.lastLines).toEqual(['exiting with 7']);
  });

  it('stops a task with SIGTERM and lets it exit on its own', async () => {
    const { task, lines } = await start('server.mjs', [], 5);
    await waitForLine(lines, 'listening');
    const t0 = Date.now();
    const result = await task.stop('stopped by test');
    expect(result.exitCode).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.stopCode).toBe('UserInitiated');
    expect(result.stoppedReason).toBe('stopped by test');
    expect(lines.some((l) => l.endsWith('SIGTERM received: draining'))).toBe(true);
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('kills a task that ignores SIGTERM once stopTimeout has passed', async () => {
    const { task, lines } = await start('stubborn.mjs', [], 1);
    await waitForLine(lines, 'running');
    const t0 = Date.now();
    const result = await task.stop();
    const elapsed = Date.now() - t0;
    expect(lines.some((l) => l.endsWith('ignoring SIGTERM'))).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(result.exitCode).toBeNull();
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(5000);
  });

  it('reports a task whose program cannot start as TaskFailedToStart', async () => {
    const task = TaskProcess.start({
      workload: 'demo',
      command: [join(dir.path, 'no-such-program')],
      env: {},
      cwd: dir.path,
      stopTimeoutSeconds: 1,
      logFile: join(dir.path, 'x.log'),
    });
    const result = await task.stopped;
    expect(result.stopCode).toBe('TaskFailedToStart');
    expect(result.stoppedReason).toMatch(/CannotStartContainerError: .*ENOENT/);
    expect(existsSync(result.logFile)).toBe(true);
  });
});

async function waitForLine(lines: string[], text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!lines.some((l) => l.includes(text))) {
    if (Date.now() > deadline) throw new Error(`no line containing "${text}" in:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
