// Tests for Database: Aurora Serverless v2 settings, encryption, credentials, logs and who may connect.

import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConstructValidationError, Database, type DatabaseProps } from '../src/index.js';

const env = { account: '111111111111', region: 'eu-west-1' };

function databaseStack(app: App, props: Partial<DatabaseProps> = {}): { stack: Stack; database: Database } {
  const stack = new Stack(app, `DatabaseTest${app.node.children.length}`, { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const database = new Database(stack, 'Database', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    clusterIdentifier: 'demo-staging',
    ...props,
  });
  return { stack, database };
}

function acknowledgedIds(database: Database): string[] {
  return database.cluster.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as object));
}

describe('Database', () => {
  let app: App;
  let stack: Stack;
  let database: Database;
  let template: Template;
  let clientStack: Stack;

  beforeAll(() => {
    // GIVEN a database with its key, and a client security group in a later stack
    app = new App();
    ({ stack, database } = databaseStack(app, { minCapacity: 0.5, maxCapacity: 4 }));
    clientStack = new Stack(app, 'Client', { env });
    const client = new ec2.SecurityGroup(clientStack, 'Client', { vpc: database.cluster.vpc, allowAllOutbound: false });
    // WHEN the client is let in
    database.allowFrom(client);
    template = Template.fromStack(stack);
  });

  it('runs Aurora PostgreSQL Serverless v2 between the given capacities', () => {
    // THEN
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      DBClusterIdentifier: 'demo-staging',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
      DatabaseName: 'app',
      Port: 5432,
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.serverless',
      PubliclyAccessible: false,
    });
  });

  it('encrypts storage with the customer-managed key and turns on IAM authentication', () => {
    // THEN
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DatabaseKey'), 'Arn'] },
      EnableIAMDatabaseAuthentication: true,
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('keeps deletion protection on, backups for 7 days and TLS required by default', () => {
    // THEN
    template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true, BackupRetentionPeriod: 7 });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
  });

  it('generates the credentials into an encrypted secret that rotates', () => {
    // THEN
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DatabaseKey'), 'Arn'] },
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"app_admin"}' }),
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  it('exports PostgreSQL logs to an encrypted log group it creates first, with retention', () => {
    // THEN
    template.hasResourceProperties('AWS::RDS::DBCluster', { EnableCloudwatchLogsExports: ['postgresql'] });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/rds/cluster/demo-staging/postgresql',
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 30,
    });
    const cluster = Object.values(template.findResources('AWS::RDS::DBCluster'))[0] as { DependsOn?: string[] };
    expect(cluster.DependsOn?.some((id) => id.startsWith('DatabasePostgresqlLogGroup'))).toBe(true);
  });

  it('has a security group without egress whose only ingress comes from the rotation function', () => {
    // THEN
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('PostgreSQL 5432'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'));
    expect(ingress).toHaveLength(1);
    expect(JSON.stringify(ingress[0])).toContain('RotationSingleUser');
  });

  it('creates the rule for a client in a later stack inside that stack', () => {
    // THEN
    Template.fromStack(clientStack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('DatabaseSecurityGroup') },
    });
    expect(stack.dependencies).not.toContain(clientStack);
  });

  it('admits clients given as props from its own stack', () => {
    // GIVEN a client security group in a stack deployed before the database
    const earlyApp = new App();
    const early = new Stack(earlyApp, 'Early', { env });
    const vpc = new ec2.Vpc(early, 'Vpc', {
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const client = new ec2.SecurityGroup(early, 'Client', { vpc });
    const later = new Stack(earlyApp, 'Later', { env });
    // WHEN
    new Database(later, 'Database', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      clientSecurityGroups: [client],
      encryptionKey: new kms.Key(later, 'Key'),
    });
    // THEN
    Template.fromStack(later).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      SourceSecurityGroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('Client') },
    });
  });

  it('acknowledges the deletion-protection rule only when protection is off', () => {
    // GIVEN
    const { database: disposable } = databaseStack(new App(), { deletionProtection: false });
    // THEN
    expect(acknowledgedIds(disposable)).toContain('Annotation::AwsSolutions-RDS10');
    expect(acknowledgedIds(database)).not.toContain('Annotation::AwsSolutions-RDS10');
  });

  it('rejects a max capacity below the min capacity, naming the construct', () => {
    // WHEN / THEN
    expect(() => databaseStack(new App(), { minCapacity: 4, maxCapacity: 2 })).toThrow(ConstructValidationError);
    expect(() => databaseStack(new App(), { minCapacity: 4, maxCapacity: 2 })).toThrow(
      /DatabaseTest0\/Database: maxCapacity 2 is below minCapacity 4/,
    );
  });

  it('rejects capacities that are not multiples of 0.5', () => {
    // WHEN / THEN
    expect(() => databaseStack(new App(), { maxCapacity: 2.25 })).toThrow(/maxCapacity 2.25 must be 1 to 256/);
  });
});
