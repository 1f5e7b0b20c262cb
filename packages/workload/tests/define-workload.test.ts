import { describe, expect, it } from 'vitest';
import { DeclarationError, defineSystem, defineWorkload, type WorkloadProps } from '../src/index.js';

const base: WorkloadProps = { name: 'api', kind: 'backend', directory: '/tmp/usecases/api', port: 8080 };

function errorOf(fn: () => unknown): DeclarationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeclarationError) return error;
    throw error;
  }
  throw new Error('expected a DeclarationError');
}

describe('defineWorkload', () => {
  it('resolves documented defaults', () => {
    const w = defineWorkload(base);
    expect(w).toMatchObject({
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      minCount: 1,
      maxCount: 1,
      stopTimeoutSeconds: 30,
      entry: 'apps/main.ts',
      healthCheck: { path: '/health', intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 0 },
      dependsOn: { database: false, queues: [], workloads: [] },
      isService: true,
    });
  });

  it('accepts every valid Fargate pair at the edges of the table', () => {
    for (const [cpu, memory] of [
      [256, 2048],
      [512, 4096],
      [4096, 30720],
      [8192, 61440],
      [16384, 122880],
    ] as const) {
      expect(defineWorkload({ ...base, cpu, memory }).memory).toBe(memory);
    }
  });

  it('rejects cpu 300 naming the workload and field', () => {
    const error = errorOf(() => defineWorkload({ ...base, cpu: 300 }));
    expect(error.workload).toBe('api');
    expect(error.field).toBe('cpu');
    expect(error.message).toMatch(/workload "api", field "cpu": 300 is not a Fargate cpu value/);
  });

  it('rejects memory that Fargate does not allow for the cpu', () => {
    const error = errorOf(() => defineWorkload({ ...base, cpu: 256, memory: 4096 }));
    expect(error.field).toBe('memory');
    expect(error.message).toContain('512, 1024, 2048');
    expect(errorOf(() => defineWorkload({ ...base, cpu: 8192, memory: 18432 })).field).toBe('memory');
  });

  it('rejects stopTimeout 500', () => {
    const error = errorOf(() => defineWorkload({ ...base, stopTimeoutSeconds: 500 }));
    expect(error.field).toBe('stopTimeoutSeconds');
    expect(error.message).toMatch(/1 to 120/);
  });

  it('requires a port for HTTP services and refuses one for tasks', () => {
    expect(errorOf(() => defineWorkload({ ...base, port: undefined })).field).toBe('port');
    expect(errorOf(() => defineWorkload({ name: 'job', kind: 'oneoff', directory: '/x', port: 1 })).field).toBe('port');
  });

  it('checks health check ranges', () => {
    expect(errorOf(() => defineWorkload({ ...base, healthCheck: { retries: 11 } })).field).toBe('healthCheck.retries');
    expect(errorOf(() => defineWorkload({ ...base, healthCheck: { intervalSeconds: 4 } })).field).toBe(
      'healthCheck.intervalSeconds',
    );
  });

  it('checks counts', () => {
    expect(errorOf(() => defineWorkload({ ...base, minCount: 3, maxCount: 2 })).field).toBe('minCount');
    expect(errorOf(() => defineWorkload({ ...base, desiredCount: 5, minCount: 1, maxCount: 2 })).field).toBe(
      'desiredCount',
    );
    expect(errorOf(() => defineWorkload({ name: 'job', kind: 'oneoff', directory: '/x', desiredCount: 2 })).field).toBe(
      'desiredCount',
    );
  });

  it('refuses environment names the platform owns and secrets that are also plain variables', () => {
    expect(errorOf(() => defineWorkload({ ...base, environment: { DATABASE_URL: 'x' } })).field).toBe(
      'environment.DATABASE_URL',
    );
    expect(errorOf(() => defineWorkload({ ...base, environment: { AWS_REGION: 'x' } })).field).toBe(
      'environment.AWS_REGION',
    );
    expect(errorOf(() => defineWorkload({ ...base, environment: { lower: 'x' } })).field).toBe('environment.lower');
    expect(errorOf(() => defineWorkload({ ...base, environment: { API_KEY: 'x' }, secrets: ['API_KEY'] })).field).toBe(
      'secrets[0]',
    );
  });

  it('refuses preDeploy on anything but oneoff, and bad names', () => {
    expect(errorOf(() => defineWorkload({ ...base, preDeploy: [['migrate']] })).field).toBe('preDeploy');
    expect(errorOf(() => defineWorkload({ ...base, name: 'Bad_Name' })).field).toBe('name');
    expect(errorOf(() => defineWorkload({ ...base, kind: 'lambda' as never })).field).toBe('kind');
  });
});

describe('defineSystem', () => {
  const api = defineWorkload(base);

  it('rejects duplicate workload names', () => {
    const error = errorOf(() => defineSystem({ name: 'demo', workloads: [api, defineWorkload(base)] }));
    expect(error.workload).toBe('api');
    expect(error.message).toMatch(/declared twice/);
  });

  it('rejects a dependency on an unknown workload, listing the known ones', () => {
    const web = defineWorkload({ ...base, name: 'web', dependsOn: { workloads: ['backend'] } });
    const error = errorOf(() => defineSystem({ name: 'demo', workloads: [api, web] }));
    expect(error.workload).toBe('web');
    expect(error.field).toBe('dependsOn.workloads[0]');
    expect(error.message).toMatch(/unknown workload "backend"; declared: api, web/);
  });

  it('rejects a dependency on an unknown queue', () => {
    const worker = defineWorkload({
      name: 'worker',
      kind: 'backgroundjob',
      directory: '/x',
      dependsOn: { queues: ['jobs'] },
    });
    expect(errorOf(() => defineSystem({ name: 'demo', workloads: [worker] })).field).toBe('dependsOn.queues[0]');
    expect(defineSystem({ name: 'demo', workloads: [worker], queues: [{ name: 'jobs' }] }).workload('worker')).toBe(
      worker,
    );
  });

  it('looks workloads up by name with a clear error', () => {
    const sys = defineSystem({ name: 'demo', workloads: [api] });
    expect(errorOf(() => sys.workload('nope')).message).toMatch(/no such workload in system "demo"; declared: api/);
  });
});
