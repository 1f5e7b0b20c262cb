import { describe, expect, it } from 'vitest';
import {
  DeclarationError,
  defineJobQueue,
  defineQueue,
  defineSystem,
  defineWorkflow,
  defineWorkload,
  type WorkflowProps,
  type WorkloadProps,
} from '../src/index.js';

const dir = '/tmp/usecases/x';
const report: WorkloadProps = { name: 'report', kind: 'scheduledjob', directory: dir, dependsOn: { database: true } };
const rescore: WorkloadProps = { name: 'rescore', kind: 'batchjob', directory: dir, batch: { jobQueue: 'batch' } };
const flow: WorkflowProps = {
  name: 'nightly',
  steps: [
    { name: 'Extract', workload: 'report', command: ['extract'] },
    { name: 'Publish', workload: 'report', command: ['publish'] },
  ],
};

function errorOf(fn: () => unknown): DeclarationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeclarationError) return error;
    throw error;
  }
  throw new Error('expected a DeclarationError');
}

describe('batchjob declarations', () => {
  it('resolves the batch defaults: one attempt, no rules, no timeout', () => {
    expect(defineWorkload(rescore).batch).toEqual({
      jobQueue: 'batch',
      attempts: 1,
      evaluateOnExit: [],
      attemptDurationSeconds: undefined,
    });
  });

  it('upper-cases rule actions and keeps only the conditions given', () => {
    const w = defineWorkload({
      ...rescore,
      batch: { jobQueue: 'batch', attempts: 3, evaluateOnExit: [{ action: 'retry' as 'RETRY', onExitCode: '75' }] },
    });
    expect(w.batch?.evaluateOnExit).toEqual([{ action: 'RETRY', onExitCode: '75' }]);
  });

  it.each([
    [{ jobQueue: 'batch', attempts: 0 }, 'batch.attempts', '1 to 10'],
    [{ jobQueue: 'batch', attempts: 11 }, 'batch.attempts', '1 to 10'],
    [{ jobQueue: 'batch', attemptDurationSeconds: 59 }, 'batch.attemptDurationSeconds', 'at least 60'],
    [{ jobQueue: 'batch', evaluateOnExit: [{ action: 'SKIP' }] }, 'batch.evaluateOnExit[0].action', 'RETRY or EXIT'],
    [
      { jobQueue: 'batch', evaluateOnExit: [{ action: 'EXIT', onExitCode: '7x' }] },
      'batch.evaluateOnExit[0].onExitCode',
      'digits',
    ],
    [
      { jobQueue: 'batch', evaluateOnExit: [{ action: 'EXIT', onReason: 'a*b' }] },
      'batch.evaluateOnExit[0].onReason',
      'ending with',
    ],
    [{ jobQueue: 'batch', evaluateOnExit: Array(6).fill({ action: 'EXIT' }) }, 'batch.evaluateOnExit', 'at most 5'],
  ])('refuses %j in field %s', (batch, field, message) => {
    const error = errorOf(() => defineWorkload({ ...rescore, batch: batch as never }));
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
    expect(error.message).toContain('workload "rescore"');
  });

  it('requires batch on a batchjob and refuses it elsewhere', () => {
    expect(errorOf(() => defineWorkload({ ...rescore, batch: undefined })).field).toBe('batch');
    expect(errorOf(() => defineWorkload({ ...report, batch: { jobQueue: 'batch' } })).message).toContain(
      'is for batchjob workloads',
    );
  });

  it('checks job queues and refuses a batchjob on an undeclared one, listing the declared', () => {
    expect(defineJobQueue({ name: 'batch' })).toEqual({
      name: 'batch',
      maxvCpus: 16,
      capacity: 'spot-first',
      priority: 1,
    });
    expect(errorOf(() => defineJobQueue({ name: 'batch', maxvCpus: 0 })).message).toContain('job queue "batch"');
    const error = errorOf(() =>
      defineSystem({ name: 's', workloads: [defineWorkload(rescore)], jobQueues: [defineJobQueue({ name: 'other' })] }),
    );
    expect(error.field).toBe('batch.jobQueue');
    expect(error.message).toContain('unknown job queue "batch"; declared: other');
  });
});

describe('the trigger switch', () => {
  it('a schedule trigger keeps the workload a task and parses its expression in its time zone', () => {
    const w = defineWorkload({
      ...report,
      command: ['run'],
      trigger: { type: 'schedule', expression: 'cron(0 3 * * ? *)', timezone: 'Europe/Berlin' },
    });
    expect(w.isService).toBe(false);
    expect(w.port).toBeUndefined();
    expect(w.trigger).toMatchObject({
      type: 'schedule',
      timezone: 'Europe/Berlin',
      command: ['run'],
      retryAttempts: 3,
      maximumEventAgeSeconds: 3600,
      enabled: true,
      schedule: { kind: 'cron' },
    });
  });

  it('a service trigger makes it a service behind a JWT-validating load balancer', () => {
    const w = defineWorkload({
      ...report,
      command: ['run'],
      trigger: { type: 'service', port: 8080, command: ['serve'] },
    });
    expect(w).toMatchObject({
      isService: true,
      port: 8080,
      desiredCount: 1,
      command: ['serve'],
      loadBalancer: { authentication: 'jwt', localPort: 8082 },
      healthCheck: { path: '/health' },
      trigger: { type: 'service', command: ['serve'] },
    });
  });

  it('names the field of a bad schedule expression', () => {
    const error = errorOf(() =>
      defineWorkload({ ...report, trigger: { type: 'schedule', expression: 'cron(0 2 * * * *)' } }),
    );
    expect(error.field).toBe('trigger.expression');
    expect(error.message).toContain('cron(0 2 * * * *)');
  });

  it('refuses service fields outside the trigger and triggers on other kinds', () => {
    expect(
      errorOf(() => defineWorkload({ ...report, port: 9000, trigger: { type: 'service', port: 8080 } })).field,
    ).toBe('port');
    expect(errorOf(() => defineWorkload({ ...rescore, trigger: { type: 'service', port: 8080 } })).field).toBe(
      'trigger',
    );
    expect(
      errorOf(() =>
        defineWorkload({ ...report, trigger: { type: 'schedule', expression: 'rate(1 hour)', retryAttempts: 186 } }),
      ).field,
    ).toBe('trigger.retryAttempts');
  });
});

describe('defineWorkflow', () => {
  it('resolves retry and step defaults', () => {
    const w = defineWorkflow(flow);
    expect(w.retry).toEqual({ maxAttempts: 2, intervalSeconds: 30, backoffRate: 2 });
    expect(w.steps[0]).toEqual({ name: 'Extract', workload: 'report', command: ['extract'], timeoutSeconds: 3600 });
    expect(w.schedule).toBeUndefined();
  });

  it('parses the schedule with its time zone and keeps its input', () => {
    const w = defineWorkflow({
      ...flow,
      schedule: { expression: 'cron(30 2 * * ? *)', timezone: 'Europe/Berlin', input: { region: 'eu' } },
    });
    expect(w.schedule).toMatchObject({ timezone: 'Europe/Berlin', input: { region: 'eu' }, enabled: true });
  });

  it.each([
    [{ ...flow, steps: [] }, 'steps', 'at least one step'],
    [{ ...flow, steps: [flow.steps[0], flow.steps[0]] }, 'steps[1].name', 'used by two steps'],
    [{ ...flow, steps: [{ name: 'Failed', workload: 'report' }] }, 'steps[0].name', 'uses itself'],
    [{ ...flow, schedule: { expression: 'rate(0 minutes)' } }, 'schedule.expression', 'rate(0 minutes)'],
    [
      { ...flow, schedule: { expression: 'rate(1 hour)', timezone: 'Mars/Olympus' } },
      'schedule.expression',
      'Mars/Olympus',
    ],
    [{ ...flow, retry: { maxAttempts: 100 } }, 'retry.maxAttempts', '0 to 99'],
    [{ ...flow, steps: [{ name: 'Extract succeeded', workload: 'report' }] }, 'steps[0].name', 'uses itself'],
    [
      { ...flow, schedule: { expression: 'rate(1 hour)', timezone: 'EST' } },
      'schedule.expression',
      'unknown time zone "EST"',
    ],
    [
      { ...flow, schedule: { expression: 'rate(1 hour)', input: { blob: 'x'.repeat(7000) } } },
      'schedule.input',
      'under 7000',
    ],
    [
      { ...flow, schedule: { expression: 'rate(1 hour)', input: { scheduledTime: 'x' } } },
      'schedule.input',
      'added by',
    ],
  ])('refuses a bad declaration (%#): field %s', (props, field, message) => {
    const error = errorOf(() => defineWorkflow(props as WorkflowProps));
    expect(error.field).toBe(field);
    expect(error.message).toContain('workflow "nightly"');
    expect(error.message).toContain(message);
  });

  it('the system checks step workloads and the notify queue', () => {
    const workloads = [
      defineWorkload(report),
      defineWorkload({ name: 'api', kind: 'backend', directory: dir, port: 1 }),
    ];
    expect(
      errorOf(() =>
        defineSystem({
          name: 's',
          workloads,
          workflows: [defineWorkflow({ ...flow, steps: [{ name: 'A', workload: 'nope' }] })],
        }),
      ).message,
    ).toContain('unknown workload "nope"');
    expect(
      errorOf(() =>
        defineSystem({
          name: 's',
          workloads,
          workflows: [defineWorkflow({ ...flow, steps: [{ name: 'A', workload: 'api' }] })],
        }),
      ).message,
    ).toContain('"api" is a backend');
    expect(
      errorOf(() =>
        defineSystem({ name: 's', workloads, workflows: [defineWorkflow({ ...flow, notifyQueue: 'alerts' })] }),
      ).field,
    ).toBe('notifyQueue');
    const system = defineSystem({
      name: 's',
      workloads,
      queues: [defineQueue({ name: 'alerts' })],
      workflows: [defineWorkflow({ ...flow, notifyQueue: 'alerts' })],
    });
    expect(system.workflow('nightly').notifyQueue).toBe('alerts');
    expect(errorOf(() => system.workflow('daily')).message).toContain(
      'no such workflow in system "s"; declared: nightly',
    );
  });
});
