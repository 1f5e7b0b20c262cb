// Tests for BatchCompute: per job queue, Fargate Spot then on-demand compute environments in the ECS subnets.

import { defineJobQueue } from '@hello-fargate/workload';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchCompute, ConstructValidationError } from '../src/index.js';
import { nagFindings, sharedStacks, workloadStack } from './support/shared-stacks.js';

function build(jobQueues = [defineJobQueue({ name: 'batch', maxvCpus: 32, priority: 5 })]) {
  const app = new App();
  const shared = sharedStacks(app);
  const stack = workloadStack(app, 'BatchQueues', shared);
  const compute = new BatchCompute(stack, 'Batch', {
    jobQueues,
    vpc: shared.network.vpc,
    subnets: shared.network.ecsSubnets,
  });
  return { stack, compute, template: Template.fromStack(stack) };
}

describe('BatchCompute', () => {
  let built: ReturnType<typeof build>;
  const resolve = (value: unknown) => built.stack.resolve(value);

  beforeAll(() => {
    // GIVEN a spot-first job queue of 32 vCPUs at priority 5, WHEN it is built
    built = build();
  });

  it('makes a FARGATE_SPOT and a FARGATE managed compute environment capped at maxvCpus, in the ECS subnets', () => {
    // THEN
    built.template.resourceCountIs('AWS::Batch::ComputeEnvironment', 2);
    for (const type of ['FARGATE_SPOT', 'FARGATE']) {
      built.template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
        Type: 'managed',
        State: 'ENABLED',
        ComputeResources: {
          Type: type,
          MaxvCpus: 32,
          Subnets: [
            { 'Fn::ImportValue': Match.stringLikeRegexp('EcsSubnet1') },
            { 'Fn::ImportValue': Match.stringLikeRegexp('EcsSubnet2') },
          ],
          SecurityGroupIds: [resolve(built.compute.queue('batch').securityGroup.securityGroupId)],
        },
      });
    }
  });

  it('orders the job queue Spot first, then on-demand, at the declared priority', () => {
    // THEN
    const [spot, onDemand] = built.compute.queue('batch').computeEnvironments;
    built.template.hasResourceProperties('AWS::Batch::JobQueue', {
      Priority: 5,
      State: 'ENABLED',
      ComputeEnvironmentOrder: [
        { ComputeEnvironment: resolve(spot?.computeEnvironmentArn), Order: 1 },
        { ComputeEnvironment: resolve(onDemand?.computeEnvironmentArn), Order: 2 },
      ],
    });
    built.template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: { Type: 'FARGATE_SPOT' },
      ComputeEnvironmentName: Match.absent(),
    });
    expect(resolve(spot?.computeEnvironmentArn)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^BatchbatchSpot/), 'ComputeEnvironmentArn'],
    });
  });

  it('gives the jobs a security group with no ingress and HTTPS out only', () => {
    // THEN
    built.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }],
      SecurityGroupIngress: Match.absent(),
    });
  });

  it('uses the Batch service-linked role: no IAM role of its own', () => {
    // THEN
    built.template.resourceCountIs('AWS::IAM::Role', 0);
  });

  it('runs an on-demand queue on FARGATE only', () => {
    // GIVEN / WHEN
    const { template } = build([defineJobQueue({ name: 'urgent', capacity: 'on-demand' })]);
    // THEN
    template.resourceCountIs('AWS::Batch::ComputeEnvironment', 1);
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: { Type: 'FARGATE', MaxvCpus: 16 },
    });
    template.hasResourceProperties('AWS::Batch::JobQueue', {
      Priority: 1,
      ComputeEnvironmentOrder: [Match.objectLike({ Order: 1 })],
    });
  });

  it('names the declared queues when asked for another', () => {
    // THEN
    expect(() => built.compute.queue('nightly')).toThrow(ConstructValidationError);
    expect(() => built.compute.queue('nightly')).toThrow(/no job queue "nightly" is declared \(declared: batch\)/);
  });

  it('passes cdk-nag AwsSolutions with no finding', () => {
    // THEN
    expect(nagFindings(built.stack)).toEqual([]);
  });
});
