// Tests for the CDK app with queues: the queues stack, the queue workers' stacks and the backend that sends to a queue.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineSystem, stackName } from '@hello-fargate/workload';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../usecases/backend/workload.js';
import { queueRoles } from '../../usecases/backgroundjobs/infra/queue-worker-stack.js';
import {
  backgroundJob,
  backgroundJobsQueue,
  mainJob,
  orderEventsQueue,
} from '../../usecases/backgroundjobs/workload.js';
import { type BuiltApp, buildApp } from '../build-app.js';

/** The order pipeline: backend (outbox) → order-events → main-job → background-jobs → background-job. */
const system = defineSystem({
  name: 'hello-fargate',
  workloads: [backend, mainJob, backgroundJob],
  queues: [orderEventsQueue, backgroundJobsQueue],
});

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

describe('the CDK app with queues and queue workers', () => {
  let built: BuiltApp;
  let assembly: CloudAssembly;
  const name = (env: string, part: string) => stackName('hello-fargate', env, part);
  const template = (env: string, part: string) => Template.fromJSON(assembly.getStackByName(name(env, part)).template);
  const containerOf = (env: string, part: string) => {
    const defs = template(env, part).findResources('AWS::ECS::TaskDefinition');
    const [def] = Object.values(defs) as { Properties: { ContainerDefinitions: Record<string, unknown>[] } }[];
    return def?.Properties.ContainerDefinitions[0] as { Environment: { Name: string; Value: unknown }[] };
  };
  const queueEnvironment = (env: string, part: string) =>
    Object.fromEntries(
      containerOf(env, part)
        .Environment.filter((e) => e.Name.endsWith('_QUEUE_URL'))
        .map((e) => [e.Name, e.Value]),
    );
  /** The queues stack's export of a queue's ARN or URL, as a workload stack imports it. */
  const exported = (env: string, logicalPrefix: string, attribute: 'Arn' | 'Ref') => {
    const queues = template(env, 'queues').findResources('AWS::SQS::Queue');
    const id = Object.keys(queues).find((key) => key.startsWith(logicalPrefix) && !key.includes('dlq'));
    return {
      'Fn::ImportValue': expect.stringMatching(
        new RegExp(`^${name(env, 'queues')}:ExportsOutput${attribute === 'Arn' ? 'FnGetAtt' : 'Ref'}${id}`),
      ),
    };
  };
  /** Task-role statements (SQS actions only) of a workload stack. */
  const sqsStatements = (env: string, part: string) =>
    Object.entries(template(env, part).findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.includes('TaskRole'))
      .flatMap(
        ([, policy]) =>
          (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
            .Statement,
      )
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')));

  beforeAll(() => {
    // GIVEN the backend and both workers with their two queues, WHEN the app is built for every environment
    built = buildApp({ system, outdir: mkdtempSync(join(tmpdir(), 'hf-cdk-queues-')) });
    assembly = built.app.synth();
  });

  it('consumes the first of dependsOn.queues and sends to the rest', () => {
    // THEN
    expect(queueRoles(mainJob)).toEqual({ consumes: ['order-events'], sendsTo: ['background-jobs'] });
    expect(queueRoles(backgroundJob)).toEqual({ consumes: ['background-jobs'], sendsTo: [] });
  });

  it('builds a queues stack after the database and before the workloads, in staging and prod', () => {
    // THEN
    for (const env of ['staging', 'prod']) {
      const found = built.environments.find((e) => e.config.name === env)?.stacks.map((s) => s.stackName);
      expect(found).toEqual(
        ['network', 'platform', 'database', 'queues', 'backend', 'main-job', 'background-job'].map((p) => name(env, p)),
      );
      for (const part of ['backend', 'main-job', 'background-job']) {
        expect(assembly.getStackByName(name(env, part)).dependencies.map((d) => d.id)).toContain(name(env, 'queues'));
      }
      // The platform stack (the key's) depends on none of them: no grant edited the key policy.
      expect(assembly.getStackByName(name(env, 'platform')).dependencies.map((d) => d.id)).toEqual([
        name(env, 'network'),
        expect.stringContaining('assets'),
      ]);
    }
  });

  it('makes each queue and DLQ, SSE-KMS with the platform key, named <system>-<env>-<queue>', () => {
    // THEN
    const queues = template('prod', 'queues');
    queues.resourceCountIs('AWS::SQS::Queue', 4);
    for (const queueName of ['order-events', 'order-events-dlq', 'background-jobs', 'background-jobs-dlq']) {
      queues.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `hello-fargate-prod-${queueName}`,
        KmsMasterKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('^hello-fargate-prod-platform:') },
      });
    }
  });

  it('gives main-job both queue URLs, receive on order-events and send on background-jobs', () => {
    // THEN
    expect(queueEnvironment('staging', 'main-job')).toEqual({
      ORDER_EVENTS_QUEUE_URL: exported('staging', 'Queuesorderevents', 'Ref'),
      BACKGROUND_JOBS_QUEUE_URL: exported('staging', 'Queuesbackgroundjobs', 'Ref'),
    });
    const statements = sqsStatements('staging', 'main-job');
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']),
        Resource: exported('staging', 'Queuesorderevents', 'Arn'),
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Resource: exported('staging', 'Queuesbackgroundjobs', 'Arn'),
      }),
    );
    expect(statements).toHaveLength(2);
  });

  it('gives background-job its queue URL and the receive grant on it only', () => {
    // THEN
    expect(queueEnvironment('prod', 'background-job')).toEqual({
      BACKGROUND_JOBS_QUEUE_URL: exported('prod', 'Queuesbackgroundjobs', 'Ref'),
    });
    const statements = sqsStatements('prod', 'background-job');
    expect(statements).toEqual([
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:ReceiveMessage']),
        Resource: exported('prod', 'Queuesbackgroundjobs', 'Arn'),
      }),
    ]);
    expect([statements[0]?.Action].flat()).not.toContain('sqs:SendMessage');
  });

  it('gives the backend ORDER_EVENTS_QUEUE_URL and only the send grant on order-events', () => {
    // THEN
    expect(queueEnvironment('staging', 'backend')).toEqual({
      ORDER_EVENTS_QUEUE_URL: exported('staging', 'Queuesorderevents', 'Ref'),
    });
    const statements = sqsStatements('staging', 'backend');
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: exported('staging', 'Queuesorderevents', 'Arn'),
      },
    ]);
  });

  it('runs the workers in the ECS subnets with no ingress, scaling from zero', () => {
    // THEN
    for (const part of ['main-job', 'background-job']) {
      const worker = template('staging', part);
      worker.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
      worker.hasResourceProperties('AWS::ECS::Service', {
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      });
      worker.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 4 });
      const groups = worker.findResources('AWS::EC2::SecurityGroup');
      for (const group of Object.values(groups) as { Properties: { SecurityGroupIngress?: unknown[] } }[]) {
        expect(group.Properties.SecurityGroupIngress ?? []).toEqual([]);
      }
    }
  });

  it('builds each worker image from its own Dockerfile.<workload> for linux/amd64', () => {
    // THEN
    for (const part of ['main-job', 'background-job']) {
      const manifest = JSON.parse(
        readFileSync(join(assembly.directory, `${name('staging', part)}.assets.json`), 'utf8'),
      );
      const sources = Object.values(manifest.dockerImages).map((asset) => (asset as { source: object }).source);
      expect(sources).toEqual([
        expect.objectContaining({ dockerFile: `usecases/backgroundjobs/Dockerfile.${part}`, platform: 'linux/amd64' }),
      ]);
      const dockerfile = readFileSync(
        new URL(`../../usecases/backgroundjobs/Dockerfile.${part}`, import.meta.url),
        'utf8',
      );
      expect(dockerfile).toContain(`RUN node packages/cli/bin/hf.js bundle ${part} --out /out --assets copy`);
      expect(dockerfile).toContain(`"apps/${part}.mjs"`);
    }
  });

  it('passes cdk-nag AwsSolutions with no finding in any stack', () => {
    // THEN
    for (const stack of built.environments.flatMap((env) => env.stacks)) {
      const findings = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => ({
        rule: v.ruleName,
        at: v.violatingResources.map((r) => r.constructPath),
      }));
      expect({ stack: stack.stackName, findings }).toEqual({ stack: stack.stackName, findings: [] });
    }
  });
});
