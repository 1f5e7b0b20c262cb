// Tests for the oneoff stack: its task matches the declaration, its image comes from its Dockerfile, its outputs
// are what `hf run-task --env` reads.

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_STACK_OUTPUTS } from '@hello-fargate/workload';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type EnvironmentStacks, REPO_ROOT } from '../../../infra/build-app.js';
import { oneoff } from '../workload.js';

const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');

describe('OneOffStack', () => {
  let staging: EnvironmentStacks;
  let template: Template;
  let outdir: string;

  beforeAll(() => {
    // GIVEN the staging environment of the app, WHEN it is synthesized
    outdir = mkdtempSync(join(tmpdir(), 'hf-cdk-'));
    const built = buildApp({ outdir, environments: ['staging'] });
    built.app.synth();
    staging = built.environments[0] as EnvironmentStacks;
    template = Template.fromStack(staging.workloads.get('oneoff') as never);
  });

  const container = () =>
    (
      Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as {
        Properties: { ContainerDefinitions: Record<string, unknown>[] };
      }
    ).Properties.ContainerDefinitions[0] as Record<string, unknown>;

  it('is named hello-fargate-staging-oneoff and builds the task from the declaration', () => {
    // THEN
    expect(staging.workloads.get('oneoff')?.stackName).toBe('hello-fargate-staging-oneoff');
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'hello-fargate-staging-oneoff',
      Cpu: String(oneoff.cpu),
      Memory: String(oneoff.memory),
    });
    expect(container()).toMatchObject({
      Name: 'oneoff',
      Command: [...oneoff.command],
      StopTimeout: oneoff.stopTimeoutSeconds,
      ReadonlyRootFilesystem: true,
      User: '65532:65532',
    });
  });

  it('gets the database connection as PG* variables, the password only as a secret', () => {
    // THEN
    const plain = (container().Environment as { Name: string }[]).map((e) => e.Name);
    const secret = (container().Secrets as { Name: string }[]).map((s) => s.Name);
    expect(plain).toEqual(expect.arrayContaining(['PGHOST', 'PGPORT', 'PGDATABASE', 'PGSSLMODE', 'HF_WORKLOAD']));
    expect(secret.sort()).toEqual(['PGPASSWORD', 'PGUSER']);
  });

  it('builds its image from usecases/oneoff/Dockerfile for linux/amd64', () => {
    // THEN
    const manifest = JSON.parse(readFileSync(join(outdir, 'hello-fargate-staging-oneoff.assets.json'), 'utf8'));
    const sources = Object.values(manifest.dockerImages).map((asset) => (asset as { source: object }).source);
    expect(sources).toEqual([
      expect.objectContaining({ dockerFile: 'usecases/oneoff/Dockerfile', platform: 'linux/amd64' }),
    ]);
  });

  it('stages the repository without node_modules, cdk.out, .hf, .git or tests', () => {
    // THEN
    // The oneoff stack's own image asset, as its asset manifest names it.
    const manifest = JSON.parse(readFileSync(join(outdir, 'hello-fargate-staging-oneoff.assets.json'), 'utf8'));
    const directories = Object.values(manifest.dockerImages).map(
      (asset) => (asset as { source: { directory: string } }).source.directory,
    );
    expect(directories).toHaveLength(1);
    const root = join(outdir, directories[0] as string);
    expect(existsSync(join(root, 'usecases', 'oneoff', 'Dockerfile'))).toBe(true);
    const top = readdirSync(root);
    expect(top).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'packages', 'usecases']));
    for (const excluded of ['node_modules', 'cdk.out', '.hf', '.git', 'test-artifacts', 'infra', 'docs']) {
      expect(top).not.toContain(excluded);
    }
    expect(readdirSync(join(root, 'usecases', 'oneoff'))).not.toContain('tests');
  });

  it('exports the outputs hf run-task --env reads, pointing at the platform cluster and the ECS subnets', () => {
    // THEN
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(Object.values(TASK_STACK_OUTPUTS).sort());
    expect(JSON.stringify(outputs.ClusterName?.Value)).toContain('hello-fargate-staging-platform:');
    const subnets = JSON.stringify(outputs.SubnetIds?.Value);
    expect(subnets.match(/NetworkEcsSubnet\d/g)).toHaveLength(2);
    expect(outputs.LogStreamPrefix?.Value).toBe('oneoff');
  });

  it('logs to a log group encrypted with the platform key, kept for the environment retention', () => {
    // THEN
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
      RetentionInDays: 14,
    });
  });

  it('lets its tasks reach the database through a rule kept in this stack', () => {
    // THEN
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('hello-fargate-staging-database:') },
    });
  });
});

describe('the oneoff Dockerfile', () => {
  it('bundles with the lead bundle command and runs the bundle with source maps', () => {
    // THEN
    expect(dockerfile).toContain('RUN node packages/cli/bin/hf.js bundle oneoff --out /out --assets copy');
    expect(dockerfile).toMatch(/ENTRYPOINT \["[^"]*node", "--enable-source-maps", "apps\/main\.mjs"\]/);
  });

  it('defaults to the command the declaration names', () => {
    // THEN
    expect(dockerfile).toContain(`CMD ${JSON.stringify(oneoff.command)}`);
  });

  it('runs as the non-root user the task definition names, with /tmp as a volume', () => {
    // THEN
    expect(dockerfile).toMatch(/^USER 65532:65532$/m);
    expect(dockerfile).toContain('VOLUME ["/tmp"]');
    expect(dockerfile).toMatch(/^FROM --platform=\$BUILDPLATFORM node:20\.\d+\.\d+-bookworm-slim AS build$/m);
  });
});

describe('the root .dockerignore', () => {
  it('keeps dependencies, build output and local state out of the build context', () => {
    // THEN
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', 'cdk.out', '.hf', '.git', 'test-artifacts', 'secrets.local.json']) {
      expect(ignored).toContain(entry);
    }
  });
});
