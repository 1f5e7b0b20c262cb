// Tests for BackendService: a backend declaration becomes a private Fargate service reached through Service Connect.

import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BackendService, type BackendServiceProps, WorkloadSecrets } from '../src/index.js';
import {
  containerOf,
  environmentOf,
  image,
  nagFindings,
  sharedStacks,
  testWorkload,
  workloadStack,
} from './support/shared-stacks.js';

const orders = testWorkload({
  name: 'orders',
  kind: 'backend',
  serviceConnect: { dnsName: 'orders-api' },
  port: 9000,
  desiredCount: 2,
  minCount: 2,
  maxCount: 6,
  stopTimeoutSeconds: 90,
  healthCheck: { path: '/healthz', intervalSeconds: 10, timeoutSeconds: 3, retries: 4, startPeriodSeconds: 20 },
  secrets: ['API_TOKEN'],
  dependsOn: { database: true },
});
const pricing = testWorkload({ name: 'pricing', kind: 'backend', dependsOn: { workloads: ['orders'] } });

describe('BackendService', () => {
  let app: App;
  let shared: ReturnType<typeof sharedStacks>;
  let ordersStack: Stack;
  let callerStack: Stack;
  let backend: BackendService;
  let caller: BackendService;
  let template: Template;
  let callerTemplate: Template;

  const build = (stack: Stack, overrides: Partial<BackendServiceProps> & Pick<BackendServiceProps, 'workload'>) =>
    new BackendService(stack, 'Service', {
      cluster: shared.platform.cluster,
      subnets: shared.network.ecsSubnets,
      logGroup: shared.platform.createLogGroup(stack, 'LogGroup'),
      image,
      ...overrides,
    });

  beforeAll(() => {
    // GIVEN the shared stacks, a backend that uses the database and a secret, and a backend that calls it
    app = new App();
    shared = sharedStacks(app);
    ordersStack = workloadStack(app, 'Orders', shared);
    const { secrets } = new WorkloadSecrets(ordersStack, 'Secrets', {
      workload: orders,
      encryptionKey: shared.platform.encryptionKey,
    });
    // WHEN both are built (in their own stacks) and synthesized once
    backend = build(ordersStack, { workload: orders, database: shared.database, secrets });
    callerStack = workloadStack(app, 'Pricing', shared);
    caller = build(callerStack, { workload: pricing, backends: [backend] });
    app.synth();
    template = Template.fromStack(ordersStack);
    callerTemplate = Template.fromStack(callerStack);
  });

  it('serves its port under the declared Service Connect alias in the platform namespace', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: {
        Enabled: true,
        Namespace: { 'Fn::ImportValue': Match.stringLikeRegexp('Namespace') },
        Services: [
          { PortName: 'http', DiscoveryName: 'orders-api', ClientAliases: [{ DnsName: 'orders-api', Port: 9000 }] },
        ],
      },
    });
    expect(containerOf(template).PortMappings).toEqual([
      { ContainerPort: 9000, Name: 'http', AppProtocol: 'http', Protocol: 'tcp' },
    ]);
    expect(backend.url).toBe('http://orders-api:9000');
  });

  it('gives a caller the backend URL and Service Connect in the same namespace, which resolves the alias', () => {
    // THEN
    expect(environmentOf(containerOf(callerTemplate))).toMatchObject({ ORDERS_URL: 'http://orders-api:9000' });
    const namespace = template.findResources('AWS::ECS::Service');
    const namespaceOf = (resources: Record<string, unknown>) =>
      (Object.values(resources)[0] as { Properties: { ServiceConnectConfiguration: { Namespace: unknown } } })
        .Properties.ServiceConnectConfiguration.Namespace;
    expect(namespaceOf(callerTemplate.findResources('AWS::ECS::Service'))).toEqual(namespaceOf(namespace));
  });

  it('admits its port only from the security groups of callers, with the rules in the caller stack', () => {
    // THEN: no ingress rule on the backend's group in its own stack (the one there is the database's, for it)
    const backendSg = ordersStack.getLogicalId(backend.securityGroup.node.defaultChild as never);
    expect(template.toJSON().Resources[backendSg].Properties.SecurityGroupIngress).toBeUndefined();
    const ownIngress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    );
    expect(ownIngress).toEqual([expect.objectContaining({ FromPort: 5432 })]);
    // and the caller's stack lets the caller's group in, on the port only
    const callerSg = callerStack.getLogicalId(caller.securityGroup.node.defaultChild as never);
    const ingress = Object.values(callerTemplate.findResources('AWS::EC2::SecurityGroupIngress')).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    );
    expect(ingress).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::ImportValue': expect.stringMatching(/SecurityGroup/) },
        SourceSecurityGroupId: { 'Fn::GetAtt': [callerSg, 'GroupId'] },
        FromPort: 9000,
        ToPort: 9000,
      }),
    ]);
  });

  it('rolls back a failing deployment with the circuit breaker and never asks for a public IP', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      DesiredCount: 2,
    });
    expect(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer')).toEqual({});
  });

  it('puts the first task on FARGATE and the rest on FARGATE_SPOT', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 0 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      ],
      LaunchType: Match.absent(),
    });
  });

  it('scales between the declared min and max counts on CPU', () => {
    // THEN
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      },
    });
  });

  it('checks health with node fetch on the declared path and timings, since distroless has no curl', () => {
    // THEN
    const healthCheck = containerOf(template).HealthCheck as { Command: string[] } & Record<string, unknown>;
    expect(healthCheck).toMatchObject({ Interval: 10, Timeout: 3, Retries: 4, StartPeriod: 20 });
    expect(healthCheck.Command.slice(0, 3)).toEqual(['CMD', '/nodejs/bin/node', '-e']);
    expect(healthCheck.Command[3]).toContain("fetch('http://127.0.0.1:9000/healthz'");
  });

  it('runs non-root with a read-only root, a writable /tmp and the declared stop timeout', () => {
    // THEN
    expect(containerOf(template)).toMatchObject({
      Name: 'orders',
      User: '65532:65532',
      ReadonlyRootFilesystem: true,
      StopTimeout: 90,
      MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
    });
  });

  it('sets PORT and the PG* contract, with the database user, password and declared secrets as ECS secrets', () => {
    // THEN
    const container = containerOf(template);
    expect(environmentOf(container)).toMatchObject({
      HF_WORKLOAD: 'orders',
      NODE_ENV: 'production',
      PORT: '9000',
      PGPORT: '5432',
      PGSSLMODE: 'verify-full',
    });
    const secretNames = (container.Secrets as { Name: string }[]).map((s) => s.Name).sort();
    expect(secretNames).toEqual(['API_TOKEN', 'PGPASSWORD', 'PGUSER']);
  });

  it('runs in the given private subnets', () => {
    // THEN
    const subnetIds = JSON.stringify(
      template.findResources('AWS::ECS::Service')[ordersStack.getLogicalId(backend.service.node.defaultChild as never)],
    );
    expect(subnetIds).toContain('EcsSubnet1');
    expect(subnetIds).not.toMatch(/PublicSubnet/);
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    // THEN
    expect(nagFindings(ordersStack)).toEqual([]);
    expect(nagFindings(callerStack)).toEqual([]);
  });

  describe('refuses to build', () => {
    const attempt = (overrides: Partial<BackendServiceProps> & Pick<BackendServiceProps, 'workload'>) => () =>
      build(workloadStack(app, `Refused${Math.random().toString(36).slice(2, 8)}`, shared), overrides);

    it('a workload of another kind', () => {
      // WHEN / THEN
      const web = testWorkload({ name: 'web', kind: 'webapp', loadBalancer: { authentication: 'cognito' } });
      expect(attempt({ workload: web })).toThrow(/Service: workload "web" is a webapp; BackendService builds backend/);
    });

    it('a caller without the backends it declares', () => {
      // WHEN / THEN
      expect(attempt({ workload: pricing })).toThrow(/calls orders \(dependsOn\.workloads\); pass each in backends/);
    });

    it('a backend the workload does not declare', () => {
      // WHEN / THEN
      const loner = testWorkload({ name: 'loner', kind: 'backend' });
      expect(attempt({ workload: loner, backends: [backend] })).toThrow(/backends orders are not in dependsOn/);
    });

    it('Fargate Spot on ARM64', () => {
      // WHEN / THEN
      const lone = testWorkload({ name: 'lone', kind: 'backend' });
      expect(
        attempt({
          workload: lone,
          cpuArchitecture: ecs.CpuArchitecture.ARM64,
          capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        }),
      ).toThrow(/FARGATE_SPOT runs X86_64 only/);
    });

    it('a declaration that sets a variable the contract owns', () => {
      // WHEN / THEN
      const clash = testWorkload({
        name: 'clash',
        kind: 'backend',
        environment: { ORDERS_URL: 'x' },
        dependsOn: { workloads: ['orders'] },
      });
      expect(attempt({ workload: clash, backends: [backend] })).toThrow(/declares ORDERS_URL, which the platform sets/);
    });
  });
});
