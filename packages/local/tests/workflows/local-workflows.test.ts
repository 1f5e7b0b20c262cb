import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type HistoryEvent, LocalWorkflows, type ResourceHandler, WorkflowError } from '../../src/workflows/index.js';
import { tempDir, waitFor } from '../helpers.js';
import { chain, RUN_TASK, retryAndCatch, scheduledJob, SEND_MESSAGE } from './definitions.js';

const open: LocalWorkflows[] = [];
const dirs: { remove: () => void }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((workflows) => workflows.close()));
  for (const dir of dirs.splice(0)) dir.remove();
});

function workflowsWith(
  resources: Record<string, ResourceHandler>,
  extra: Partial<ConstructorParameters<typeof LocalWorkflows>[0]> = {},
): LocalWorkflows {
  const workflows = new LocalWorkflows({
    workflows: [
      { name: 'chain', definition: chain },
      { name: 'retry-and-catch', definition: retryAndCatch },
      { name: 'scheduled-job', definition: scheduledJob },
    ],
    resources,
    retryIntervalScale: 0.01,
    ...extra,
  });
  open.push(workflows);
  return workflows;
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** A fake ecs:runTask.sync answering with the exit codes given, one per call (the last repeats). */
function ecsTask(exitCodes: number[], calls: unknown[] = []): ResourceHandler {
  return async (parameters) => {
    calls.push(parameters);
    const code = exitCodes[Math.min(calls.length - 1, exitCodes.length - 1)];
    return { Containers: [{ Name: 'app', ExitCode: code }], StoppedReason: 'Essential container in task exited' };
  };
}

const summary = (history: HistoryEvent[]) =>
  history.map((event) =>
    [event.type, event.state, event.error, event.attempt].filter((v) => v !== undefined).join(' '),
  );

describe('LocalWorkflows', () => {
  it('runs a three-step chain, passing each state its parameters and recording the history', async () => {
    const seen: { parameters: unknown; stateName: string; executionArn: string; workflow: string }[] = [];
    const workflows = workflowsWith({
      [RUN_TASK]: async (parameters, ctx) => {
        seen.push({ parameters, stateName: ctx.stateName, executionArn: ctx.executionArn, workflow: ctx.workflow });
        const { step, steps } = parameters as { step: string; steps: string[] };
        return { steps: [...steps, step] };
      },
      [SEND_MESSAGE]: async () => ({}),
    });
    const execution = workflows.startExecution('chain', { steps: [] }, { name: 'first', startedBy: 'test' });
    expect(execution.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:chain:first');
    expect(workflows.describeExecution(execution.executionArn)?.status).toBe('RUNNING');

    const record = await execution.done;
    expect(record).toMatchObject({
      status: 'SUCCEEDED',
      workflow: 'chain',
      name: 'first',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:chain',
      input: { steps: [] },
      output: { steps: ['extract', 'transform', 'load'] },
      startedBy: 'test',
    });
    expect(Date.parse(record.stopDate as string)).toBeGreaterThanOrEqual(Date.parse(record.startDate));
    expect(seen.map((call) => call.stateName)).toEqual(['Extract', 'Transform', 'Load']);
    expect(seen[1]).toEqual({
      parameters: { step: 'transform', steps: ['extract'] },
      stateName: 'Transform',
      executionArn: execution.executionArn,
      workflow: 'chain',
    });

    const history = workflows.history(execution.executionArn);
    expect(summary(history)).toEqual([
      'ExecutionStarted',
      'StateEntered Extract',
      'StateExited Extract',
      'StateEntered Transform',
      'StateExited Transform',
      'StateEntered Load',
      'StateExited Load',
      'ExecutionSucceeded',
    ]);
    expect(history.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(history[3]).toMatchObject({ stateType: 'Task', input: { steps: ['extract'] } });
    expect(history[4]).toMatchObject({ output: { steps: ['extract', 'transform'] } });
    expect(history.at(-1)).toMatchObject({ output: { steps: ['extract', 'transform', 'load'] } });
  });

  it('retries with backoff scaled by retryIntervalScale, then succeeds', async () => {
    let calls = 0;
    const workflows = workflowsWith({
      [RUN_TASK]: async () => {
        calls++;
        if (calls <= 2) throw named('Flaky', `try ${calls} failed`);
        return { ok: true };
      },
      [SEND_MESSAGE]: async () => ({}),
    });
    const started = performance.now();
    const record = await workflows.startExecution('retry-and-catch', {}).done;
    // Unscaled, the two waits would be 2 s and 6 s.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(record).toMatchObject({ status: 'SUCCEEDED', output: { ok: true } });
    expect(summary(workflows.history(record.executionArn))).toEqual([
      'ExecutionStarted',
      'StateEntered Work',
      'StateFailed Work Flaky',
      'StateRetried Work 1',
      'StateFailed Work Flaky',
      'StateRetried Work 2',
      'StateExited Work',
      'ExecutionSucceeded',
    ]);
    expect(workflows.history(record.executionArn)[2]).toMatchObject({ cause: 'try 1 failed' });
  });

  it('catches an error that is not retried, notifies and fails with the original error', async () => {
    const messages: unknown[] = [];
    const workflows = workflowsWith({
      [RUN_TASK]: async () => {
        throw named('States.TaskFailed', 'the task stopped: CannotPullContainerError');
      },
      [SEND_MESSAGE]: async (parameters) => {
        messages.push(parameters);
        return { MessageId: 'm-1' };
      },
    });
    const record = await workflows.startExecution('retry-and-catch', { job: 7 }).done;
    expect(record).toMatchObject({
      status: 'FAILED',
      error: 'States.TaskFailed',
      cause: 'the task stopped: CannotPullContainerError',
    });
    expect(messages).toEqual([
      {
        QueueUrl: 'http://localhost/000000000000/alerts',
        MessageBody: JSON.stringify({
          Error: 'States.TaskFailed',
          Cause: 'the task stopped: CannotPullContainerError',
        }),
      },
    ]);
    expect(summary(workflows.history(record.executionArn))).toEqual([
      'ExecutionStarted',
      'StateEntered Work',
      'StateFailed Work States.TaskFailed',
      'StateCaught Work',
      'StateExited Work',
      'StateEntered Notify',
      'StateExited Notify',
      'StateEntered Failed',
      'StateFailed Failed States.TaskFailed',
      'ExecutionFailed States.TaskFailed',
    ]);
    expect(workflows.history(record.executionArn)[3]).toMatchObject({ next: 'Notify' });
  });

  describe('the generated scheduled-job pattern', () => {
    it('succeeds when the task exits 0, with the execution id in the container environment', async () => {
      const calls: unknown[] = [];
      const workflows = workflowsWith({ [RUN_TASK]: ecsTask([0], calls), [SEND_MESSAGE]: async () => ({}) });
      const execution = workflows.startExecution('scheduled-job', { scheduledTime: '2026-01-01T09:00:00Z' });
      const record = await execution.done;
      expect(record).toMatchObject({
        status: 'SUCCEEDED',
        output: {
          scheduledTime: '2026-01-01T09:00:00Z',
          run: [{ ExitCode: 0, StoppedReason: 'Essential container in task exited' }],
        },
      });
      expect(calls).toEqual([
        {
          Cluster: 'local',
          TaskDefinition: 'report',
          Overrides: {
            ContainerOverrides: [
              {
                Name: 'app',
                Environment: [
                  { Name: 'EXECUTION_ID', Value: execution.executionArn },
                  { Name: 'SCHEDULED_TIME', Value: '2026-01-01T09:00:00Z' },
                ],
              },
            ],
          },
        },
      ]);
      expect(summary(workflows.history(record.executionArn))).toEqual([
        'ExecutionStarted',
        'StateEntered Run',
        'ParallelBranchStarted Run',
        'StateEntered RunTask',
        'StateExited RunTask',
        'StateEntered CheckExit',
        'StateExited CheckExit',
        'StateEntered Succeeded',
        'StateExited Succeeded',
        'ParallelBranchSucceeded Run',
        'StateExited Run',
        'ExecutionSucceeded',
      ]);
    });

    it('retries the Parallel on a non-zero exit and succeeds when a retry exits 0', async () => {
      const calls: unknown[] = [];
      const workflows = workflowsWith({ [RUN_TASK]: ecsTask([3, 0], calls), [SEND_MESSAGE]: async () => ({}) });
      const record = await workflows.startExecution('scheduled-job', { scheduledTime: 'now' }).done;
      expect(record.status).toBe('SUCCEEDED');
      expect(calls).toHaveLength(2);
      const retried = workflows.history(record.executionArn).filter((event) => event.type === 'StateRetried');
      expect(retried).toMatchObject([{ state: 'Run', attempt: 1 }]);
    });

    it('after the retries, notifies with the error and fails with HelloFargate.TaskExitedNonZero', async () => {
      const calls: unknown[] = [];
      const notifications: { MessageBody: string }[] = [];
      const workflows = workflowsWith({
        [RUN_TASK]: ecsTask([1], calls),
        [SEND_MESSAGE]: async (parameters) => {
          notifications.push(parameters as { MessageBody: string });
          return { MessageId: 'm-1' };
        },
      });
      const execution = workflows.startExecution('scheduled-job', { scheduledTime: 'now' });
      const record = await execution.done;
      expect(record).toMatchObject({
        status: 'FAILED',
        error: 'HelloFargate.TaskExitedNonZero',
        cause: 'the task exited with a non-zero code',
      });
      expect(calls).toHaveLength(3);
      expect(notifications).toHaveLength(1);
      const body = JSON.parse((notifications[0] as { MessageBody: string }).MessageBody) as Record<string, unknown>;
      expect(body).toMatchObject({
        error: { Error: 'HelloFargate.TaskExitedNonZero', Cause: 'the task exited with a non-zero code' },
        execution: execution.executionArn,
      });
      expect(Date.parse(body.startedAt as string)).not.toBeNaN();
      const history = workflows.history(record.executionArn);
      expect(history.filter((event) => event.type === 'StateRetried').map((event) => event.attempt)).toEqual([1, 2]);
      expect(summary(history).slice(-9)).toEqual([
        'StateCaught Run',
        'StateExited Run',
        'StateEntered DescribeFailure',
        'StateExited DescribeFailure',
        'StateEntered NotifyFailure',
        'StateExited NotifyFailure',
        'StateEntered Failed',
        'StateFailed Failed HelloFargate.TaskExitedNonZero',
        'ExecutionFailed HelloFargate.TaskExitedNonZero',
      ]);
    });
  });

  it('writes a line per state entered, exited, failed, retried or caught', async () => {
    const lines: string[] = [];
    const workflows = workflowsWith(
      {
        [RUN_TASK]: async () => {
          throw named('Flaky', 'flaked');
        },
        [SEND_MESSAGE]: async () => ({}),
      },
      { output: (line) => lines.push(line) },
    );
    await workflows.startExecution('retry-and-catch', {}, { name: 'noisy' }).done;
    expect(lines).toEqual([
      'retry-and-catch/noisy | started',
      'retry-and-catch/noisy | entered Work (Task)',
      'retry-and-catch/noisy | Work failed: Flaky: flaked',
      'retry-and-catch/noisy | retrying Work (retry 1) after Flaky',
      'retry-and-catch/noisy | Work failed: Flaky: flaked',
      'retry-and-catch/noisy | retrying Work (retry 2) after Flaky',
      'retry-and-catch/noisy | Work failed: Flaky: flaked',
      'retry-and-catch/noisy | Work caught the error, next Notify',
      'retry-and-catch/noisy | exited Work',
      'retry-and-catch/noisy | entered Notify (Task)',
      'retry-and-catch/noisy | exited Notify',
      'retry-and-catch/noisy | entered Failed (Fail)',
      'retry-and-catch/noisy | Failed failed: Flaky: flaked',
      'retry-and-catch/noisy | failed: Flaky: flaked',
    ]);
  });

  it('stops an execution: ABORTED with the cause, and the handler is told through its signal', async () => {
    let signal: AbortSignal | undefined;
    const workflows = workflowsWith({
      [RUN_TASK]: (_parameters, ctx) => {
        signal = ctx.signal;
        return new Promise(() => {});
      },
      [SEND_MESSAGE]: async () => ({}),
    });
    const execution = workflows.startExecution('chain', { steps: [] });
    await waitFor(() => signal !== undefined, 5000, 'the task handler to start');
    workflows.stopExecution(execution.executionArn, 'stopped by a test');
    const record = await execution.done;
    expect(record).toMatchObject({ status: 'ABORTED', cause: 'stopped by a test' });
    expect(signal?.aborted).toBe(true);
    expect(summary(workflows.history(execution.executionArn)).at(-1)).toBe('ExecutionAborted');
  });

  it('times out an execution that runs past the definition TimeoutSeconds', async () => {
    const workflows = new LocalWorkflows({
      workflows: [{ name: 'slow', definition: { ...chain, TimeoutSeconds: 1 } }],
      resources: { [RUN_TASK]: () => new Promise(() => {}) },
    });
    open.push(workflows);
    const record = await workflows.startExecution('slow', { steps: [] }).done;
    expect(record).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });

  it('notifies change listeners as an execution progresses', async () => {
    const workflows = workflowsWith({ [RUN_TASK]: ecsTask([0]), [SEND_MESSAGE]: async () => ({}) });
    const statuses: string[] = [];
    workflows.on('change', (record) => statuses.push(record.status));
    await workflows.startExecution('scheduled-job', { scheduledTime: 'now' }).done;
    expect(statuses[0]).toBe('RUNNING');
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    expect(statuses.length).toBeGreaterThan(5);
  });

  describe('refuses what Step Functions refuses', () => {
    const resources = { [RUN_TASK]: ecsTask([0]), [SEND_MESSAGE]: async () => ({}) };

    it('an invalid definition, naming the workflow and the problem', () => {
      const broken = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } };
      expect(() => new LocalWorkflows({ workflows: [{ name: 'broken', definition: broken }], resources })).toThrow(
        /workflow "broken": State machine definition is invalid.*\n.*Nowhere/,
      );
    });

    it('a Task whose Resource has no handler, naming the state and resource', () => {
      const definition = {
        StartAt: 'Pay',
        States: { Pay: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
      };
      try {
        new LocalWorkflows({ workflows: [{ name: 'billing', definition }], resources });
        throw new Error('expected a missing handler to be refused');
      } catch (error) {
        expect(error).toBeInstanceOf(WorkflowError);
        expect((error as WorkflowError).code).toBe('MissingResourceHandler');
        expect((error as Error).message).toContain(
          'workflow "billing", state "Pay": no local handler for Resource "arn:aws:states:::lambda:invoke"',
        );
      }
    });

    it('also finds Tasks without handlers inside Parallel branches', () => {
      const onlySqs = { [SEND_MESSAGE]: async () => ({}) };
      expect(
        () => new LocalWorkflows({ workflows: [{ name: 'job', definition: scheduledJob }], resources: onlySqs }),
      ).toThrow(
        /state "RunTask": no local handler for Resource "arn:aws:states:::ecs:runTask.sync" \(handled: arn:aws:states:::sqs:sendMessage\)/,
      );
    });

    it('an unknown workflow, listing the known ones', () => {
      const workflows = workflowsWith(resources);
      expect(() => workflows.startExecution('nightly', {})).toThrow(
        'unknown workflow "nightly"; the workflows are: chain, retry-and-catch, scheduled-job',
      );
    });

    it('a duplicate execution name, an invalid name and input that is not JSON or too large', async () => {
      const workflows = workflowsWith(resources);
      await workflows.startExecution('chain', { steps: [] }, { name: 'once' }).done;
      expect(() => workflows.startExecution('chain', { steps: [] }, { name: 'once' })).toThrow(
        expect.objectContaining({ code: 'ExecutionAlreadyExists', message: expect.stringContaining('"once"') }),
      );
      expect(() => workflows.startExecution('chain', {}, { name: 'has space' })).toThrow(/execution name "has space"/);
      expect(() => workflows.startExecution('chain', { n: 1n })).toThrow(
        expect.objectContaining({
          code: 'InvalidExecutionInput',
          message: expect.stringContaining('not JSON-serializable'),
        }),
      );
      expect(() => workflows.startExecution('chain', () => 1)).toThrow(/not JSON-serializable \(function\)/);
      expect(() => workflows.startExecution('chain', { big: 'x'.repeat(262_144) })).toThrow(
        /is 262154 bytes; Step Functions allows at most 262144/,
      );
    });
  });

  describe('with a state folder', () => {
    it('keeps executions and their history for the next instance', async () => {
      const dir = tempDir();
      dirs.push(dir);
      const resources = { [RUN_TASK]: ecsTask([0]), [SEND_MESSAGE]: async () => ({}) };
      const first = workflowsWith(resources, { stateDir: dir.path });
      const a = await first.startExecution('scheduled-job', { scheduledTime: 'a' }, { name: 'a' }).done;
      const b = await first.startExecution('scheduled-job', { scheduledTime: 'b' }, { name: 'b' }).done;
      await first.close();
      expect(existsSync(join(dir.path, 'workflows', 'scheduled-job', 'a.json'))).toBe(true);

      const second = workflowsWith(resources, { stateDir: dir.path });
      expect(second.listExecutions('scheduled-job').map((record) => record.name)).toEqual(['b', 'a']);
      expect(second.describeExecution(a.executionArn)).toEqual(a);
      expect(second.history(b.executionArn)).toEqual(first.history(b.executionArn));
      expect(() => second.startExecution('scheduled-job', {}, { name: 'a' })).toThrow(
        /already has an execution named "a"/,
      );
    });

    it('marks executions left RUNNING by a runner that died as FAILED with cause "local runner stopped"', async () => {
      const dir = tempDir();
      dirs.push(dir);
      const hanging = workflowsWith(
        { [RUN_TASK]: () => new Promise(() => {}), [SEND_MESSAGE]: async () => ({}) },
        { stateDir: dir.path },
      );
      const execution = hanging.startExecution('chain', { steps: [] }, { name: 'orphan' });
      const file = join(dir.path, 'workflows', 'chain', 'orphan.json');
      await waitFor(
        () => existsSync(file) && readFileSync(file, 'utf8').includes('"StateEntered"'),
        5000,
        'the running execution to be saved',
      );

      const next = workflowsWith(
        { [RUN_TASK]: ecsTask([0]), [SEND_MESSAGE]: async () => ({}) },
        { stateDir: dir.path },
      );
      expect(next.describeExecution(execution.executionArn)).toMatchObject({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: 'local runner stopped',
      });
      expect(summary(next.history(execution.executionArn))).toEqual([
        'ExecutionStarted',
        'StateEntered Extract',
        'ExecutionFailed States.Runtime',
      ]);
      await next.close();
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { record: { status: string } };
      expect(saved.record.status).toBe('FAILED');
    });

    it('aborts running executions on close with cause "local runner stopped" and saves them', async () => {
      const dir = tempDir();
      dirs.push(dir);
      const workflows = workflowsWith(
        { [RUN_TASK]: () => new Promise(() => {}), [SEND_MESSAGE]: async () => ({}) },
        { stateDir: dir.path },
      );
      const execution = workflows.startExecution('chain', { steps: [] }, { name: 'interrupted' });
      await workflows.close();
      expect(await execution.done).toMatchObject({ status: 'ABORTED', cause: 'local runner stopped' });
      const saved = JSON.parse(readFileSync(join(dir.path, 'workflows', 'chain', 'interrupted.json'), 'utf8')) as {
        record: { status: string };
      };
      expect(saved.record.status).toBe('ABORTED');
      expect(() => workflows.startExecution('chain', {})).toThrow(/closed/);
    });

    it('keeps only historyLimit finished executions per workflow, on disk too', async () => {
      const dir = tempDir();
      dirs.push(dir);
      const workflows = workflowsWith(
        { [RUN_TASK]: ecsTask([0]), [SEND_MESSAGE]: async () => ({}) },
        { stateDir: dir.path, historyLimit: 2 },
      );
      for (const name of ['one', 'two', 'three']) {
        await workflows.startExecution('scheduled-job', { scheduledTime: name }, { name }).done;
      }
      await workflows.close();
      expect(workflows.listExecutions('scheduled-job').map((record) => record.name)).toEqual(['three', 'two']);
      expect(existsSync(join(dir.path, 'workflows', 'scheduled-job', 'one.json'))).toBe(false);
      expect(existsSync(join(dir.path, 'workflows', 'scheduled-job', 'three.json'))).toBe(true);
    });

    it('skips a saved file it cannot read and says which', () => {
      const dir = tempDir();
      dirs.push(dir);
      const lines: string[] = [];
      const folder = join(dir.path, 'workflows', 'chain');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'torn.json'), '{"record":');
      workflowsWith(
        { [RUN_TASK]: ecsTask([0]), [SEND_MESSAGE]: async () => ({}) },
        { stateDir: dir.path, output: (line) => lines.push(line) },
      );
      expect(lines).toEqual([expect.stringMatching(/^workflows \| skipped .*torn\.json: /)]);
    });
  });
});
