// Tests for ScheduledWorkflow: the state machine of a workflow's task steps, its role, logging, schedule and alarms.

import { defineQueue, defineWorkflow, type Workflow, workflowDefinition } from '@hello-fargate/workload';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConstructValidationError, Queues, ScheduledWorkflow, type ScheduledWorkflowProps } from '../src/index.js';
import {
  containerOf,
  env,
  environmentOf,
  image,
  nagFindings,
  sharedStacks,
  testWorkload,
  workloadStack,
} from './support/shared-stacks.js';

const salesReport = testWorkload({
  name: 'sales-report',
  kind: 'scheduledjob',
  port: undefined,
  dependsOn: { database: true, queues: ['report-events'] },
});
const cleanup = testWorkload({ name: 'cleanup', kind: 'oneoff', port: undefined, command: ['cleanup'] });

const nightly = defineWorkflow({
  name: 'daily-sales-report',
  description: 'Nightly sales report',
  steps: [
    { name: 'Extract', workload: 'sales-report', command: ['extract'] },
    { name: 'Publish', workload: 'sales-report', command: ['publish'], timeoutSeconds: 300 },
    { name: 'Clean up', workload: 'cleanup' },
  ],
  schedule: { expression: 'cron(30 2 * * ? *)', timezone: 'Europe/Berlin', input: { region: 'eu' }, retryAttempts: 4 },
  retry: { maxAttempts: 3, intervalSeconds: 10, backoffRate: 1.5 },
  notifyQueue: 'report-events',
});

function build(workflow: Workflow = nightly, overrides: Partial<ScheduledWorkflowProps> = {}) {
  const app = new App();
  const shared = sharedStacks(app);
  const queuesStack = new Stack(app, 'Queues', { env });
  queuesStack.addStackDependency(shared.stacks[1] as Stack);
  const queues = new Queues(queuesStack, 'Queues', {
    queues: [defineQueue({ name: 'report-events' })],
    encryptionKey: shared.platform.encryptionKey,
  });
  const stack = workloadStack(app, 'Workflow', shared);
  stack.addStackDependency(queuesStack);
  const scheduled = new ScheduledWorkflow(stack, 'Workflow', {
    workflow,
    workloads: [salesReport, cleanup],
    cluster: shared.platform.cluster,
    subnets: shared.network.ecsSubnets,
    database: shared.database,
    queues,
    encryptionKey: shared.platform.encryptionKey,
    image,
    ...overrides,
  });
  return { app, stack, scheduled, shared, queues };
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Effect: string;
}

describe('ScheduledWorkflow', () => {
  let built: ReturnType<typeof build>;
  let template: Template;
  const resolve = (value: unknown) => built.stack.resolve(value);
  const statementsOf = (prefix: string) =>
    (
      Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith(prefix))?.[1] as {
        Properties: { PolicyDocument: { Statement: Statement[] } };
      }
    ).Properties.PolicyDocument.Statement;

  beforeAll(() => {
    // GIVEN a three-step nightly workflow over two workloads, notifying a queue on failure
    // WHEN it is built
    built = build();
    template = Template.fromStack(built.stack);
  });

  it('builds one task definition per step workload, non-root with a read-only root filesystem', () => {
    // THEN
    template.resourceCountIs('AWS::ECS::TaskDefinition', 2);
    const families = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map(
      (d) => (d as { Properties: { Family: string } }).Properties.Family,
    );
    expect(families.sort()).toEqual(['Workflow-cleanup', 'Workflow-sales-report']);
    for (const name of ['sales-report', 'cleanup']) {
      const task = built.scheduled.stepTasks.get(name);
      expect(task?.container.containerName).toBe(name);
    }
    const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as {
      Properties: { ContainerDefinitions: Record<string, unknown>[] };
    }[];
    for (const definition of definitions) {
      expect(definition.Properties.ContainerDefinitions[0]).toMatchObject({
        User: '65532:65532',
        ReadonlyRootFilesystem: true,
        LogConfiguration: { LogDriver: 'awslogs', Options: { mode: 'blocking' } },
      });
    }
  });

  it('gives a step workload its queue URL and the send grant on that queue', () => {
    // THEN
    const salesReportOnly = Template.fromJSON({
      Resources: template.findResources('AWS::ECS::TaskDefinition', {
        Properties: { Family: 'Workflow-sales-report' },
      }),
    });
    const environment = environmentOf(containerOf(salesReportOnly));
    expect(environment.REPORT_EVENTS_QUEUE_URL).toEqual(resolve(built.queues.queue('report-events').queueUrl));
    expect(statementsOf('WorkflowStepSalesReportTaskDefinitionTaskRole')).toContainEqual(
      expect.objectContaining({
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: resolve(built.queues.queue('report-events').queueArn),
      }),
    );
  });

  it('runs every step task in one security group with no ingress and HTTPS out, admitted to the database', () => {
    // THEN
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }],
      SecurityGroupIngress: Match.absent(),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: resolve(built.scheduled.securityGroup.securityGroupId),
      FromPort: 5432,
    });
  });

  it('builds the state machine from workflowDefinition, so CDK and the local runner run the same ASL', () => {
    // THEN: the template's definition is the shared ASL with the tokens resolved
    const expected = workflowDefinition(nightly, {
      cluster: built.shared.platform.cluster.clusterArn,
      taskDefinition: (name) => built.scheduled.stepTasks.get(name)?.taskDefinition.taskDefinitionArn as string,
      subnets: built.shared.network.vpc.selectSubnets(built.shared.network.ecsSubnets).subnetIds,
      securityGroups: [built.scheduled.securityGroup.securityGroupId],
      notifyQueueUrl: built.queues.queue('report-events').queueUrl,
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionString: resolve(built.stack.toJsonString(expected)),
      StateMachineType: 'STANDARD',
    });
    const asl = built.scheduled.definition;
    expect(Object.keys(asl.States)).toEqual([
      'Prepare input',
      'Extract',
      'Publish',
      'Clean up',
      'Record failure',
      'Notify failure',
      'Failed',
      'Succeeded',
    ]);
    expect(asl.States.Extract?.Retry).toEqual([
      {
        ErrorEquals: ['HelloFargate.TaskExitedNonZero', 'States.Timeout'],
        IntervalSeconds: 10,
        MaxAttempts: 3,
        BackoffRate: 1.5,
      },
    ]);
  });

  it('logs ALL events with execution data to an encrypted log group and traces with X-Ray', () => {
    // THEN
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: resolve(built.scheduled.logGroup.logGroupArn) } }],
      },
      TracingConfiguration: { Enabled: true },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
    });
  });

  it('grants the state machine role exactly what the steps and the failure path need', () => {
    // THEN
    const tasks = ['sales-report', 'cleanup'].map((name) => built.scheduled.stepTasks.get(name));
    const clusterArn = { 'Fn::ImportValue': expect.stringMatching(/PlatformCluster.*Arn/) };
    const allTasks = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-west-1:111111111111:task/*']] };
    expect(statementsOf('WorkflowRole')).toEqual([
      {
        Effect: 'Allow',
        Action: 'ecs:RunTask',
        Resource: tasks.map((t) => resolve(t?.taskDefinition.taskDefinitionArn)),
        Condition: { ArnEquals: { 'ecs:cluster': clusterArn } },
      },
      {
        Effect: 'Allow',
        Action: ['ecs:StopTask', 'ecs:DescribeTasks'],
        Resource: allTasks,
        Condition: { ArnEquals: { 'ecs:cluster': clusterArn } },
      },
      {
        Effect: 'Allow',
        Action: 'ecs:TagResource',
        Resource: allTasks,
        Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: tasks.flatMap((t) => [resolve(t?.taskRole.roleArn), resolve(t?.executionRole.roleArn)]),
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      {
        Effect: 'Allow',
        Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':events:eu-west-1:111111111111:rule/StepFunctionsGetEventsForECSTaskRule',
            ],
          ],
        },
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: resolve(built.queues.queue('report-events').queueArn) },
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::ImportValue': expect.stringContaining('PlatformKey') },
      },
      expect.objectContaining({ Action: expect.arrayContaining(['logs:CreateLogDelivery']), Resource: '*' }),
      expect.objectContaining({ Action: expect.arrayContaining(['xray:PutTraceSegments']), Resource: '*' }),
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'states.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ],
      },
    });
  });

  it('starts the workflow on its schedule in its time zone with the input plus scheduledTime', () => {
    // THEN
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: resolve(built.scheduled.stateMachine.stateMachineArn),
        Input: JSON.stringify({ region: 'eu', scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: resolve(built.scheduled.deadLetterQueue?.queueArn) },
      },
    });
    expect(statementsOf('WorkflowScheduleRole')).toEqual([
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::ImportValue': expect.stringContaining('PlatformKey') },
      },
      {
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: resolve(built.scheduled.stateMachine.stateMachineArn),
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: resolve(built.scheduled.deadLetterQueue?.queueArn) },
    ]);
  });

  it('alarms on a failed execution, a timed-out execution (≥ 1 in 5 minutes) and the schedule DLQ', () => {
    // THEN
    expect(built.scheduled.alarms).toHaveLength(3);
    for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metricName,
        Dimensions: [{ Name: 'StateMachineArn', Value: resolve(built.scheduled.stateMachine.stateMachineArn) }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: resolve(built.scheduled.deadLetterQueue?.queueName) }],
    });
  });

  it('passes cdk-nag AwsSolutions with no finding', () => {
    // THEN
    expect(nagFindings(built.stack)).toEqual([]);
  });

  it('makes no schedule and no notify permission for a workflow without them', () => {
    // GIVEN a workflow run only on demand, notifying nobody
    const onDemand = defineWorkflow({ name: 'cleanup', steps: [{ name: 'Clean', workload: 'cleanup' }] });
    // WHEN
    const { stack, scheduled } = build(onDemand, { database: undefined, queues: undefined });
    // THEN
    const other = Template.fromStack(stack);
    other.resourceCountIs('AWS::Scheduler::Schedule', 0);
    other.resourceCountIs('AWS::SQS::Queue', 0);
    expect(scheduled.alarms).toHaveLength(2);
    expect(JSON.stringify(other.toJSON())).not.toContain('sqs:SendMessage');
  });

  it('refuses a step workload that is not given, or that is a service', () => {
    // GIVEN / WHEN / THEN
    expect(() => build(nightly, { workloads: [salesReport] })).toThrow(
      /step on workload "cleanup", which is not in workloads/,
    );
    const service = testWorkload({ name: 'cleanup', kind: 'backend' });
    expect(() => build(nightly, { workloads: [salesReport, service] })).toThrow(ConstructValidationError);
  });
});
