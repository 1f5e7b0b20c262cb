// Tests for OneOffTask: the task definition a task workload's declaration becomes, and what it refuses to build.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineWorkload, TASK_STACK_OUTPUTS, type Workload, type WorkloadProps } from '@hello-fargate/workload';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConstructValidationError, Database, OneOffTask, type OneOffTaskProps } from '../src/index.js';

const env = { account: '111111111111', region: 'eu-west-1' };
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:20-bookworm-slim');

function workload(props: Partial<WorkloadProps> = {}): Workload {
  return defineWorkload({
    name: 'importer',
    kind: 'oneoff',
    directory: new URL('.', import.meta.url),
    command: ['import', '--dry-run'],
    cpu: 512,
    memory: 1024,
    stopTimeoutSeconds: 90,
    environment: { IMPORT_BATCH: '100' },
    secrets: ['API_TOKEN'],
    dependsOn: { database: true },
    ...props,
  });
}

/** Shared resources in their own stack, as in the real app: VPC, cluster, database, a secret with its own key. */
function sharedStack(app: App) {
  const stack = new Stack(app, 'Shared', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const database = new Database(stack, 'Database', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    encryptionKey: key,
  });
  const apiToken = new secretsmanager.Secret(stack, 'ApiToken', { encryptionKey: key });
  return { stack, vpc, cluster, database, apiToken };
}

function taskStack(overrides: Partial<OneOffTaskProps> = {}, id = 'Task') {
  const app = new App();
  const shared = sharedStack(app);
  const stack = new Stack(app, id, { env });
  stack.addStackDependency(shared.stack);
  const task = new OneOffTask(stack, 'Task', {
    workload: workload(),
    cluster: shared.cluster,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    database: shared.database,
    secrets: { API_TOKEN: shared.apiToken },
    image,
    ...overrides,
  });
  return { app, stack, task, shared };
}

describe('OneOffTask', () => {
  let template: Template;
  let stack: Stack;
  let task: OneOffTask;

  beforeAll(() => {
    // GIVEN a oneoff workload that uses the database and declares a secret
    // WHEN its task is built
    ({ stack, task } = taskStack());
    template = Template.fromStack(stack);
  });

  const container = () =>
    (
      Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as {
        Properties: { ContainerDefinitions: Record<string, unknown>[] };
      }
    ).Properties.ContainerDefinitions[0] as Record<string, unknown>;

  it('sizes the Fargate task from the declaration on X86_64 by default', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '512',
      Memory: '1024',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      Family: 'Task',
    });
  });

  it('runs the declared command as a non-root user with a read-only root filesystem and the declared stop timeout', () => {
    // THEN
    expect(container()).toMatchObject({
      Name: 'importer',
      Command: ['import', '--dry-run'],
      User: '65532:65532',
      ReadonlyRootFilesystem: true,
      StopTimeout: 90,
      Essential: true,
    });
  });

  it('gives the container a writable /tmp from a task-scoped bind mount', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Volumes: [{ Name: 'tmp' }] });
    expect(container().MountPoints).toEqual([{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }]);
  });

  it('sets the workload name, the declared environment and the non-secret database settings as plain environment', () => {
    // THEN
    const environment = Object.fromEntries(
      (container().Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
    );
    expect(environment).toMatchObject({
      HF_WORKLOAD: 'importer',
      NODE_ENV: 'production',
      IMPORT_BATCH: '100',
      PGPORT: '5432',
      PGDATABASE: 'app',
      PGSSLMODE: 'verify-full',
    });
    expect(JSON.stringify(environment.PGHOST)).toContain('EndpointAddress');
    expect(Object.keys(environment)).not.toContain('PGPASSWORD');
    expect(Object.keys(environment)).not.toContain('DATABASE_URL');
  });

  it('injects the database user and password from the secret JSON keys and each declared secret whole', () => {
    // THEN
    const secrets = Object.fromEntries(
      (container().Secrets as { Name: string; ValueFrom: unknown }[]).map((s) => [s.Name, JSON.stringify(s.ValueFrom)]),
    );
    expect(Object.keys(secrets).sort()).toEqual(['API_TOKEN', 'PGPASSWORD', 'PGUSER']);
    expect(secrets.PGUSER).toContain(':username::');
    expect(secrets.PGPASSWORD).toContain(':password::');
    expect(secrets.API_TOKEN).not.toMatch(/:\w+::/);
  });

  it('lets the execution role decrypt secrets of another stack only through Secrets Manager', () => {
    // THEN
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Resource: { 'Fn::ImportValue': Match.stringLikeRegexp('Key') },
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
          },
        ]),
      },
    });
  });

  it('gives the app code a task role with no permissions', () => {
    // THEN
    const taskRoleId = stack.getLogicalId(task.taskRole.node.defaultChild as never);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: { Ref: string }[] };
    }[];
    expect(policies.flatMap((p) => p.Properties.Roles.map((r) => r.Ref))).not.toContain(taskRoleId);
  });

  it('logs with awslogs to its log group under the workload name', () => {
    // THEN
    expect(container().LogConfiguration).toMatchObject({
      LogDriver: 'awslogs',
      Options: { 'awslogs-stream-prefix': 'importer', 'awslogs-group': { Ref: expect.any(String) } },
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
  });

  it('has a security group with no ingress, HTTPS egress and PostgreSQL to the database', () => {
    // THEN
    const taskSg = stack.getLogicalId(task.securityGroup.node.defaultChild as never);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [taskSg, 'GroupId'] },
      FromPort: 5432,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: { 'Fn::GetAtt': [taskSg, 'GroupId'] },
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('DatabaseSecurityGroup') },
      FromPort: 5432,
    });
    const ingressOnTask = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) =>
      JSON.stringify((r as { Properties: { GroupId: unknown } }).Properties.GroupId).includes(taskSg),
    );
    expect(ingressOnTask).toEqual([]);
  });

  it('exports the outputs hf run-task reads, under their exact names', () => {
    // THEN
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(Object.values(TASK_STACK_OUTPUTS).sort());
    expect(outputs.ContainerName?.Value).toBe('importer');
    expect(outputs.LogStreamPrefix?.Value).toBe('importer');
    expect(JSON.stringify(outputs.SubnetIds?.Value)).toContain('Fn::Join');
  });

  it('never asks for a public IP', () => {
    // THEN
    expect(JSON.stringify(template.toJSON())).not.toContain('AssignPublicIp');
  });

  it('runs on ARM64 when asked, with an image built for linux/arm64', () => {
    // GIVEN a build context with the workload's Dockerfile
    const context = mkdtempSync(join(tmpdir(), 'hf-context-'));
    mkdirSync(join(context, 'jobs', 'importer'), { recursive: true });
    writeFileSync(join(context, 'jobs', 'importer', 'Dockerfile'), 'FROM scratch\n');
    // WHEN
    const arm = taskStack(
      {
        workload: workload({ directory: join(context, 'jobs', 'importer') }),
        image: undefined,
        buildContext: context,
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
      },
      'Arm',
    );
    const assembly = arm.app.synth();
    // THEN
    Template.fromStack(arm.stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64' },
    });
    const manifest = JSON.parse(readFileSync(join(assembly.directory, 'Arm.assets.json'), 'utf8'));
    expect(Object.values(manifest.dockerImages).map((asset) => (asset as { source: object }).source)).toEqual([
      expect.objectContaining({ dockerFile: 'jobs/importer/Dockerfile', platform: 'linux/arm64' }),
    ]);
  });

  it('stages the build context without node_modules, cdk.out or what .dockerignore excludes', () => {
    // GIVEN a build context with dependencies, output and an ignored folder
    const context = mkdtempSync(join(tmpdir(), 'hf-context-'));
    for (const dir of ['app', 'node_modules/pkg', 'cdk.out', 'docs'])
      mkdirSync(join(context, dir), { recursive: true });
    writeFileSync(join(context, 'app', 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(context, 'node_modules', 'pkg', 'index.js'), '');
    writeFileSync(join(context, 'docs', 'notes.md'), '');
    writeFileSync(join(context, '.dockerignore'), 'docs\n');
    const outdir = mkdtempSync(join(tmpdir(), 'hf-cdk-'));
    const app = new App({ outdir });
    const shared = sharedStack(app);
    const stack = new Stack(app, 'Staged', { env });
    new OneOffTask(stack, 'Task', {
      workload: workload({ directory: join(context, 'app') }),
      cluster: shared.cluster,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      database: shared.database,
      secrets: { API_TOKEN: shared.apiToken },
      buildContext: context,
    });
    // WHEN
    app.synth();
    // THEN
    const staged = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(staged).toHaveLength(1);
    expect(readdirSync(join(outdir, staged[0] as string)).sort()).toEqual(['.dockerignore', 'app']);
  });

  describe('refuses to build', () => {
    it('a service workload', () => {
      // WHEN / THEN
      const service = defineWorkload({
        name: 'api',
        kind: 'backend',
        directory: new URL('.', import.meta.url),
        port: 8080,
      });
      expect(() => taskStack({ workload: service, database: undefined, secrets: undefined })).toThrow(
        /Task\/Task: workload "api" is a backend service, not a task/,
      );
    });

    it('a database workload without the database', () => {
      // WHEN / THEN
      expect(() => taskStack({ database: undefined })).toThrow(ConstructValidationError);
      expect(() => taskStack({ database: undefined })).toThrow(/declares dependsOn\.database; pass database/);
    });

    it('a database the workload does not declare', () => {
      // WHEN / THEN
      expect(() => taskStack({ workload: workload({ dependsOn: {} }) })).toThrow(
        /does not declare dependsOn\.database/,
      );
    });

    it('a declared secret without its Secrets Manager secret', () => {
      // WHEN / THEN
      expect(() => taskStack({ secrets: {} })).toThrow(/declares secrets API_TOKEN; pass a Secrets Manager secret/);
    });

    it('a secret the workload does not declare', () => {
      // WHEN / THEN
      expect(() => taskStack({ workload: workload({ secrets: [] }) })).toThrow(/secrets API_TOKEN are not declared/);
    });

    it('a declaration that sets a variable the database contract owns', () => {
      // WHEN / THEN
      expect(() => taskStack({ workload: workload({ environment: { PGHOST: 'localhost' } }) })).toThrow(
        /declares PGHOST, which the platform sets/,
      );
    });

    it('without an image or a build context', () => {
      // WHEN / THEN
      expect(() => taskStack({ image: undefined })).toThrow(/pass buildContext/);
    });
  });
});
