// Tests for Platform: cluster settings, capacity providers, the shared key, the alarm topic, AppRegistry and stack
// association.

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConstructValidationError, Platform } from '../src/index.js';

const env = { account: '111111111111', region: 'eu-west-1' };

function vpcStack(app: App, id: string): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(app, id, { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  return { stack, vpc };
}

describe('Platform', () => {
  let app: App;
  let networkStack: Stack;
  let platformStack: Stack;
  let workloadStack: Stack;
  let platform: Platform;
  let template: Template;

  beforeAll(() => {
    // GIVEN a network stack, a platform stack after it and a workload stack after the platform
    app = new App();
    const network = vpcStack(app, 'Network');
    networkStack = network.stack;
    platformStack = new Stack(app, 'PlatformTest', { env });
    platformStack.addStackDependency(networkStack);
    platform = new Platform(platformStack, 'Platform', {
      vpc: network.vpc,
      name: 'demo-staging',
      logRetentionDays: 14,
    });
    workloadStack = new Stack(app, 'Workload', { env });
    new sqs.Queue(workloadStack, 'Queue', { encryptionMasterKey: platform.encryptionKey });
    platform.createLogGroup(workloadStack, 'Logs');
    // WHEN every stack is associated with the application
    for (const stack of [networkStack, platformStack, workloadStack]) platform.associateStack(stack);
    template = Template.fromStack(platformStack);
  });

  it('turns on enhanced Container Insights for the cluster', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'demo-staging',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
    });
  });

  it('offers FARGATE and FARGATE_SPOT, with FARGATE as the default strategy', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayEquals(['FARGATE', 'FARGATE_SPOT']),
      DefaultCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    });
  });

  it('creates a private DNS namespace used for Service Connect', () => {
    // THEN
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'demo-staging.internal' });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ServiceConnectDefaults: { Namespace: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }) },
    });
  });

  it('creates one rotating key that CloudWatch Logs of this account may use', () => {
    // THEN
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      },
    });
    const keyPolicy = JSON.stringify(template.findResources('AWS::KMS::Key'));
    expect(keyPolicy).toContain(':111111111111:log-group:*');
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/demo-staging' });
  });

  it('creates an alarm topic encrypted with the platform key that accepts TLS only', () => {
    // THEN
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'demo-staging-alarms',
      KmsMasterKeyId: platformStack.resolve(platform.encryptionKey.keyArn),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(platformStack.resolve(platform.alarmTopic.topicArn)).toEqual({
      Ref: expect.stringMatching(/^PlatformAlarmTopic/),
    });
  });

  it('lets only CloudWatch alarms of its account and region publish to the alarm topic and use the key for it', () => {
    // THEN
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': '111111111111' },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111111111111:alarm:*']],
        },
      },
    };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: fromOwnAlarms,
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: fromOwnAlarms,
          }),
        ]),
      },
    });
  });

  it('subscribes no one to the alarm topic by default', () => {
    // THEN
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes each of alarmEmails to the alarm topic', () => {
    // GIVEN
    const other = vpcStack(new App(), 'Other');
    // WHEN
    const withEmails = new Platform(other.stack, 'Platform', {
      vpc: other.vpc,
      name: 'x',
      alarmEmails: ['ops@example.com', 'on-call@example.com'],
    });
    // THEN
    const emails = Template.fromStack(other.stack);
    emails.resourceCountIs('AWS::SNS::Subscription', 2);
    emails.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'on-call@example.com',
      TopicArn: other.stack.resolve(withEmails.alarmTopic.topicArn),
    });
  });

  it('rejects an alarm email that is not an email address, naming the construct and the entry', () => {
    // GIVEN
    const other = vpcStack(new App(), 'Other');
    // WHEN / THEN
    expect(
      () => new Platform(other.stack, 'Platform', { vpc: other.vpc, name: 'x', alarmEmails: ['ops@example'] }),
    ).toThrow(/Other\/Platform: alarmEmails\[0\] "ops@example" is not an email address/);
  });

  it('creates the AppRegistry application', () => {
    // THEN
    template.hasResourceProperties('AWS::ServiceCatalogAppRegistry::Application', { Name: 'demo-staging' });
  });

  it('associates a stack deployed before the platform by name, from the platform stack', () => {
    // THEN
    template.hasResourceProperties('AWS::ServiceCatalogAppRegistry::ResourceAssociation', {
      Resource: 'Network',
      ResourceType: 'CFN_STACK',
    });
    Template.fromStack(networkStack).resourceCountIs('AWS::ServiceCatalogAppRegistry::ResourceAssociation', 0);
  });

  it('associates later stacks from inside them and tags their resources with awsApplication', () => {
    // THEN
    const workload = Template.fromStack(workloadStack);
    workload.hasResourceProperties('AWS::ServiceCatalogAppRegistry::ResourceAssociation', {
      Resource: { Ref: 'AWS::StackId' },
      ResourceType: 'CFN_STACK',
    });
    workload.hasResourceProperties('AWS::SQS::Queue', {
      Tags: Match.arrayWith([
        { Key: 'awsApplication', Value: { 'Fn::ImportValue': Match.stringLikeRegexp('ApplicationTagValue') } },
      ]),
    });
  });

  it('tags its own resources but not the application itself', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Cluster', {
      Tags: Match.arrayWith([Match.objectLike({ Key: 'awsApplication' })]),
    });
    template.hasResourceProperties('AWS::ServiceCatalogAppRegistry::Application', { Tags: Match.absent() });
  });

  it('makes log groups encrypted with the platform key and kept for the platform retention', () => {
    // THEN
    Template.fromStack(workloadStack).hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
      RetentionInDays: 14,
    });
  });

  it('rejects a retention CloudWatch Logs does not offer, naming the construct', () => {
    // GIVEN
    const other = vpcStack(new App(), 'Other');
    // WHEN / THEN
    expect(() => new Platform(other.stack, 'Platform', { vpc: other.vpc, name: 'x', logRetentionDays: 10 })).toThrow(
      ConstructValidationError,
    );
    expect(() => new Platform(other.stack, 'Platform2', { vpc: other.vpc, name: 'x', logRetentionDays: 10 })).toThrow(
      /Other\/Platform2: logRetentionDays is 10/,
    );
  });
});
