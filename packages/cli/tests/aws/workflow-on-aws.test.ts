// runWorkflowNowOnAws and workflowHistoryOnAws against stubbed Step Functions and CloudFormation clients.

import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { AwsCommandError } from '../../src/aws/aws-command-error.js';
import {
  newExecutionName,
  type RunWorkflowNowOnAwsOptions,
  runWorkflowNowOnAws,
  workflowHistoryOnAws,
} from '../../src/aws/workflow-on-aws.js';
import {
  awsError,
  EXECUTION_ARN,
  EXECUTION_NAME,
  fakeCloudFormation,
  fakeSfn,
  HistoryBuilder,
  recordingOutput,
  START,
  STATE_MACHINE_ARN,
  WORKFLOW,
  WORKFLOW_OUTPUTS,
  WORKFLOW_STACK,
} from './fake-workflow-batch-aws.js';

/** A run of the real daily-sales-report shape: Prepare input, then the Extract step, then Succeeded. */
function succeededHistory() {
  return new HistoryBuilder()
    .add('ExecutionStarted', { executionStartedEventDetails: { input: '{"day":"2025-02-28"}' } })
    .entered('Pass', 'Prepare input')
    .exited('Pass', 'Prepare input')
    .step('Extract', 0, 'aaaabbbbccccdddd')
    .entered('Succeed', 'Succeeded')
    .exited('Succeed', 'Succeeded')
    .add('ExecutionSucceeded', { executionSucceededEventDetails: { output: '{}' } }).events;
}

const CAUSE = 'the sales-report task of step "Extract" stopped without exit code 0; see its logs';

/** Extract fails to start once (States.TaskFailed), is retried, exits 3, and the execution fails after the Catch. */
function failedHistory() {
  return new HistoryBuilder()
    .add('ExecutionStarted')
    .entered('Pass', 'Prepare input')
    .exited('Pass', 'Prepare input')
    .entered('Parallel', 'Extract')
    .add('ParallelStateStarted')
    .entered('Task', 'Run Extract')
    .add('TaskScheduled')
    .add('TaskStarted')
    .add('TaskFailed', {
      taskFailedEventDetails: {
        resourceType: 'ecs',
        resource: 'runTask.sync',
        error: 'States.TaskFailed',
        cause: 'RESOURCE:ENI',
      },
    })
    .add('ParallelStateFailed')
    .add('ParallelStateStarted')
    .attempt('Extract', 3, '1111222233334444')
    .entered('Fail', 'Extract exited non-zero')
    .add('ParallelStateFailed')
    .exited('Parallel', 'Extract')
    .entered('Pass', 'Record failure')
    .exited('Pass', 'Record failure')
    .entered('Fail', 'Failed')
    .add('ExecutionFailed', {
      executionFailedEventDetails: { error: 'HelloFargate.TaskExitedNonZero', cause: CAUSE },
    }).events;
}

function setup(events = succeededHistory(), steps: Parameters<typeof fakeSfn>[1] = []) {
  const { sfn, mock: sfnMock } = fakeSfn(events, steps);
  const { cloudformation, mock: cloudformationMock } = fakeCloudFormation({ [WORKFLOW_STACK]: WORKFLOW_OUTPUTS });
  const recorded = recordingOutput();
  const run = (options: Partial<RunWorkflowNowOnAwsOptions> = {}) =>
    runWorkflowNowOnAws({
      system: 'hello-fargate',
      environment: 'staging',
      workflow: WORKFLOW,
      clients: { sfn, cloudformation },
      output: recorded.output,
      executionName: EXECUTION_NAME,
      pollIntervalMs: 1,
      ...options,
    });
  return { sfnMock, cloudformationMock, ...recorded, run, clients: { sfn, cloudformation } };
}

async function rejection(promise: Promise<unknown>): Promise<AwsCommandError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsCommandError);
  return error as AwsCommandError;
}

describe('runWorkflowNowOnAws', () => {
  it("starts an execution of the workflow stack's state machine with exactly the given name and input", async () => {
    // GIVEN a deployed workflow stack
    const fake = setup();

    // WHEN run-now is asked not to wait
    const result = await fake.run({ input: '{ "day": "2025-02-28" }', noWait: true });

    // THEN the stack <system>-<env>-wf-<workflow> was read and StartExecution got exactly this input
    expect(fake.cloudformationMock.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({
      StackName: WORKFLOW_STACK,
    });
    expect(fake.sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, name: EXECUTION_NAME, input: '{"day":"2025-02-28"}' },
    ]);
    // AND it returned at once, printing what it started, without following
    expect(result).toEqual({ exitCode: 0, executionArn: EXECUTION_ARN, status: 'RUNNING' });
    expect(fake.lines).toEqual([`started ${WORKFLOW} execution ${EXECUTION_NAME}`, `  ${EXECUTION_ARN}`]);
    expect(fake.sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('sends {} when no input is given and names the execution readably and uniquely by default', async () => {
    const fake = setup();

    await fake.run({ noWait: true, executionName: undefined });

    const input = fake.sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(input?.input).toBe('{}');
    expect(input?.name).toMatch(/^hf-run-now-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(newExecutionName(START, 'abc123')).toBe(EXECUTION_NAME);
    expect(newExecutionName()).not.toBe(newExecutionName());
  });

  it('follows the history across pages and polls to SUCCEEDED, printing each event once in the local format', async () => {
    // GIVEN an execution whose 20 events appear over three polls, served 4 to a page
    const events = succeededHistory();
    const fake = setup(events, [
      { status: 'RUNNING', visibleEvents: 6 },
      { status: 'RUNNING', visibleEvents: 13 },
      { status: 'SUCCEEDED', visibleEvents: events.length },
    ]);

    // WHEN it runs and follows
    const result = await fake.run();

    // THEN it exits 0 and printed the steps as the local runner does, plumbing (Choice, Succeed, task scheduling) left out
    expect(result.exitCode).toBe(0);
    expect(fake.lines).toEqual([
      `started ${WORKFLOW} execution ${EXECUTION_NAME}`,
      `  ${EXECUTION_ARN}`,
      '     +0.00s  ExecutionStarted     ',
      '     +1.00s  StateEntered         Prepare input',
      '     +2.00s  StateExited          Prepare input',
      '     +3.00s  StateEntered         Extract',
      '     +5.00s  StateEntered         Run Extract',
      '    +10.00s  StateExited          Run Extract  exit 0 (task aaaabbbb)',
      '    +16.00s  StateExited          Extract',
      '    +19.00s  ExecutionSucceeded   ',
      `${EXECUTION_NAME} SUCCEEDED in 19.0s`,
    ]);
    // AND every page was read by following nextToken, with execution data for the exit codes
    const inputs = fake.sfnMock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(inputs.every((i) => i.executionArn === EXECUTION_ARN && i.includeExecutionData === true)).toBe(true);
    expect(inputs.map((i) => i.nextToken)).toEqual([
      undefined,
      'p/4',
      undefined,
      'p/4',
      'p/8',
      'p/12',
      undefined,
      'p/4',
      'p/8',
      'p/12',
      'p/16',
    ]);
  });

  it('shows retries and failures, exits 1 and prints the execution error and cause when it FAILED', async () => {
    const events = failedHistory();
    const fake = setup(events, [
      { status: 'RUNNING', visibleEvents: 12 },
      {
        status: 'FAILED',
        visibleEvents: events.length,
        error: 'HelloFargate.TaskExitedNonZero',
        cause: CAUSE,
      },
    ]);

    const result = await fake.run();

    expect(result).toEqual({ exitCode: 1, executionArn: EXECUTION_ARN, status: 'FAILED' });
    expect(fake.lines.slice(2)).toEqual([
      '     +0.00s  ExecutionStarted     ',
      '     +1.00s  StateEntered         Prepare input',
      '     +2.00s  StateExited          Prepare input',
      '     +3.00s  StateEntered         Extract',
      '     +5.00s  StateEntered         Run Extract',
      '     +8.00s  StateFailed          Run Extract  States.TaskFailed: RESOURCE:ENI',
      '     +9.00s  StateFailed          Extract',
      '    +10.00s  StateRetried         Extract  attempt 1',
      '    +11.00s  StateEntered         Run Extract',
      '    +16.00s  StateExited          Run Extract  exit 3 (task 11112222)',
      '    +19.00s  StateEntered         Extract exited non-zero',
      '    +20.00s  StateFailed          Extract',
      '    +21.00s  StateExited          Extract',
      '    +22.00s  StateEntered         Record failure',
      '    +23.00s  StateExited          Record failure',
      '    +24.00s  StateEntered         Failed',
      `    +25.00s  ExecutionFailed        HelloFargate.TaskExitedNonZero: ${CAUSE}`,
      `${EXECUTION_NAME} FAILED in 25.0s`,
      `  HelloFargate.TaskExitedNonZero: ${CAUSE}`,
    ]);
  });

  it('prints every event with verbose, including the Choice check and task scheduling', async () => {
    const events = succeededHistory();
    const fake = setup(events, [{ status: 'SUCCEEDED', visibleEvents: events.length }]);

    await fake.run({ verbose: true });

    expect(fake.lines).toHaveLength(2 + events.length + 1);
    expect(fake.lines).toContain('     +6.00s  TaskScheduled        Run Extract');
    expect(fake.lines).toContain('    +11.00s  StateEntered         Check Extract');
  });

  it('on Ctrl-C while following, leaves the execution running, says how to stop it and exits 130', async () => {
    // GIVEN an execution still running when the signal aborts during the second poll
    const controller = new AbortController();
    const fake = setup(succeededHistory(), [
      { status: 'RUNNING', visibleEvents: 3 },
      { status: 'RUNNING', visibleEvents: 5, onAnswer: () => controller.abort() },
      { status: 'SUCCEEDED', visibleEvents: 20 },
    ]);

    // WHEN it follows with that signal
    const result = await fake.run({ signal: controller.signal });

    // THEN it stopped following after that poll, without stopping the execution
    expect(result).toEqual({ exitCode: 130, executionArn: EXECUTION_ARN, status: 'RUNNING' });
    expect(fake.sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
    expect(fake.sfnMock.commandCalls(StopExecutionCommand)).toHaveLength(0);
    // AND it printed the ARN and the aws CLI command that stops it
    expect(fake.progress.join('\n')).toContain(`keeps running in AWS (${EXECUTION_ARN})`);
    expect(fake.progress).toContain(
      `stop it with \`aws stepfunctions stop-execution --execution-arn ${EXECUTION_ARN}\``,
    );
  });

  it('starts nothing when the signal is aborted before StartExecution', async () => {
    const fake = setup();
    const controller = new AbortController();
    controller.abort();

    const error = await rejection(fake.run({ signal: controller.signal }));

    expect(error.code).toBe('INTERRUPTED');
    expect(fake.sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('refuses input that is not JSON before any AWS call', async () => {
    const fake = setup();

    const error = await rejection(fake.run({ input: '{day: 1}' }));

    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^--input is not valid JSON/);
    expect(fake.cloudformationMock.calls()).toHaveLength(0);
    expect(fake.sfnMock.calls()).toHaveLength(0);
  });

  it('says to deploy first when the workflow stack does not exist', async () => {
    const fake = setup();

    const error = await rejection(fake.run({ environment: 'prod' }));

    expect(error.code).toBe('STACK_NOT_FOUND');
    expect(error.message).toBe(
      `stack hello-fargate-prod-wf-${WORKFLOW} does not exist in eu-west-1: deploy it first with \`hf deploy --env prod\``,
    );
    expect(fake.sfnMock.calls()).toHaveLength(0);
  });

  it('names the missing output when the stack has no StateMachineArn', async () => {
    const { sfn } = fakeSfn([], []);
    const { cloudformation } = fakeCloudFormation({ [WORKFLOW_STACK]: { LogGroupName: '/x' } });

    const error = await rejection(
      runWorkflowNowOnAws({
        system: 'hello-fargate',
        environment: 'staging',
        workflow: WORKFLOW,
        clients: { sfn, cloudformation },
        output: recordingOutput().output,
      }),
    );

    expect(error.code).toBe('OUTPUT_MISSING');
    expect(error.message).toContain(`stack ${WORKFLOW_STACK} (status UPDATE_COMPLETE) has no output "StateMachineArn"`);
  });

  it('says how to provide credentials when the SDK finds none', async () => {
    const fake = setup();
    fake.cloudformationMock
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );

    const error = await rejection(fake.run());

    expect(error.code).toBe('NO_CREDENTIALS');
    expect(error.message).toBe(
      'no AWS credentials found for --env staging: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ' +
        'or sign in with `aws sso login`',
    );
  });

  it('names the denied permission when StartExecution is not allowed', async () => {
    const fake = setup();
    fake.sfnMock
      .on(StartExecutionCommand)
      .rejects(awsError('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/dev is not authorized'));

    const error = await rejection(fake.run());

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toMatch(/^states:StartExecution was denied for --env staging: User: .* is not authorized/);
    expect(error.message).toContain('docs/workflow-batch-aws.md');
  });

  it('says the stack is out of date when its state machine is gone', async () => {
    const fake = setup();
    fake.sfnMock
      .on(StartExecutionCommand)
      .rejects(awsError('StateMachineDoesNotExist', 'State Machine Does Not Exist'));

    const error = await rejection(fake.run());

    expect(error.code).toBe('STACK_NOT_FOUND');
    expect(error.message).toContain('run `hf deploy --env staging`');
  });
});

describe('workflowHistoryOnAws', () => {
  function withExecutions(fake: ReturnType<typeof setup>) {
    fake.sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: EXECUTION_ARN,
          stateMachineArn: STATE_MACHINE_ARN,
          name: EXECUTION_NAME,
          status: 'SUCCEEDED',
          startDate: START,
          stopDate: new Date(START.getTime() + 19_000),
        },
        {
          executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:older`,
          stateMachineArn: STATE_MACHINE_ARN,
          name: 'older',
          status: 'FAILED',
          startDate: new Date(START.getTime() - 86_400_000),
          stopDate: new Date(START.getTime() - 86_400_000 + 61_500),
        },
      ],
    });
  }

  it("lists the newest executions and prints the newest one's events like the local command", async () => {
    const events = succeededHistory();
    const fake = setup(events, [{ status: 'SUCCEEDED', visibleEvents: events.length }]);
    withExecutions(fake);

    await workflowHistoryOnAws({
      system: 'hello-fargate',
      environment: 'staging',
      workflow: WORKFLOW,
      clients: fake.clients,
      output: fake.output,
      limit: 5,
    });

    expect(fake.sfnMock.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: STATE_MACHINE_ARN,
      maxResults: 5,
    });
    expect(fake.lines.slice(0, 5)).toEqual([
      `SUCCEEDED 2025-03-01T02:00:00.000Z    19.0s  ${EXECUTION_NAME}`,
      'FAILED    2025-02-28T02:00:00.000Z    61.5s  older',
      '',
      `${EXECUTION_NAME}: SUCCEEDED`,
      '     +0.00s  ExecutionStarted     ',
    ]);
    expect(fake.lines.at(-1)).toBe('    +19.00s  ExecutionSucceeded   ');
  });

  it('shows the execution named with --execution, building its ARN from the state machine', async () => {
    const events = failedHistory();
    const fake = setup(events, [{ status: 'FAILED', visibleEvents: events.length, error: 'E', cause: 'C' }]);
    withExecutions(fake);

    await workflowHistoryOnAws({
      system: 'hello-fargate',
      environment: 'staging',
      workflow: WORKFLOW,
      clients: fake.clients,
      output: fake.output,
      execution: EXECUTION_NAME,
    });

    expect(fake.sfnMock.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXECUTION_ARN,
    });
    expect(fake.lines.at(-1)).toBe('  error: E: C');
  });

  it('reports an execution that does not exist with how to list them', async () => {
    const fake = setup();
    withExecutions(fake);
    fake.sfnMock.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist', 'Execution Does Not Exist'));

    const error = await rejection(
      workflowHistoryOnAws({
        system: 'hello-fargate',
        environment: 'staging',
        workflow: WORKFLOW,
        clients: fake.clients,
        output: fake.output,
        execution: 'nope',
      }),
    );

    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(`hf workflow history ${WORKFLOW} --env staging`);
  });

  it('says how to start the workflow when it has never run', async () => {
    const fake = setup();
    fake.sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });

    await workflowHistoryOnAws({
      system: 'hello-fargate',
      environment: 'staging',
      workflow: WORKFLOW,
      clients: fake.clients,
      output: fake.output,
    });

    expect(fake.lines).toEqual([
      `${WORKFLOW} has not run yet in staging; start it with \`hf workflow run-now ${WORKFLOW} --env staging\``,
    ]);
    expect(fake.sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('refuses a limit outside 1–1000 before any AWS call', async () => {
    const fake = setup();

    const error = await rejection(
      workflowHistoryOnAws({
        system: 'hello-fargate',
        environment: 'staging',
        workflow: WORKFLOW,
        clients: fake.clients,
        output: fake.output,
        limit: 0,
      }),
    );

    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(fake.cloudformationMock.calls()).toHaveLength(0);
  });
});
