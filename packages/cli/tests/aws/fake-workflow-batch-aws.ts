// Test double for `hf workflow|batch --env`: stubbed Step Functions, Batch and CloudFormation clients and history.

import { BatchClient, DescribeJobsCommand, type JobDetail, SubmitJobCommand } from '@aws-sdk/client-batch';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandInput,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { stackOutputs } from './fake-aws.js';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const WORKFLOW = 'daily-sales-report';
export const WORKFLOW_STACK = `hello-fargate-staging-wf-${WORKFLOW}`;
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:hello-fargate-staging-${WORKFLOW}`;
export const EXECUTION_NAME = 'hf-run-now-20250301T020000Z-abc123';
export const EXECUTION_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:execution:hello-fargate-staging-${WORKFLOW}:${EXECUTION_NAME}`;
export const START = new Date('2025-03-01T02:00:00.000Z');

export const BATCH_WORKLOAD = 'rescore-orders';
export const BATCH_STACK = `hello-fargate-staging-${BATCH_WORKLOAD}`;
export const JOB_QUEUE_ARN = `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/hello-fargate-staging-batch`;
export const JOB_DEFINITION_ARN = `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/hello-fargate-staging-rescore-orders:4`;
export const JOB_ID = '6e2a1c3b-0000-4000-8000-000000000001';
export const BATCH_LOG_GROUP = '/hello-fargate/staging/rescore-orders';

/** Collects what a command printed: `lines` from print, `progress` from progress. */
export function recordingOutput() {
  const lines: string[] = [];
  const progress: string[] = [];
  return {
    lines,
    progress,
    output: { print: (line: string) => lines.push(line), progress: (line: string) => progress.push(line) },
  };
}

/** A CloudFormation stub that knows these stacks (name → outputs); any other stack does not exist. */
export function fakeCloudFormation(stacks: Readonly<Record<string, Readonly<Record<string, string>>>>) {
  const cloudformation = new CloudFormationClient({ region: REGION });
  const mock = mockClient(cloudformation);
  mock.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
    const outputs = stacks[input.StackName];
    if (!outputs) {
      throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), {
        name: 'ValidationError',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return {
      Stacks: [
        {
          StackName: input.StackName,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: START,
          Outputs: stackOutputs(outputs),
        },
      ],
    };
  });
  return { cloudformation, mock };
}

export const WORKFLOW_OUTPUTS = {
  StateMachineArn: STATE_MACHINE_ARN,
  StateMachineName: `hello-fargate-staging-${WORKFLOW}`,
  ScheduleName: `hello-fargate-staging-${WORKFLOW}`,
  LogGroupName: `/hello-fargate/staging/wf-${WORKFLOW}`,
};

export const BATCH_OUTPUTS = {
  JobQueueArn: JOB_QUEUE_ARN,
  JobQueueName: 'hello-fargate-staging-batch',
  JobDefinitionArn: JOB_DEFINITION_ARN,
  JobDefinitionName: 'hello-fargate-staging-rescore-orders',
  LogGroupName: BATCH_LOG_GROUP,
  LogStreamPrefix: 'rescore-orders',
  FailedJobsQueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/hello-fargate-staging-batch-failed-jobs`,
};

/** An error as the SDK throws it for a service's error response. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** Builds history events with ids 1, 2, 3…, one second apart from START, each pointing at the one before. */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];

  add(type: string, details: Partial<HistoryEvent> = {}): this {
    const id = this.events.length + 1;
    this.events.push({
      id,
      previousEventId: id - 1,
      timestamp: new Date(START.getTime() + (id - 1) * 1000),
      type: type as HistoryEvent['type'],
      ...details,
    });
    return this;
  }

  entered(kind: string, name: string, input: unknown = {}): this {
    return this.add(`${kind}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
  }

  exited(kind: string, name: string, output: unknown = {}): this {
    return this.add(`${kind}StateExited`, { stateExitedEventDetails: { name, output: JSON.stringify(output) } });
  }

  /** One generated step (a Parallel state with RunTask `.sync` and an exit-code Choice) whose task exits `exitCode`. */
  step(name: string, exitCode: number, taskId: string): this {
    this.entered('Parallel', name).add('ParallelStateStarted');
    this.attempt(name, exitCode, taskId);
    if (exitCode === 0) {
      this.entered('Succeed', `${name} succeeded`).exited('Succeed', `${name} succeeded`);
      return this.add('ParallelStateSucceeded').exited('Parallel', name);
    }
    return this.entered('Fail', `${name} exited non-zero`).add('ParallelStateFailed');
  }

  /** The branch of one attempt up to the exit-code check. */
  attempt(name: string, exitCode: number, taskId: string): this {
    const task = {
      TaskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/hello-fargate-staging/${taskId}`,
      Containers: [{ ExitCode: exitCode }],
    };
    return this.entered('Task', `Run ${name}`)
      .add('TaskScheduled', {
        taskScheduledEventDetails: { resource: 'runTask.sync', resourceType: 'ecs', region: REGION, parameters: '{}' },
      })
      .add('TaskStarted')
      .add('TaskSubmitted')
      .add('TaskSucceeded')
      .exited('Task', `Run ${name}`, task)
      .entered('Choice', `Check ${name}`)
      .exited('Choice', `Check ${name}`);
  }
}

/** One DescribeExecution answer: the status, how many history events exist by then, and a side effect. */
export interface ExecutionStep {
  readonly status: ExecutionStatus;
  readonly visibleEvents: number;
  readonly error?: string;
  readonly cause?: string;
  readonly onAnswer?: () => void;
}

/** A Step Functions stub: StartExecution answers EXECUTION_ARN; history is served `pageSize` events a page. */
export function fakeSfn(events: readonly HistoryEvent[], steps: readonly ExecutionStep[], pageSize = 4) {
  const sfn = new SFNClient({ region: REGION });
  const mock = mockClient(sfn);
  let visible = 0;
  let call = 0;
  mock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: START });
  mock.on(DescribeExecutionCommand).callsFake((): Partial<DescribeExecutionCommandOutput> => {
    const index = call++;
    const step = steps[Math.min(index, steps.length - 1)] as ExecutionStep;
    if (index < steps.length) step.onAnswer?.();
    visible = step.visibleEvents;
    const final = step.status !== 'RUNNING';
    return {
      executionArn: EXECUTION_ARN,
      stateMachineArn: STATE_MACHINE_ARN,
      name: EXECUTION_NAME,
      status: step.status,
      startDate: START,
      ...(final ? { stopDate: new Date(START.getTime() + (visible - 1) * 1000) } : {}),
      ...(step.error ? { error: step.error } : {}),
      ...(step.cause ? { cause: step.cause } : {}),
    };
  });
  mock.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => {
    const from = input.nextToken === undefined ? 0 : Number(input.nextToken.slice(2));
    const to = Math.min(from + pageSize, visible);
    return { events: events.slice(from, to), ...(to < visible ? { nextToken: `p/${to}` } : {}) };
  });
  return { sfn, mock };
}

/** A Batch stub: SubmitJob answers JOB_ID; DescribeJobs answers `details` in turn, repeating the last one. */
export function fakeBatch(details: readonly (JobDetail | undefined)[], onAnswer: Record<number, () => void> = {}) {
  const batch = new BatchClient({ region: REGION });
  const mock = mockClient(batch);
  let call = 0;
  mock.on(SubmitJobCommand).callsFake((input: { jobName: string }) => ({
    jobId: JOB_ID,
    jobName: input.jobName,
    jobArn: `arn:aws:batch:${REGION}:${ACCOUNT}:job/${JOB_ID}`,
  }));
  mock.on(DescribeJobsCommand).callsFake(() => {
    const index = call++;
    onAnswer[index]?.();
    const job = details[Math.min(index, details.length - 1)];
    return { jobs: job ? [job] : [] };
  });
  return { batch, mock };
}

/** A job as DescribeJobs returns it. */
export function job(status: JobDetail['status'], extra: Partial<JobDetail> = {}): JobDetail {
  return {
    jobId: JOB_ID,
    jobName: 'rescore-orders-20250301020000',
    jobQueue: JOB_QUEUE_ARN,
    jobDefinition: JOB_DEFINITION_ARN,
    status,
    startedAt: START.getTime(),
    createdAt: START.getTime(),
    ...extra,
  } as JobDetail;
}

/** A stream the progress bar writes to, as when stderr is not a terminal. */
export function recordingStream(): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY: false, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}
