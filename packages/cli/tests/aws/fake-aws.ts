// Test double for the three AWS services `runTaskOnAws` talks to: aws-sdk-client-mock stubs plus a fake log stream.

import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Output as StackOutput,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
  type GetLogEventsCommandOutput,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTasksCommand,
  type DescribeTasksCommandOutput,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { defineWorkload } from '@hello-fargate/workload';
import { mockClient } from 'aws-sdk-client-mock';

export const REGION = 'eu-west-1';
export const STACK_NAME = 'hello-fargate-dev-oneoff';
export const CLUSTER = 'hello-fargate-dev-cluster';
export const CONTAINER = 'oneoff';
export const TASK_DEFINITION_ARN = `arn:aws:ecs:${REGION}:123456789012:task-definition/hello-fargate-dev-oneoff:7`;
export const TASK_ID = '0123456789abcdef0123456789abcdef';
export const TASK_ARN = `arn:aws:ecs:${REGION}:123456789012:task/${CLUSTER}/${TASK_ID}`;
export const LOG_GROUP = '/hello-fargate/dev/oneoff';
export const LOG_STREAM = `hf/${CONTAINER}/${TASK_ID}`;

/** The outputs the oneoff stack exports, by TASK_STACK_OUTPUTS key. */
export const STACK_OUTPUTS: Readonly<Record<string, string>> = {
  ClusterName: CLUSTER,
  TaskDefinitionArn: TASK_DEFINITION_ARN,
  ContainerName: CONTAINER,
  SubnetIds: 'subnet-0aaa1111, subnet-0bbb2222',
  SecurityGroupIds: 'sg-0ccc3333',
  LogGroupName: LOG_GROUP,
  LogStreamPrefix: 'hf',
};

export const oneoffWorkload = defineWorkload({
  name: 'oneoff',
  kind: 'oneoff',
  directory: '/tmp/hello-fargate-tests/usecases/oneoff',
  command: ['migrate'],
});

export function stackOutputs(outputs: Readonly<Record<string, string>>): StackOutput[] {
  return Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
}

export interface TaskState {
  readonly exitCode?: number;
  readonly stopCode?: Task['stopCode'];
  readonly stoppedReason?: string;
  readonly containerReason?: string;
}

/** A task as DescribeTasks returns it, in the given state. */
export function task(lastStatus: string, state: TaskState = {}): Task {
  return {
    taskArn: TASK_ARN,
    clusterArn: `arn:aws:ecs:${REGION}:123456789012:cluster/${CLUSTER}`,
    taskDefinitionArn: TASK_DEFINITION_ARN,
    lastStatus,
    desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    launchType: 'FARGATE',
    ...(state.stopCode ? { stopCode: state.stopCode } : {}),
    ...(state.stoppedReason ? { stoppedReason: state.stoppedReason } : {}),
    containers: [
      {
        name: CONTAINER,
        lastStatus,
        ...(state.exitCode === undefined ? {} : { exitCode: state.exitCode }),
        ...(state.containerReason ? { reason: state.containerReason } : {}),
      },
    ],
  };
}

/** A task that ran to its end with this exit code. */
export function exitedTask(exitCode: number): Task {
  return task('STOPPED', {
    exitCode,
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
  });
}

/**
 * A CloudWatch Logs stream with GetLogEvents' paging: forward tokens `f/<index>`, `pageSize` events per page, and the
 * given token handed back once the end is reached. It does not exist until the first append.
 */
export class FakeLogStream {
  readonly events: string[] = [];
  exists = false;

  constructor(readonly pageSize = 2) {}

  append(...lines: string[]): void {
    this.exists = true;
    this.events.push(...lines);
  }

  page(input: GetLogEventsCommandInput): Partial<GetLogEventsCommandOutput> {
    if (!this.exists) {
      throw new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} });
    }
    const from = input.nextToken === undefined ? 0 : Number(input.nextToken.slice(2));
    const to = Math.min(from + this.pageSize, this.events.length);
    return {
      events: this.events.slice(from, to).map((message, i) => ({ message, timestamp: 1_700_000_000_000 + from + i })),
      nextForwardToken: `f/${to}`,
      nextBackwardToken: `b/${from}`,
    };
  }
}

/** One DescribeTasks answer, and log lines the task writes by then. `missing` answers as for an unknown task. */
export interface Step {
  readonly task?: Task;
  readonly missing?: true;
  readonly logs?: readonly string[];
  /** Runs when the step is answered, e.g. to abort a signal mid-run. */
  readonly onAnswer?: () => void;
}

/** Stubbed clients for one test, with the oneoff stack deployed and RunTask starting a task. */
export function fakeAws() {
  const ecs = new ECSClient({ region: REGION });
  const logs = new CloudWatchLogsClient({ region: REGION });
  const cloudformation = new CloudFormationClient({ region: REGION });
  const ecsMock = mockClient(ecs);
  const logsMock = mockClient(logs);
  const cloudformationMock = mockClient(cloudformation);
  const stream = new FakeLogStream();
  const lines: string[] = [];
  const progress: string[] = [];

  cloudformationMock.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: STACK_NAME,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(0),
        Outputs: stackOutputs(STACK_OUTPUTS),
      },
    ],
  });
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task('PROVISIONING')], failures: [] });
  ecsMock.on(StopTaskCommand).resolves({ task: task('RUNNING') });
  logsMock.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) => stream.page(input));

  return {
    clients: { ecs, logs, cloudformation },
    ecsMock,
    logsMock,
    cloudformationMock,
    stream,
    /** Log lines the run printed. */
    lines,
    /** Progress lines the run printed. */
    progress,
    output: { log: (line: string) => lines.push(line), progress: (line: string) => progress.push(line) },
    /** DescribeTasks answers these steps in turn, repeating the last one. */
    describeTasks(...steps: Step[]): void {
      let call = 0;
      ecsMock.on(DescribeTasksCommand).callsFake((): Partial<DescribeTasksCommandOutput> => {
        const index = call++;
        const step = steps[Math.min(index, steps.length - 1)] as Step;
        // Side effects happen once per step, not again each time the last step repeats.
        if (index < steps.length) {
          if (step.logs) stream.append(...step.logs);
          step.onAnswer?.();
        }
        return step.missing
          ? { tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] }
          : { tasks: step.task ? [step.task] : [], failures: [] };
      });
    },
  };
}
