// The local Task resources of workflows: the JsonToString workaround, RunTask .sync answers and SQS messages.

import { defineSystem, defineWorkload } from '@hello-fargate/workload';
import { describe, expect, it } from 'vitest';
import { localStateMachine, runTaskSyncHandler, type TaskProcess, type TaskResult } from '../src/index.js';

const system = defineSystem({
  name: 'sys',
  workloads: [defineWorkload({ name: 'report', kind: 'scheduledjob', directory: '/tmp/report', command: ['all'] })],
});

function taskResult(result: Partial<TaskResult>): TaskResult {
  return {
    taskId: 'abc123',
    workload: 'report',
    exitCode: 0,
    signal: null,
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    startedAt: new Date('2026-11-21T01:30:01Z'),
    stoppedAt: new Date('2026-11-21T01:30:02Z'),
    logFile: '/tmp/x.log',
    lastLines: [],
    ...result,
  };
}

function fakeTask(result: Partial<TaskResult>): TaskProcess {
  const full = taskResult(result);
  return {
    startedBy: 'workflow:w',
    createdAt: new Date('2026-11-21T01:30:00Z'),
    stopped: Promise.resolve(full),
    stop: () => Promise.resolve(full),
  } as unknown as TaskProcess;
}

const ctx = () => ({
  executionArn: 'arn:x',
  stateName: 'Run Extract',
  workflow: 'w',
  signal: new AbortController().signal,
});

describe('localStateMachine', () => {
  it('passes JsonToString parameters of Task states as JSON values, and leaves everything else alone', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Parameters: { 'x.$': 'States.JsonToString($.input)' }, Next: 'B' },
        B: {
          Type: 'Task',
          Parameters: {
            Env: [{ 'Value.$': 'States.JsonToString($.input)' }, { 'Value.$': "States.Format('{}', $.a)" }],
          },
          End: true,
        },
      },
    };
    const local = localStateMachine(definition);
    expect(local.States.A.Parameters).toEqual({ 'x.$': 'States.JsonToString($.input)' });
    expect(local.States.B.Parameters.Env).toEqual([
      { 'Value.$': '$.input' },
      { 'Value.$': "States.Format('{}', $.a)" },
    ]);
    expect(definition.States.B.Parameters.Env[0]).toEqual({ 'Value.$': 'States.JsonToString($.input)' });
  });
});

describe('runTaskSyncHandler', () => {
  it('runs the task definition’s workload with the overrides and answers with the stopped task, exit code included', async () => {
    const runs: unknown[] = [];
    const handler = runTaskSyncHandler({
      system,
      startTask: async (workload, run) => {
        runs.push({ workload, ...run });
        return fakeTask({ exitCode: 3 });
      },
    });
    const task = (await handler(
      {
        Cluster: 'arn:aws:ecs:us-east-1:000000000000:cluster/sys-local',
        TaskDefinition: 'arn:aws:ecs:us-east-1:000000000000:task-definition/report:1',
        Overrides: {
          ContainerOverrides: [
            {
              Name: 'report',
              Command: ['extract'],
              Environment: [
                { Name: 'WORKFLOW_INPUT', Value: { note: 'a "quoted" \\ value' } },
                { Name: 'WORKFLOW_STEP', Value: 'Extract' },
              ],
            },
          ],
        },
      },
      ctx(),
    )) as Record<string, unknown>;
    expect(runs).toEqual([
      {
        workload: 'report',
        args: ['extract'],
        environment: { WORKFLOW_INPUT: '{"note":"a \\"quoted\\" \\\\ value"}', WORKFLOW_STEP: 'Extract' },
        startedBy: 'workflow:w',
      },
    ]);
    expect(JSON.parse((runs[0] as { environment: { WORKFLOW_INPUT: string } }).environment.WORKFLOW_INPUT)).toEqual({
      note: 'a "quoted" \\ value',
    });
    expect(task).toMatchObject({
      TaskArn: 'arn:aws:ecs:us-east-1:000000000000:task/sys-local/abc123',
      LastStatus: 'STOPPED',
      StopCode: 'EssentialContainerExited',
      Containers: [{ Name: 'report', ExitCode: 3, LastStatus: 'STOPPED' }],
    });
  });

  it('stops the task when its state times out, instead of leaving it running beside the retry', async () => {
    const reasons: string[] = [];
    let finish: (result: TaskResult) => void = () => undefined;
    const task = {
      ...fakeTask({}),
      stopped: new Promise<TaskResult>((resolve) => {
        finish = resolve;
      }),
      stop: (reason: string) => {
        reasons.push(reason);
        finish(taskResult({ exitCode: null, signal: 'SIGTERM' }));
        return Promise.resolve({} as TaskResult);
      },
    } as unknown as TaskProcess;
    const handler = runTaskSyncHandler({
      system,
      startTask: async () => task,
      stateTimeoutSeconds: (workflow, state) => (workflow === 'w' && state === 'Run Extract' ? 0.05 : undefined),
    });
    const answer = (await handler({ TaskDefinition: 'task-definition/report:1' }, ctx())) as {
      Containers: Record<string, unknown>[];
    };
    expect(reasons).toEqual(['State Run Extract timed out after 0.05 s']);
    expect(answer.Containers[0]).toMatchObject({ ExitCode: 143 });
  });

  it('reports 128 + signal for a killed task, no ExitCode for one that never ran, and refuses other systems', async () => {
    const handler = runTaskSyncHandler({
      system,
      startTask: async () => fakeTask({ exitCode: null, signal: 'SIGKILL' }),
    });
    const task = (await handler({ TaskDefinition: 'task-definition/report:1' }, ctx())) as {
      Containers: Record<string, unknown>[];
    };
    expect(task.Containers[0]).toMatchObject({ ExitCode: 137, Reason: 'killed by SIGKILL' });
    const neverRan = runTaskSyncHandler({
      system,
      startTask: async () => fakeTask({ exitCode: null, signal: null, stopCode: 'TaskFailedToStart' }),
    });
    const failed = (await neverRan({ TaskDefinition: 'task-definition/report:1' }, ctx())) as {
      Containers: Record<string, unknown>[];
    };
    expect(failed.Containers[0]).not.toHaveProperty('ExitCode');
    await expect(handler({ TaskDefinition: 'task-definition/other:1' }, ctx())).rejects.toMatchObject({
      name: 'ECS.InvalidParameterException',
      message: expect.stringContaining('"task-definition/other:1" is not a task definition of this system'),
    });
  });
});
