// runTaskOnAws against stubbed ECS, CloudWatch Logs and CloudFormation clients.

import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ECSServiceException, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { defineWorkload } from '@hello-fargate/workload';
import { describe, expect, it } from 'vitest';
import { INTERRUPTED_REASON, RunTaskError, runTaskOnAws } from '../../src/aws/index.js';
import type { RunTaskOnAwsOptions } from '../../src/aws/run-task-on-aws.js';
import {
  CLUSTER,
  CONTAINER,
  exitedTask,
  fakeAws,
  LOG_GROUP,
  LOG_STREAM,
  oneoffWorkload,
  STACK_NAME,
  TASK_ARN,
  TASK_DEFINITION_ARN,
  TASK_ID,
  task,
} from './fake-aws.js';

type Fake = ReturnType<typeof fakeAws>;

function run(fake: Fake, options: Partial<RunTaskOnAwsOptions> = {}) {
  return runTaskOnAws({
    system: 'hello-fargate',
    environment: 'dev',
    workload: oneoffWorkload,
    args: [],
    clients: fake.clients,
    output: fake.output,
    pollIntervalMs: 2,
    timeoutMs: 5_000,
    ...options,
  });
}

async function runError(promise: Promise<unknown>): Promise<RunTaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunTaskError);
  return error as RunTaskError;
}

describe('runTaskOnAws', () => {
  it("runs the task on on-demand Fargate in the stack's subnets and security groups, with no public IP and the command override", async () => {
    // GIVEN a deployed stack and a task that exits 0
    const fake = fakeAws();
    fake.describeTasks({ task: exitedTask(0) });

    // WHEN it runs with arguments
    await run(fake, { args: ['import', 'data/customers.csv'] });

    // THEN the stack named after system, environment and workload was read, and RunTask got exactly this input
    expect(fake.cloudformationMock.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_NAME,
    });
    const calls = fake.ecsMock.commandCalls(RunTaskCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      taskDefinition: TASK_DEFINITION_ARN,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'],
          securityGroups: ['sg-0ccc3333'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: { containerOverrides: [{ name: CONTAINER, command: ['import', 'data/customers.csv'] }] },
      startedBy: 'hf run-task',
      enableExecuteCommand: false,
      propagateTags: 'TASK_DEFINITION',
    });
  });

  it("sends no overrides when no arguments are given, so the task definition's command runs", async () => {
    const fake = fakeAws();
    fake.describeTasks({ task: exitedTask(0) });

    await run(fake, { args: [] });

    const input = fake.ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input;
    expect(input).toBeDefined();
    expect(input).not.toHaveProperty('overrides');
  });

  it('streams log lines in order across several GetLogEvents pages and drains the rest after STOPPED', async () => {
    // GIVEN a task that logs three lines while running and four more that only show up once it has stopped
    const fake = fakeAws();
    fake.describeTasks(
      { task: task('PENDING') },
      { task: task('RUNNING'), logs: ['line 1', 'line 2', 'line 3'] },
      { task: task('RUNNING') },
      { task: task('DEPROVISIONING') },
      { task: exitedTask(0), logs: ['line 4', 'line 5', 'line 6', 'line 7\n'] },
    );

    // WHEN it runs
    await run(fake);

    // THEN every line is printed once, in order, including those written just before STOPPED
    expect(fake.lines).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    // AND they came from the task's stream, from the head, following forward tokens page by page
    const inputs = fake.logsMock.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input);
    for (const input of inputs) {
      expect(input).toMatchObject({ logGroupName: LOG_GROUP, logStreamName: LOG_STREAM, startFromHead: true });
    }
    const tokens = inputs.map((i) => i.nextToken).filter((t) => t !== undefined);
    expect(new Set(tokens)).toEqual(new Set(['f/2', 'f/3', 'f/5', 'f/7']));
    // AND the status transitions were reported in order
    const statuses = fake.progress.filter((l) => l.startsWith(`task ${TASK_ID}: `));
    expect(statuses).toEqual(
      ['PROVISIONING', 'PENDING', 'RUNNING', 'DEPROVISIONING', 'STOPPED'].map((s) => `task ${TASK_ID}: ${s}`),
    );
  });

  it('keeps waiting while the log stream does not exist yet (ResourceNotFoundException)', async () => {
    const fake = fakeAws();
    fake.describeTasks(
      { task: task('PENDING') },
      { task: task('PENDING') },
      { task: task('RUNNING'), logs: ['migrated 3 files'] },
      { task: exitedTask(0) },
    );

    const result = await run(fake);

    expect(result.exitCode).toBe(0);
    expect(fake.lines).toEqual(['migrated 3 files']);
    // The first reads were made before the stream existed and were answered with ResourceNotFoundException.
    expect(fake.logsMock.commandCalls(GetLogEventsCommand)[0]?.args[0].input.nextToken).toBeUndefined();
    expect(fake.logsMock.commandCalls(GetLogEventsCommand).length).toBeGreaterThan(3);
  });

  it.each([0, 3])('returns the container exit code %i with the stop code, reason and task ARN', async (code) => {
    const fake = fakeAws();
    fake.describeTasks({ task: task('RUNNING') }, { task: exitedTask(code) });

    const result = await run(fake);

    expect(result).toEqual({
      exitCode: code,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      taskArn: TASK_ARN,
    });
    expect(fake.progress.at(-1)).toContain(`exit code ${code}`);
  });

  it('reports a task that failed to start (no exit code) as exit 1 and shows why', async () => {
    // GIVEN a task whose image could not be pulled: no container exit code, and no log stream ever
    const fake = fakeAws();
    const reason = 'CannotPullContainerError: pull image manifest has been retried 7 time(s): not found';
    fake.describeTasks(
      { task: task('PENDING') },
      {
        task: task('STOPPED', { stopCode: 'TaskFailedToStart', stoppedReason: reason, containerReason: reason }),
      },
    );

    const result = await run(fake);

    expect(result.exitCode).toBe(1);
    expect(result.stopCode).toBe('TaskFailedToStart');
    expect(result.stoppedReason).toBe(reason);
    expect(fake.progress.at(-1)).toContain(`TaskFailedToStart: ${reason}`);
    expect(fake.progress).toContain(`no log stream ${LOG_STREAM}: the container never logged`);
  });

  it('does not report success for a task stopped from outside whose container exited 0 (Spot interruption)', async () => {
    const fake = fakeAws();
    fake.describeTasks(
      { task: task('RUNNING') },
      { task: task('STOPPED', { exitCode: 0, stopCode: 'SpotInterruption', stoppedReason: 'Spot interruption' }) },
    );

    const result = await run(fake);

    expect(result.exitCode).toBe(1);
    expect(result.stopCode).toBe('SpotInterruption');
  });

  it('throws RUN_TASK_FAILED with the failure reason when RunTask starts no task', async () => {
    const fake = fakeAws();
    fake.ecsMock
      .on(RunTaskCommand)
      .resolves({ tasks: [], failures: [{ arn: TASK_DEFINITION_ARN, reason: 'RESOURCE:MEMORY' }] });

    const error = await runError(run(fake));

    expect(error.code).toBe('RUN_TASK_FAILED');
    expect(error.message).toContain('RESOURCE:MEMORY');
    expect(error.message).toContain(CLUSTER);
    expect(error.details.reasons).toEqual(['RESOURCE:MEMORY']);
    expect(fake.ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });

  it('throws RUN_TASK_FAILED naming the error and the IAM docs when RunTask is refused', async () => {
    const fake = fakeAws();
    const denied = new ECSServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      message: 'User is not authorized to perform: iam:PassRole',
      $metadata: {},
    });
    fake.ecsMock.on(RunTaskCommand).rejects(denied);

    const error = await runError(run(fake));

    expect(error.code).toBe('RUN_TASK_FAILED');
    expect(error.message).toContain('AccessDeniedException: User is not authorized to perform: iam:PassRole');
    expect(error.message).toContain('docs/run-task-aws.md');
    expect(error.cause).toBe(denied);
  });

  it('throws STACK_NOT_FOUND naming the stack, the region and `hf deploy --env` when the stack is missing', async () => {
    const fake = fakeAws();
    fake.cloudformationMock
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error(`Stack with id ${STACK_NAME} does not exist`), { name: 'ValidationError' }));

    const error = await runError(run(fake));

    expect(error.code).toBe('STACK_NOT_FOUND');
    expect(error.message).toBe(
      `stack ${STACK_NAME} not found in eu-west-1: deploy it first with \`hf deploy --env dev\``,
    );
    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('stops the task with a reason when the signal aborts, follows it to STOPPED and returns 130', async () => {
    // GIVEN a running task, and Ctrl-C pressed while it runs
    const fake = fakeAws();
    const controller = new AbortController();
    fake.describeTasks(
      { task: task('RUNNING'), logs: ['working'] },
      { task: task('RUNNING'), onAnswer: () => controller.abort() },
      { task: task('DEACTIVATING'), logs: ['got SIGTERM, exiting'] },
      {
        task: task('STOPPED', {
          exitCode: 143,
          stopCode: 'UserInitiated',
          stoppedReason: INTERRUPTED_REASON,
        }),
      },
    );

    // WHEN it runs with that signal
    const result = await run(fake, { signal: controller.signal });

    // THEN StopTask was called once with the interrupt reason, logs were followed to the end, and the result is 130
    const stops = fake.ecsMock.commandCalls(StopTaskCommand);
    expect(stops).toHaveLength(1);
    expect(stops[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      task: TASK_ARN,
      reason: 'stopped by hf run-task (interrupted)',
    });
    expect(result.exitCode).toBe(130);
    expect(result.stopCode).toBe('UserInitiated');
    expect(fake.lines).toEqual(['working', 'got SIGTERM, exiting']);
  });

  it('starts nothing when the signal is already aborted', async () => {
    const fake = fakeAws();
    const controller = new AbortController();
    controller.abort();

    const error = await runError(run(fake, { signal: controller.signal }));

    expect(error.code).toBe('INTERRUPTED');
    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('throws TIMEOUT and stops the task when it does not stop in time', async () => {
    const fake = fakeAws();
    fake.describeTasks({ task: task('RUNNING') });

    const started = Date.now();
    const error = await runError(run(fake, { timeoutMs: 60 }));

    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('did not stop within 60 ms');
    expect(error.details.taskArn).toBe(TASK_ARN);
    expect(Date.now() - started).toBeLessThan(2_000);
    const stops = fake.ecsMock.commandCalls(StopTaskCommand);
    expect(stops).toHaveLength(1);
    expect(stops[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      task: TASK_ARN,
      reason: 'stopped by hf run-task (timed out after 60 ms)',
    });
  });

  it('tolerates DescribeTasks not seeing a task that was just started', async () => {
    const fake = fakeAws();
    fake.describeTasks({ missing: true }, { missing: true }, { task: exitedTask(0) });

    const result = await run(fake);

    expect(result.exitCode).toBe(0);
  });

  it('throws TASK_MISSING when DescribeTasks never sees the task', async () => {
    const fake = fakeAws();
    fake.describeTasks({ missing: true });

    const error = await runError(run(fake, { pollIntervalMs: 1 }));

    expect(error.code).toBe('TASK_MISSING');
    expect(fake.ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(30);
  });

  it('refuses a service workload, which its ECS service runs', async () => {
    const fake = fakeAws();
    const api = defineWorkload({
      name: 'api',
      kind: 'webapi',
      port: 3000,
      directory: '/tmp/hello-fargate-tests/api',
      loadBalancer: { authentication: 'jwt' },
    });

    const error = await runError(run(fake, { workload: api }));

    expect(error.code).toBe('NOT_A_TASK');
    expect(fake.cloudformationMock.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });
});
