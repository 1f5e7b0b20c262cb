// Tests for the CDK app with backend, webapi and webapp workloads: their stacks, wiring, config and cdk-nag.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineSystem, defineWorkload, stackName, type System } from '@hello-fargate/workload';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp, inDependencyOrder } from '../build-app.js';

/** A build context with a Dockerfile per workload, and a system declared here (no usecases/* app needed). */
function testSystem(): { system: System; buildContext: string } {
  const buildContext = mkdtempSync(join(tmpdir(), 'hf-web-context-'));
  const directory = (name: string) => {
    const dir = join(buildContext, 'usecases', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    return dir;
  };
  const system = defineSystem({
    name: 'hello-fargate',
    // Callers listed before the backend: the app must still build the backend first.
    workloads: [
      defineWorkload({
        name: 'webapp',
        kind: 'webapp',
        directory: directory('webapp'),
        port: 8080,
        loadBalancer: { authentication: 'cognito' },
        dependsOn: { workloads: ['backend'] },
      }),
      defineWorkload({
        name: 'webapi',
        kind: 'webapi',
        directory: directory('webapi'),
        port: 8080,
        loadBalancer: { authentication: 'jwt' },
        dependsOn: { workloads: ['backend'] },
      }),
      defineWorkload({
        name: 'backend',
        kind: 'backend',
        directory: directory('backend'),
        port: 8080,
        desiredCount: 2,
        serviceConnect: { dnsName: 'backend' },
        dependsOn: { database: true },
      }),
    ],
    resourceServers: [{ identifier: 'orders', scopes: ['read', 'write'] }],
  });
  return { system, buildContext };
}

describe('the CDK app with web workloads', () => {
  let built: BuiltApp;
  let assembly: CloudAssembly;
  const template = (env: string, part: string) =>
    Template.fromJSON(assembly.getStackByName(stackName('hello-fargate', env, part)).template);

  beforeAll(() => {
    // GIVEN a system with a backend called by a webapi and a webapp
    const { system, buildContext } = testSystem();
    // WHEN the app is built for every environment and synthesized once
    built = buildApp({ system, buildContext, outdir: mkdtempSync(join(tmpdir(), 'hf-cdk-web-')) });
    assembly = built.app.synth();
  });

  it('builds each backend stack before the stacks of its callers', () => {
    // THEN
    for (const env of built.environments) {
      const names = env.stacks.map((s) => s.stackName);
      expect(names.slice(3)).toEqual(
        ['backend', 'webapp', 'webapi'].map((p) => stackName('hello-fargate', env.config.name, p)),
      );
    }
    expect(inDependencyOrder(testSystem().system).map((w) => w.name)).toEqual(['backend', 'webapp', 'webapi']);
  });

  it('gives the callers BACKEND_URL and lets their security groups reach the backend port', () => {
    // THEN
    for (const caller of ['webapi', 'webapp']) {
      const callerTemplate = template('staging', caller);
      const container = (
        Object.values(callerTemplate.findResources('AWS::ECS::TaskDefinition'))[0] as {
          Properties: { ContainerDefinitions: { Environment: { Name: string; Value: unknown }[] }[] };
        }
      ).Properties.ContainerDefinitions[0];
      expect(container?.Environment).toContainEqual({ Name: 'BACKEND_URL', Value: 'http://backend:8080' });
      callerTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 8080,
        GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('^hello-fargate-staging-backend:') },
      });
    }
  });

  it('serves the web workloads at <name>.<dns zone> of the environment', () => {
    // THEN
    template('staging', 'webapp').hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'webapp.staging.hello-fargate.example.com.',
      HostedZoneId: 'Z00000000000000000001',
    });
    template('prod', 'webapi').hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'webapi.hello-fargate.example.com',
    });
  });

  it('protects the load balancers from deletion in prod only, from config', () => {
    // THEN
    for (const [env, value] of [
      ['staging', 'false'],
      ['prod', 'true'],
    ] as const) {
      for (const part of ['webapi', 'webapp']) {
        const attributes = Object.values(template(env, part).findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))
          .map((r) => (r as { Properties: { LoadBalancerAttributes: { Key: string; Value: string }[] } }).Properties)
          .flatMap((p) => p.LoadBalancerAttributes);
        expect(attributes).toContainEqual({ Key: 'deletion_protection.enabled', Value: value });
      }
    }
  });

  it('passes cdk-nag AwsSolutions with no finding in any stack', () => {
    // THEN: the plugin registered on the app ran during synth and reported nothing
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    expect(report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')?.violations ?? []).toEqual([]);
  });
});
