// Tests for BatchJob: the job definition a batchjob's declaration becomes, its failed-jobs alarm and its outputs.

import { defineJobQueue, type Workload } from '@hello-fargate/workload';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_JOB_STACK_OUTPUTS, BatchCompute, BatchJob, ConstructValidationError } from '../src/index.js';
import { image, nagFindings, sharedStacks, testWorkload, workloadStack } from './support/shared-stacks.js';

const rescore = (): Workload =>
  testWorkload({
    name: 'rescore-orders',
    kind: 'batchjob',
    port: undefined,
    command: ['rescore'],
    cpu: 512,
    memory: 1024,
    environment: { SCORE_VERSION: '2' },
    dependsOn: { database: true },
    batch: {
      jobQueue: 'batch',
      attempts: 3,
      evaluateOnExit: [
        { action: 'RETRY', onExitCode: '75' },
        { action: 'RETRY', onStatusReason: 'Your Spot Task was interrupted*' },
        { action: 'EXIT', onExitCode: '1' },
      ],
      attemptDurationSeconds: 900,
    },
  });

function build(workload = rescore(), queueName = 'batch') {
  const app = new App();
  const shared = sharedStacks(app);
  const queuesStack = workloadStack(app, 'BatchQueues', shared);
  const compute = new BatchCompute(queuesStack, 'Batch', {
    jobQueues: [defineJobQueue({ name: queueName })],
    vpc: shared.network.vpc,
    subnets: shared.network.ecsSubnets,
  });
  const stack = workloadStack(app, 'RescoreOrders', shared);
  stack.addStackDependency(queuesStack);
  const job = new BatchJob(stack, 'Job', {
    workload,
    jobQueue: compute.queue(queueName),
    database: shared.database,
    encryptionKey: shared.platform.encryptionKey,
    image,
  });
  return { app, stack, queuesStack, job, compute };
}

describe('BatchJob', () => {
  let built: ReturnType<typeof build>;
  let template: Template;
  const resolve = (value: unknown) => built.stack.resolve(value);

  beforeAll(() => {
    // GIVEN a batchjob that uses the database with three retry rules and a 15-minute attempt timeout
    // WHEN its job definition is built
    built = build();
    template = Template.fromStack(built.stack);
  });

  const container = () =>
    (
      Object.values(template.findResources('AWS::Batch::JobDefinition'))[0] as {
        Properties: { ContainerProperties: Record<string, unknown> };
      }
    ).Properties.ContainerProperties;

  it('is a Fargate container job named after the stack, sized in vCPUs and MiB', () => {
    // THEN
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      Type: 'container',
      JobDefinitionName: 'RescoreOrders',
      PlatformCapabilities: ['FARGATE'],
      PropagateTags: true,
    });
    expect(container()).toMatchObject({
      ResourceRequirements: [
        { Type: 'MEMORY', Value: '1024' },
        { Type: 'VCPU', Value: '0.5' },
      ],
      Command: ['rescore'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      NetworkConfiguration: { AssignPublicIp: 'DISABLED' },
    });
  });

  it('retries as declared and times out each attempt after attemptDurationSeconds', () => {
    // THEN
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      RetryStrategy: {
        Attempts: 3,
        EvaluateOnExit: [
          { Action: 'RETRY', OnExitCode: '75' },
          { Action: 'RETRY', OnStatusReason: 'Your Spot Task was interrupted*' },
          { Action: 'EXIT', OnExitCode: '1' },
        ],
      },
      Timeout: { AttemptDurationSeconds: 900 },
    });
  });

  it('runs as a non-root user with a read-only root filesystem and a writable /tmp', () => {
    // THEN
    expect(container()).toMatchObject({
      User: '65532:65532',
      ReadonlyRootFilesystem: true,
      MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
    });
    // a volume with only a name: Batch says `host` is not applicable to Fargate jobs and should not be given
    expect(container().Volumes).toEqual([{ Name: 'tmp' }]);
  });

  it('sets the environment contract and takes the database credentials as secrets', () => {
    // THEN
    const environment = Object.fromEntries(
      (container().Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
    );
    expect(environment).toMatchObject({
      HF_WORKLOAD: 'rescore-orders',
      NODE_ENV: 'production',
      STOP_TIMEOUT_SECONDS: '30',
      SCORE_VERSION: '2',
      PGPORT: '5432',
      PGSSLMODE: 'verify-full',
    });
    expect(Object.keys(environment)).not.toContain('PGPASSWORD');
    const secrets = (container().Secrets as { Name: string; ValueFrom: unknown }[]).map((s) => [
      s.Name,
      JSON.stringify(s.ValueFrom),
    ]);
    expect(secrets).toEqual([
      ['PGUSER', expect.stringContaining(':username::')],
      ['PGPASSWORD', expect.stringContaining(':password::')],
    ]);
  });

  it('logs with awslogs to an encrypted log group under the workload name', () => {
    // THEN
    expect(container().LogConfiguration).toEqual({
      LogDriver: 'awslogs',
      Options: {
        'awslogs-group': resolve(built.job.logGroup.logGroupName),
        'awslogs-stream-prefix': 'rescore-orders',
        'awslogs-region': 'eu-west-1',
        mode: 'blocking',
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
    });
  });

  it('gives the execution role only the log group, the secret and its key through Secrets Manager', () => {
    // THEN
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('JobExecutionRole'),
    )?.[1] as { Properties: { PolicyDocument: { Statement: unknown[] } } };
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::ImportValue': expect.stringContaining('PlatformKey') },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: resolve(built.job.logGroup.logGroupArn),
      },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { 'Fn::ImportValue': expect.stringContaining('DatabaseClusterSecretAttachment') },
      },
    ]);
    // and the job role has no policy at all
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).some((id) => id.startsWith('JobJobRole'))).toBe(
      false,
    );
  });

  it('admits the job queue’s security group to the database', () => {
    // THEN: the rule lives beside the client security group, in the queues stack
    Template.fromStack(built.queuesStack).hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: built.queuesStack.resolve(built.compute.queue('batch').securityGroup.securityGroupId),
      FromPort: 5432,
      ToPort: 5432,
    });
  });

  it('sends every FAILED Batch Job State Change of this job definition to the FailedJobs queue', () => {
    // THEN
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.batch'],
        'detail-type': ['Batch Job State Change'],
        detail: {
          status: ['FAILED'],
          jobDefinition: [
            {
              prefix: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':batch:eu-west-1:111111111111:job-definition/RescoreOrders:'],
                ],
              },
            },
          ],
        },
      },
      Targets: [{ Arn: resolve(built.job.failedJobsQueue.queueArn), Id: 'Target0' }],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': resolve(built.job.failedJobsRule.ruleArn) } },
          }),
        ]),
      },
    });
  });

  it('alarms when at least one failed job arrived in 5 minutes', () => {
    // THEN
    expect(built.job.alarms).toEqual([built.job.failedJobsAlarm]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Dimensions: [{ Name: 'QueueName', Value: resolve(built.job.failedJobsQueue.queueName) }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('outputs the job queue, job definition, logs and failed-jobs queue for the CLI', () => {
    // THEN
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(Object.values(BATCH_JOB_STACK_OUTPUTS).sort());
    template.hasOutput(BATCH_JOB_STACK_OUTPUTS.jobDefinitionArn, {
      Value: resolve(built.job.jobDefinition.jobDefinitionArn),
    });
    template.hasOutput(BATCH_JOB_STACK_OUTPUTS.jobQueueArn, {
      Value: { 'Fn::ImportValue': Match.stringLikeRegexp('^BatchQueues:.*JobQueueArn') },
    });
  });

  it('passes cdk-nag AwsSolutions with no finding', () => {
    // THEN
    expect(nagFindings(built.stack)).toEqual([]);
    expect(nagFindings(built.queuesStack)).toEqual([]);
  });

  it('refuses a workload that is not a batchjob, or a job queue other than the declared one', () => {
    // THEN
    expect(() => build(testWorkload({ name: 'cleanup', kind: 'oneoff', port: undefined }))).toThrow(
      ConstructValidationError,
    );
    expect(() => build(rescore(), 'other')).toThrow(/declares batch.jobQueue "batch" but jobQueue "other" was given/);
  });
});
