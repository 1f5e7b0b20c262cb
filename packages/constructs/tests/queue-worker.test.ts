// Tests for QueueWorker: a backgroundjob declaration becomes a portless Fargate service that consumes its queues,
// scales on their backlog from zero and raises the message-driven worker's alarms.

import { defineQueue } from '@hello-fargate/workload';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { QueueWorker, type QueueWorkerProps, Queues } from '../src/index.js';
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

const background = testWorkload({
  name: 'background',
  kind: 'backgroundjob',
  port: undefined,
  desiredCount: 0,
  minCount: 0,
  maxCount: 5,
  dependsOn: { queues: ['background-jobs'] },
});
const mainJob = testWorkload({
  name: 'main-job',
  kind: 'backgroundjob',
  port: undefined,
  dependsOn: { queues: ['triggers', 'background-jobs'] },
});

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

describe('QueueWorker', () => {
  let app: App;
  let shared: ReturnType<typeof sharedStacks>;
  let queueStack: Stack;
  let queues: Queues;
  let workerStack: Stack;
  let mainStack: Stack;
  let worker: QueueWorker;
  let template: Template;
  let mainTemplate: Template;

  const build = (stack: Stack, overrides: Partial<QueueWorkerProps> & Pick<QueueWorkerProps, 'workload'>) =>
    new QueueWorker(stack, 'Worker', {
      cluster: shared.platform.cluster,
      subnets: shared.network.ecsSubnets,
      logGroup: shared.platform.createLogGroup(stack, 'LogGroup'),
      image,
      queues,
      ...overrides,
    });

  beforeAll(() => {
    // GIVEN the shared stacks, the system's queues in their own stack, and an alarm topic
    app = new App();
    shared = sharedStacks(app);
    queueStack = new Stack(app, 'Queues', { env });
    queues = new Queues(queueStack, 'Queues', {
      encryptionKey: shared.platform.encryptionKey,
      queues: [defineQueue({ name: 'triggers' }), defineQueue({ name: 'background-jobs' })],
    });
    // WHEN the background worker (scale to zero, alarms to a topic) and the main job that feeds it are built
    workerStack = workloadStack(app, 'Background', shared);
    const topic = new sns.Topic(workerStack, 'Alarms', { enforceSSL: true, masterKey: shared.platform.encryptionKey });
    worker = build(workerStack, { workload: background, alarmTopic: topic, maxMessageAge: Duration.minutes(10) });
    mainStack = workloadStack(app, 'MainJob', shared);
    build(mainStack, { workload: mainJob, consumes: ['triggers'] });
    app.synth();
    template = Template.fromStack(workerStack);
    mainTemplate = Template.fromStack(mainStack);
  });

  const queueArn = (name: string, dlq = false) => ({
    'Fn::ImportValue': expect.stringMatching(
      new RegExp(`^Queues:ExportsOutputFnGetAttQueues${name.replace(/-/g, '')}${dlq ? 'dlq' : ''}[0-9A-F]{8}Arn`),
    ),
  });
  const statementsOf = (t: Template): Statement[] =>
    Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p).includes('WorkerTaskDefinitionTaskRole'))
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
      );
  const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const workerAlarms = (t: Template) =>
    Object.values(t.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => (a as { Properties: Record<string, unknown> }).Properties)
      .filter((p) => String(p.AlarmDescription).startsWith('background: '));

  it('runs with no port, no health check, no load balancer and no ingress', () => {
    // THEN
    const container = containerOf(template);
    expect(container.PortMappings).toBeUndefined();
    expect(container.HealthCheck).toBeUndefined();
    expect(environmentOf(container).PORT).toBeUndefined();
    expect(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer')).toEqual({});
    expect(template.findResources('AWS::EC2::SecurityGroupIngress')).toEqual({});
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'background tasks: no ingress; HTTPS out',
      SecurityGroupIngress: Match.absent(),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.absent(),
      LoadBalancers: Match.absent(),
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
  });

  it('gives the container <NAME>_QUEUE_URL for each queue it declares', () => {
    // THEN
    const urlOf = (name: string) => ({
      'Fn::ImportValue': expect.stringMatching(new RegExp(`^Queues:ExportsOutputRefQueues${name}[0-9A-F]{8}`)),
    });
    expect(environmentOf(containerOf(template))).toMatchObject({ BACKGROUND_JOBS_QUEUE_URL: urlOf('backgroundjobs') });
    expect(environmentOf(containerOf(mainTemplate))).toMatchObject({
      TRIGGERS_QUEUE_URL: urlOf('triggers'),
      BACKGROUND_JOBS_QUEUE_URL: urlOf('backgroundjobs'),
    });
  });

  it('lets the task role consume only its own queue, and use the key by ARN', () => {
    // THEN
    expect([worker.consumes, worker.sendsTo]).toEqual([['background-jobs'], []]);
    const statements = statementsOf(template);
    const sqsStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        Resource: queueArn('background-jobs'),
      },
    ]);
    for (const statement of statements) expect(JSON.stringify(statement.Resource)).not.toContain('"*"');
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms.map((s) => s.Resource)).toEqual([
      { 'Fn::ImportValue': expect.stringMatching(/^Platform:.*PlatformKey.*Arn/) },
    ]);
  });

  it('lets a worker that feeds another queue send to it but not receive from it', () => {
    // THEN
    const sqsStatements = statementsOf(mainTemplate).filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    const byResource = (name: string) =>
      sqsStatements
        .filter((s) => JSON.stringify(s.Resource).includes(`Queues${name.replace(/-/g, '')}`))
        .flatMap(actionsOf);
    expect(byResource('triggers')).toContain('sqs:ReceiveMessage');
    expect(byResource('triggers')).not.toContain('sqs:SendMessage');
    expect(byResource('background-jobs')).toContain('sqs:SendMessage');
    expect(byResource('background-jobs')).not.toContain('sqs:ReceiveMessage');
    expect(byResource('background-jobs')).not.toContain('sqs:DeleteMessage');
    for (const statement of sqsStatements) expect(statement.Resource).not.toEqual('*');
  });

  it('places tasks with the shared strategy, which includes FARGATE_SPOT', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 0 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      ],
      DesiredCount: 0,
    });
  });

  it('scales from the declared minimum of 0 to the declared maximum, on the backlog only', () => {
    // THEN
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 5 });
    template.resourcePropertiesCountIs(
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      { PolicyType: 'TargetTrackingScaling' },
      0,
    );
  });

  it('adds tasks in steps when messages are visible in its queue', () => {
    // THEN
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: 'Upper threshold scaling alarm',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::ImportValue': Match.stringLikeRegexp('backgroundjobs') } }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      Period: 60,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: {
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 99, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 99, MetricIntervalUpperBound: 499, ScalingAdjustment: 2 },
          { MetricIntervalLowerBound: 499, ScalingAdjustment: 5 },
        ],
      },
    });
  });

  it('scales in to the minimum only when nothing is visible or in flight', () => {
    // THEN
    const lower = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => (a as { Properties: Record<string, unknown> }).Properties)
      .find((p) => p.AlarmDescription === 'Lower threshold scaling alarm') as Record<string, unknown>;
    expect(lower).toMatchObject({
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      Threshold: 0,
      EvaluationPeriods: 5,
    });
    const metricNames = (lower.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[])
      .flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []))
      .sort();
    expect(metricNames).toEqual(['ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesVisible']);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      StepScalingPolicyConfiguration: {
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -5 }],
      },
    });
  });

  it('raises the six alarms of seed 002 with their metrics and thresholds, to the topic', () => {
    // THEN
    const alarms = workerAlarms(template);
    const summary = alarms
      .map((a) => ({
        metric: `${String(a.Namespace).replace(/^HelloFargate\/.*/, 'HelloFargate')}/${String(a.MetricName)}`,
        statistic: a.Statistic,
        operator: a.ComparisonOperator,
        threshold: a.Threshold,
        periods: a.EvaluationPeriods,
      }))
      .sort((a, b) => a.metric.localeCompare(b.metric) || Number(a.threshold) - Number(b.threshold));
    const above = 'GreaterThanThreshold';
    expect(summary).toEqual([
      { metric: 'AWS/ECS/CPUUtilization', statistic: 'Average', operator: above, threshold: 80, periods: 2 },
      { metric: 'AWS/ECS/MemoryUtilization', statistic: 'Average', operator: above, threshold: 80, periods: 2 },
      {
        metric: 'AWS/SQS/ApproximateAgeOfOldestMessage',
        statistic: 'Maximum',
        operator: above,
        threshold: 600,
        periods: 1,
      },
      {
        metric: 'AWS/SQS/ApproximateNumberOfMessagesVisible',
        statistic: 'Maximum',
        operator: above,
        threshold: 0,
        periods: 1,
      },
      {
        metric: 'AWS/SQS/ApproximateNumberOfMessagesVisible',
        statistic: 'Maximum',
        operator: above,
        threshold: 50,
        periods: 1,
      },
      { metric: 'HelloFargate/background-error-lines', statistic: 'Sum', operator: above, threshold: 5, periods: 1 },
    ]);
    const dlqAlarm = alarms.find((a) => a.Threshold === 0 && a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(JSON.stringify(dlqAlarm?.Dimensions)).toMatch(/backgroundjobsdlq/);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }]);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  it('counts "level":"error" lines of its log group with a metric filter', () => {
    // THEN
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.level = "error" }',
      LogGroupName: { Ref: Match.stringLikeRegexp('^LogGroup') },
      MetricTransformations: [
        {
          MetricNamespace: 'HelloFargate/Background',
          MetricName: 'background-error-lines',
          MetricValue: '1',
          DefaultValue: 0,
        },
      ],
    });
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    // THEN
    expect(nagFindings(workerStack)).toEqual([]);
    expect(nagFindings(mainStack)).toEqual([]);
    expect(nagFindings(queueStack)).toEqual([]);
  });

  describe('refuses to build', () => {
    const attempt = (overrides: Partial<QueueWorkerProps> & Pick<QueueWorkerProps, 'workload'>) => () =>
      build(workloadStack(app, `Refused${Math.random().toString(36).slice(2, 8)}`, shared), overrides);

    it('a workload of another kind', () => {
      // WHEN / THEN
      const api = testWorkload({ name: 'api', kind: 'backend' });
      expect(attempt({ workload: api })).toThrow(
        /Worker: workload "api" is a backend; QueueWorker builds backgroundjob/,
      );
    });

    it('a worker that declares no queue', () => {
      // WHEN / THEN
      const idle = testWorkload({ name: 'idle', kind: 'backgroundjob', port: undefined });
      expect(attempt({ workload: idle })).toThrow(/declares no queues; a QueueWorker consumes dependsOn\.queues/);
    });

    it('several queues without saying which it consumes', () => {
      // WHEN / THEN
      expect(attempt({ workload: mainJob })).toThrow(/uses queues triggers, background-jobs; pass consumes/);
    });

    it('a consumed queue it does not declare', () => {
      // WHEN / THEN
      expect(attempt({ workload: background, consumes: ['triggers'] })).toThrow(
        /queues triggers are not in dependsOn\.queues of workload "background"/,
      );
    });

    it('a declared port', () => {
      // WHEN / THEN
      const withPort = testWorkload({
        name: 'ported',
        kind: 'backgroundjob',
        port: 8080,
        dependsOn: { queues: ['triggers'] },
      });
      expect(attempt({ workload: withPort })).toThrow(/declares port 8080; a backgroundjob serves no port/);
    });
  });
});
