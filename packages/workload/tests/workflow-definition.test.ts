import { describe, expect, it } from 'vitest';
import { defineWorkflow, TASK_EXITED_NON_ZERO, workflowDefinition, type WorkflowTargets } from '../src/index.js';

const workflow = defineWorkflow({
  name: 'daily-sales-report',
  steps: [
    { name: 'Extract', workload: 'sales-report', command: ['extract'] },
    { name: 'Aggregate', workload: 'sales-report', command: ['aggregate'], timeoutSeconds: 600 },
    { name: 'Publish', workload: 'sales-report' },
  ],
  retry: { maxAttempts: 3, intervalSeconds: 10, backoffRate: 2 },
  notifyQueue: 'report-events',
});
const targets: WorkflowTargets = {
  cluster: 'arn:aws:ecs:eu-west-1:111111111111:cluster/c',
  taskDefinition: (w) => `arn:aws:ecs:eu-west-1:111111111111:task-definition/${w}:3`,
  subnets: ['subnet-a', 'subnet-b'],
  securityGroups: ['sg-1'],
  notifyQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/report-events',
};

type State = Record<string, unknown> & {
  Branches?: { StartAt: string; States: Record<string, Record<string, unknown>> }[];
};

describe('workflowDefinition', () => {
  const asl = workflowDefinition(workflow, targets);
  const states = asl.States as Record<string, State>;

  it('chains the steps in order after preparing the input, and ends in Succeeded', () => {
    expect(asl.StartAt).toBe('Prepare input');
    expect(states['Prepare input']?.Next).toBe('Extract');
    expect(states.Extract?.Next).toBe('Aggregate');
    expect(states.Aggregate?.Next).toBe('Publish');
    expect(states.Publish?.Next).toBe('Succeeded');
    expect(states.Succeeded).toEqual({ Type: 'Succeed' });
  });

  it('runs each step as RunTask .sync in private subnets with the execution input in the container environment', () => {
    const branch = states.Aggregate?.Branches?.[0];
    const run = branch?.States['Run Aggregate'] as {
      Resource: string;
      Parameters: Record<string, unknown>;
      TimeoutSeconds: number;
    };
    expect(run.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
    expect(run.TimeoutSeconds).toBe(600);
    expect(run.Parameters).toMatchObject({
      Cluster: targets.cluster,
      TaskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/sales-report:3',
      LaunchType: 'FARGATE',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: ['subnet-a', 'subnet-b'],
          SecurityGroups: ['sg-1'],
          AssignPublicIp: 'DISABLED',
        },
      },
      Overrides: {
        ContainerOverrides: [
          {
            Name: 'sales-report',
            Command: ['aggregate'],
            Environment: [
              { Name: 'WORKFLOW_NAME', Value: 'daily-sales-report' },
              { Name: 'WORKFLOW_STEP', Value: 'Aggregate' },
              { Name: 'WORKFLOW_EXECUTION_ID', 'Value.$': '$$.Execution.Id' },
              { Name: 'WORKFLOW_INPUT', 'Value.$': 'States.JsonToString($.input)' },
            ],
          },
        ],
      },
    });
    const publish = states.Publish?.Branches?.[0]?.States['Run Publish'] as {
      Parameters: { Overrides: { ContainerOverrides: Record<string, unknown>[] } };
    };
    expect(publish.Parameters.Overrides.ContainerOverrides[0]).not.toHaveProperty('Command');
  });

  it('checks the exit code explicitly inside the retried state', () => {
    const branch = states.Extract?.Branches?.[0];
    expect(branch?.States['Check Extract']).toMatchObject({ Type: 'Choice', Default: 'Extract exited non-zero' });
    expect(branch?.States['Extract exited non-zero']).toMatchObject({ Type: 'Fail', Error: TASK_EXITED_NON_ZERO });
    expect(states.Extract?.Retry).toEqual([
      {
        ErrorEquals: [TASK_EXITED_NON_ZERO, 'States.Timeout'],
        IntervalSeconds: 10,
        MaxAttempts: 3,
        BackoffRate: 2,
      },
    ]);
    // a RunTask that fails (API error, no capacity) is retried where States.TaskFailed is a well-defined wildcard
    expect(branch?.States['Run Extract']?.Retry).toEqual([
      { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 },
    ]);
    expect(states.Extract?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Record failure' },
    ]);
  });

  it('times the execution out after every step has timed out on every attempt, plus ten minutes', () => {
    // 3 steps × 4 attempts × their timeouts + per step the waits 10 + 20 + 40 s, + 600 s
    expect(asl.TimeoutSeconds).toBe((3600 + 600 + 3600) * 4 + 3 * 70 + 600);
  });

  it('records a failure, notifies the queue and fails with the step error', () => {
    expect(states['Record failure']?.Next).toBe('Notify failure');
    expect(states['Notify failure']).toMatchObject({
      Resource: 'arn:aws:states:::sqs:sendMessage',
      Parameters: { QueueUrl: targets.notifyQueueUrl, 'MessageBody.$': '$.failureReport' },
      Next: 'Failed',
    });
    expect(states.Failed).toEqual({
      Type: 'Fail',
      ErrorPath: '$.failureReport.error',
      CausePath: '$.failureReport.cause',
    });
  });

  it('skips the notification without a notify queue and refuses a missing queue URL', () => {
    const quiet = defineWorkflow({ name: 'quiet', steps: [{ name: 'Only', workload: 'w' }] });
    const definition = workflowDefinition(quiet, { ...targets, notifyQueueUrl: undefined });
    expect(definition.States['Record failure']?.Next).toBe('Failed');
    expect(definition.States).not.toHaveProperty('Notify failure');
    expect(() => workflowDefinition(workflow, { ...targets, notifyQueueUrl: undefined })).toThrow(
      'notifies queue "report-events" but no notifyQueueUrl',
    );
  });
});
