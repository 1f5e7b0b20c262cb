import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineSystem, defineWorkload, type WorkloadProps } from '@hello-fargate/workload';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { LocalRunner, RunnerStartError } from '../src/local-runner.js';
import { fixtureProject, tempDir, waitFor } from './helpers.js';

const directory = fixtureProject;
const service = (props: Partial<WorkloadProps>) =>
  defineWorkload({
    name: 'web',
    kind: 'backend',
    directory,
    entry: 'apps/server.mjs',
    port: 8080,
    ...props,
  } as WorkloadProps);
const job = (props: Partial<WorkloadProps> = {}) =>
  defineWorkload({ name: 'job', kind: 'oneoff', directory, entry: 'apps/task.mjs', ...props } as WorkloadProps);

describe('LocalRunner', () => {
  let dir: ReturnType<typeof tempDir>;
  let runner: LocalRunner | undefined;
  let lines: string[];
  beforeEach(() => {
    dir = tempDir();
    lines = [];
    runner = undefined;
  });
  afterEach(async () => {
    await runner?.stop();
    dir.remove();
  });

  const start = async (workloads: ReturnType<typeof defineWorkload>[], extra: object = {}) => {
    runner = await LocalRunner.start({
      system: defineSystem({ name: 'test', workloads }),
      root: dir.path,
      // The real PostgreSQL server from the global setup keeps these tests fast; PGlite has its own tests.
      databaseUrl: inject('postgresUrl'),
      output: (line) => lines.push(line),
      restart: { backoffBaseMs: 100, backoffMaxMs: 1000, crashLoopLimit: 4, stableAfterMs: 5000 },
      earlyProbeSeconds: 0.05,
      ...extra,
    });
    return runner;
  };

  it('runs a service at its desired count, each task healthy on its own port', async () => {
    const r = await start([service({ desiredCount: 2 })]);
    const snapshot = r.service('web')?.snapshot();
    expect(snapshot?.state).toBe('ACTIVE');
    expect(snapshot?.healthyCount).toBe(2);
    const ports = snapshot?.tasks.map((t) => t.port) ?? [];
    expect(new Set(ports).size).toBe(2);
    for (const port of ports) {
      const body = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { workload: string };
      expect(body.workload).toBe('web');
    }
  });

  it('replaces a task that exits, with growing backoff, then gives up on a crash loop and says why', async () => {
    const r = await start([service({ name: 'crashy', entry: 'apps/crash.mjs', healthCheck: undefined })]);
    const controller = r.service('crashy');
    await waitFor(() => controller?.state === 'FAILED', 15_000, 'crash loop to be detected');
    const snapshot = controller?.snapshot();
    expect(snapshot?.restarts).toBe(3);
    expect(snapshot?.message).toMatch(/4 tasks in a row stopped \(last: exit code 3/);
    expect(snapshot?.message).toContain('boom: cannot start');
    const delays = lines
      .filter((l) => l.includes('starting a replacement in'))
      .map((l) => Number(/in ([\d.]+)s/.exec(l)?.[1]));
    expect(delays).toEqual([0.1, 0.2, 0.4]);
    expect(lines.some((l) => l.includes('crashy FAILED'))).toBe(true);
  });

  it('replaces a task that fails its health checks', async () => {
    const r = await start(
      [
        service({
          environment: { FIXTURE_UNHEALTHY: '1' },
          healthCheck: { intervalSeconds: 5, timeoutSeconds: 2, retries: 1 },
        }),
      ],
      { restart: { backoffBaseMs: 50, crashLoopLimit: 10, stableAfterMs: 60_000 }, readyTimeoutSeconds: 0.5 },
    );
    // Start-up stops waiting for a service that never turns healthy, says so, and keeps replacing its tasks.
    expect(lines).toContain('service    web is not healthy yet (0/1); carrying on, see `hf status`');
    expect(r.service('web')?.state).toBe('STARTING');
    await waitFor(() => lines.some((l) => l.includes('is UNHEALTHY (GET /health answered 503): replacing it')), 15_000);
    await waitFor(() => (r.service('web')?.restarts ?? 0) >= 1, 5000, 'a replacement');
    expect(r.service('web')?.restarts).toBeGreaterThanOrEqual(1);
  });

  it('stops every service task with SIGTERM and waits for them to drain', async () => {
    const r = await start([service({ desiredCount: 2 })]);
    await r.stop();
    expect(lines.filter((l) => l.endsWith('SIGTERM received: draining')).length).toBe(2);
    expect(lines.filter((l) => l.endsWith('drained')).length).toBe(2);
    expect(r.service('web')?.state).toBe('STOPPED');
  });

  it('runs pre-deploy tasks before services, with DATABASE_URL, and refuses to start services when one fails', async () => {
    await start([service({}), job({ dependsOn: { database: true }, preDeploy: [['sql', '0']] })]);
    const preDeployLine = lines.findIndex((l) => l.includes('answer 42'));
    const firstServiceLine = lines.findIndex((l) => l.startsWith('web/'));
    expect(preDeployLine).toBeGreaterThanOrEqual(0);
    expect(preDeployLine).toBeLessThan(firstServiceLine);
    await runner?.stop();

    lines = [];
    const failing = start([service({}), job({ preDeploy: [['ok', '4']] })]);
    await expect(failing).rejects.toThrow(RunnerStartError);
    await expect(failing).rejects.toThrow(
      /pre-deploy task "job ok 4" failed \(exit code 4\); services were not started/,
    );
    expect(lines.some((l) => l.startsWith('web/'))).toBe(false);
    runner = undefined;
  });

  it('runs a task like RunTask: command override, environment contract, secrets, exit code, history', async () => {
    writeFileSync(join(dir.path, 'secrets.local.json'), JSON.stringify({ API_TOKEN: 's3cret' }));
    const r = await start([
      job({ dependsOn: { database: true }, environment: { GREETING: 'hi' }, secrets: ['API_TOKEN'] }),
    ]);
    const result = await r.runTask('job', { args: ['env', '5'] });
    expect(result.exitCode).toBe(5);
    const envLine = lines.find((l) => l.includes('"HF_WORKLOAD"')) ?? '';
    const env = JSON.parse(envLine.slice(envLine.indexOf('{')));
    expect(env).toEqual({
      HF_WORKLOAD: 'job',
      DATABASE_URL: inject('postgresUrl'),
      GREETING: 'hi',
      API_TOKEN: 's3cret',
    });
    const status = r.status();
    expect(status.workloads.find((w) => w.name === 'job')).toMatchObject({ state: 'FAILED', lastRun: { exitCode: 5 } });
    expect(status.tasks[0]).toMatchObject({ workload: 'job', exitCode: 5, startedBy: 'run-task' });
  });

  it('refuses to start when a declared secret has no local value, naming it and the file', async () => {
    await expect(start([job({ secrets: ['API_TOKEN'] })])).rejects.toThrow(
      /workload "job" declares secret "API_TOKEN" but .*secrets\.local\.json has no value for it/,
    );
    runner = undefined;
  });

  it('serves the task metadata endpoint v4 with the documented shape', async () => {
    const r = await start([job({ cpu: 512, memory: 1024 })]);
    const result = await r.runTask('job', { args: ['metadata', '0'] });
    expect(result.exitCode).toBe(0);
    const line = lines.find((l) => l.includes('"TaskARN"')) ?? '';
    const { task, container, stats } = JSON.parse(line.slice(line.indexOf('{')));
    expect(task).toMatchObject({
      Cluster: 'local',
      TaskARN: `arn:aws:ecs:local:000000000000:task/local/${result.taskId}`,
      Family: 'job',
      Revision: '1',
      DesiredStatus: 'RUNNING',
      KnownStatus: 'RUNNING',
      Limits: { CPU: 0.5, Memory: 1024 },
      LaunchType: 'FARGATE',
    });
    expect(task.AvailabilityZone).toEqual(expect.any(String));
    expect(task.Containers[0]).toMatchObject({
      DockerId: result.taskId,
      Name: 'job',
      Type: 'NORMAL',
      Limits: { CPU: 512, Memory: 1024 },
      Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: ['127.0.0.1'] }],
    });
    expect(task.Containers[0].Labels['com.amazonaws.ecs.task-arn']).toBe(task.TaskARN);
    expect(container).toEqual(task.Containers[0]);
    expect(stats[result.taskId].memory_stats.usage).toBeGreaterThan(0);
  });

  it('keeps its state in one folder and refuses a second runner on it', async () => {
    const r = await start([job()]);
    const file = join(dir.path, '.hf', 'runner.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    await expect(
      LocalRunner.start({
        system: defineSystem({ name: 'test', workloads: [job()] }),
        root: dir.path,
        databaseUrl: 'x',
      }),
    ).rejects.toThrow(/a local runner is already running \(pid \d+\)/);
    await r.stop();
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(dir.path, '.hf', 'build', 'job', 'apps', 'task.mjs'))).toBe(true);
  });
});

describe('LocalRunner after a crash of the runner itself', () => {
  it('ends the tasks a killed runner left behind when the next one starts', async () => {
    const dir = tempDir();
    const { spawn } = await import('node:child_process');
    // A task group recorded by a runner that is gone (pid 0x7fffffff does not exist).
    const orphan = spawn(process.execPath, [join(fixtureProject, 'apps', 'stubborn.mjs')], {
      detached: true,
      stdio: 'ignore',
    });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir.path, '.hf'), { recursive: true });
    writeFileSync(join(dir.path, '.hf', 'runner.json'), JSON.stringify({ pid: 2147483647, taskPids: [orphan.pid] }));
    const exited = new Promise((resolve) => orphan.once('exit', (_code, signal) => resolve(signal)));
    const lines: string[] = [];
    const runner = await LocalRunner.start({
      system: defineSystem({ name: 'test', workloads: [job()] }),
      root: dir.path,
      databaseUrl: inject('postgresUrl'),
      output: (line) => lines.push(line),
    });
    await runner.stop();
    dir.remove();
    expect(await exited).toBe('SIGKILL');
    expect(lines).toContain('cleanup    ended 1 task(s) left running by a runner that did not stop cleanly');
  });
});

describe('LocalRunner with a backend and its caller', () => {
  it('gives callers BACKEND_URL, balancing across the replicas and surviving one being killed', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const backend = defineWorkload({
      name: 'backend',
      kind: 'backend',
      directory,
      entry: 'apps/server.mjs',
      port: 8080,
      desiredCount: 2,
    });
    const caller = defineWorkload({
      name: 'caller',
      kind: 'oneoff',
      directory,
      entry: 'apps/task.mjs',
      dependsOn: { workloads: ['backend'] },
    });
    const runner = await LocalRunner.start({
      system: defineSystem({ name: 'test', workloads: [backend, caller] }),
      root: dir.path,
      databaseUrl: inject('postgresUrl'),
      output: (line) => lines.push(line),
      earlyProbeSeconds: 0.05,
      restart: { backoffBaseMs: 5000 },
    });
    try {
      const url = runner.status().serviceConnect.backend as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await runner.runTask('caller', { args: ['env', '0'] });
      expect(lines.some((l) => l.includes(`"HF_WORKLOAD":"caller","BACKEND_URL":"${url}"`))).toBe(true);

      const pids = new Set<number>();
      for (let i = 0; i < 4; i++) pids.add(((await (await fetch(url)).json()) as { pid: number }).pid);
      expect(pids.size).toBe(2);

      const victim = runner.service('backend')?.currentTasks[0];
      process.kill(victim?.pid as number, 'SIGKILL');
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) statuses.push((await fetch(url)).status);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    } finally {
      await runner.stop();
      dir.remove();
    }
  });
});

describe('LocalRunner with a service that has no health check', () => {
  it('counts it ready as soon as its tasks run, without waiting for the start-up timeout', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const worker = defineWorkload({ name: 'worker', kind: 'backgroundjob', directory, entry: 'apps/stubborn.mjs' });
    const t0 = Date.now();
    const runner = await LocalRunner.start({
      system: defineSystem({ name: 'test', workloads: [worker] }),
      root: dir.path,
      databaseUrl: inject('postgresUrl'),
      output: (line) => lines.push(line),
      readyTimeoutSeconds: 20,
    });
    try {
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(runner.service('worker')?.state).toBe('ACTIVE');
      expect(lines.some((l) => l.includes('not healthy yet'))).toBe(false);
    } finally {
      await runner.stop();
      dir.remove();
    }
  }, 30_000);
});
