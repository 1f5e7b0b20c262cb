// Tests for WebApi: a webapi declaration behind an ALB with jwt-validation, or behind API Gateway and a VPC Link.

import { App, Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { beforeAll, describe, expect, it } from 'vitest';
import { BackendService, WebApi, type WebApiProps } from '../src/index.js';
import {
  containerOf,
  environmentOf,
  image,
  nagFindings,
  sharedStacks,
  testWorkload,
  workloadStack,
} from './support/shared-stacks.js';

const backendWorkload = testWorkload({ name: 'backend', kind: 'backend' });
const api = testWorkload({
  name: 'api',
  kind: 'webapi',
  loadBalancer: { authentication: 'jwt' },
  desiredCount: 2,
  minCount: 1,
  maxCount: 5,
  healthCheck: { path: '/ready' },
  dependsOn: { workloads: ['backend'] },
});
const resourceServers = [{ identifier: 'orders', scopes: ['read', 'write'] }];

describe('WebApi', () => {
  let app: App;
  let shared: ReturnType<typeof sharedStacks>;
  let backend: BackendService;
  let albStack: Stack;
  let gatewayStack: Stack;
  let alb: Template;
  let gateway: Template;
  let webApi: WebApi;

  const build = (stack: Stack, overrides: Partial<WebApiProps> = {}) =>
    new WebApi(stack, 'Api', {
      workload: api,
      cluster: shared.platform.cluster,
      subnets: shared.network.appSubnets,
      logGroup: shared.platform.createLogGroup(stack, 'LogGroup'),
      image,
      backends: [backend],
      resourceServers,
      ...overrides,
    });
  const zone = (stack: Stack) =>
    route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0123456789',
      zoneName: 'example.com',
    });

  beforeAll(() => {
    // GIVEN the shared stacks and a backend the webapi calls
    app = new App();
    shared = sharedStacks(app);
    const backendStack = workloadStack(app, 'Backend', shared);
    backend = new BackendService(backendStack, 'Service', {
      workload: backendWorkload,
      cluster: shared.platform.cluster,
      subnets: shared.network.ecsSubnets,
      logGroup: shared.platform.createLogGroup(backendStack, 'LogGroup'),
      image,
    });
    // WHEN the webapi is built behind an ALB with a custom domain, and behind API Gateway, then synthesized once
    albStack = workloadStack(app, 'AlbApi', shared);
    webApi = build(albStack, { domainName: 'api.example.com', hostedZone: zone(albStack), deletionProtection: false });
    gatewayStack = workloadStack(app, 'GatewayApi', shared);
    build(gatewayStack, {
      entry: 'apiGateway',
      apiAccessLogGroup: shared.platform.createLogGroup(gatewayStack, 'ApiAccessLogGroup'),
    });
    app.synth();
    alb = Template.fromStack(albStack);
    gateway = Template.fromStack(gatewayStack);
  });

  describe("entry 'alb'", () => {
    it('validates the bearer token on the HTTPS listener against the user pool issuer and JWKS, then forwards', () => {
      // THEN
      const listener = Object.values(alb.findResources('AWS::ElasticLoadBalancingV2::Listener'))[0] as {
        Properties: { Port: number; Protocol: string; DefaultActions: Record<string, unknown>[] };
      };
      expect(listener.Properties).toMatchObject({ Port: 443, Protocol: 'HTTPS' });
      const [validate, forward] = listener.Properties.DefaultActions;
      expect(validate).toMatchObject({ Type: 'jwt-validation', Order: 1 });
      const config = JSON.stringify(validate?.JwtValidationConfig);
      expect(config).toContain('"Issuer":{"Fn::Join":["",["https://cognito-idp.eu-west-1.amazonaws.com/"');
      expect(config).toMatch(
        /"JwksEndpoint":\{"Fn::Join":\["",\["https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com\/",\{"Ref":"ApiUserPool[^"]*"\},"\/\.well-known\/jwks\.json"\]\]\}/,
      );
      expect(forward).toMatchObject({ Type: 'forward', Order: 2 });
    });

    it('is internet-facing in the public subnets, logs access to an encrypted bucket and drops invalid headers', () => {
      // THEN
      alb.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        Subnets: Match.arrayWith([{ 'Fn::ImportValue': Match.stringLikeRegexp('PublicSubnet1') }]),
      });
      for (const attribute of [
        { Key: 'deletion_protection.enabled', Value: 'false' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]) {
        alb.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
          LoadBalancerAttributes: Match.arrayWith([attribute]),
        });
      }
      alb.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
    });

    it('creates a DNS-validated certificate for the domain and an alias record to the load balancer', () => {
      // THEN
      alb.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'api.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'api.example.com', HostedZoneId: 'Z0123456789' }],
      });
      alb.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.example.com.',
        Type: 'A',
        AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
      });
      expect(webApi.url).toBe('https://api.example.com');
    });

    it('deregisters targets within Spot warning time and health-checks the declared path on ip targets', () => {
      // THEN
      alb.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        TargetType: 'ip',
        Port: 8080,
        HealthCheckPath: '/ready',
        Matcher: { HttpCode: '200' },
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
      });
      const attributes = Object.values(alb.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).flatMap(
        (r) =>
          (r as { Properties: { TargetGroupAttributes: { Key: string; Value: string }[] } }).Properties
            .TargetGroupAttributes,
      );
      const delay = attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds');
      expect(Number(delay?.Value)).toBeLessThan(120);
    });

    it('declares a resource server with the system scopes and a client-credentials machine client granted them', () => {
      // THEN
      alb.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
        Identifier: 'orders',
        Scopes: [
          { ScopeName: 'read', ScopeDescription: 'orders read' },
          { ScopeName: 'write', ScopeDescription: 'orders write' },
        ],
      });
      alb.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        GenerateSecret: true,
        AllowedOAuthScopes: Match.arrayWith([
          { 'Fn::Join': ['', [Match.anyValue(), '/read']] },
          { 'Fn::Join': ['', [Match.anyValue(), '/write']] },
        ]),
      });
      expect(webApi.scopes).toEqual(['orders/read', 'orders/write']);
    });

    it('gives the container AUTH_ISSUER, AUTH_JWKS_URI, PORT and the backend URL', () => {
      // THEN
      const environment = environmentOf(containerOf(alb));
      expect(environment).toMatchObject({ PORT: '8080', BACKEND_URL: 'http://backend:8080', HF_WORKLOAD: 'api' });
      expect(JSON.stringify(environment.AUTH_ISSUER)).toContain('https://cognito-idp.eu-west-1.amazonaws.com/');
      expect(JSON.stringify(environment.AUTH_JWKS_URI)).toContain('/.well-known/jwks.json');
    });

    it('uses a client-only Service Connect configuration to reach its backend', () => {
      // THEN
      alb.hasResourceProperties('AWS::ECS::Service', {
        ServiceConnectConfiguration: { Enabled: true, Namespace: Match.anyValue(), Services: Match.absent() },
      });
    });

    it('scales between the declared counts on CPU and on ALB requests per target', () => {
      // THEN
      alb.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 5 });
      for (const metric of ['ECSServiceAverageCPUUtilization', 'ALBRequestCountPerTarget']) {
        alb.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
          TargetTrackingScalingPolicyConfiguration: Match.objectLike({
            PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: metric }),
          }),
        });
      }
    });

    it('admits the service port only from the load balancer', () => {
      // THEN
      const lbSg = albStack.getLogicalId(webApi.loadBalancerSecurityGroup.node.defaultChild as never);
      const serviceSg = albStack.getLogicalId(webApi.securityGroup.node.defaultChild as never);
      const onService = Object.values(alb.findResources('AWS::EC2::SecurityGroupIngress'))
        .map((r) => (r as { Properties: Record<string, unknown> }).Properties)
        .filter((p) => JSON.stringify(p.GroupId).includes(serviceSg));
      expect(onService).toEqual([
        expect.objectContaining({ SourceSecurityGroupId: { 'Fn::GetAtt': [lbSg, 'GroupId'] }, FromPort: 8080 }),
      ]);
    });

    it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
      // THEN
      expect(nagFindings(albStack)).toEqual([]);
    });
  });

  describe("entry 'apiGateway'", () => {
    it('puts an HTTP API with a Cognito JWT authorizer for the machine client in front, logging access', () => {
      // THEN
      gateway.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Issuer: { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.amazonaws.com/', Match.anyValue()]] },
          Audience: [{ Ref: Match.stringLikeRegexp('ApiMachineClient') }],
        },
      });
      gateway.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: '$default',
        AuthorizationType: 'JWT',
        AuthorizationScopes: ['orders/read', 'orders/write'],
      });
      gateway.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      });
    });

    it('reaches an internal ALB in private subnets through a VPC Link with its own security group', () => {
      // THEN
      gateway.hasResourceProperties('AWS::ApiGatewayV2::VpcLink', {
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ApiVpcLinkSecurityGroup'), 'GroupId'] }],
        SubnetIds: Match.arrayWith([{ 'Fn::ImportValue': Match.stringLikeRegexp('AppSubnet1') }]),
      });
      gateway.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        ConnectionType: 'VPC_LINK',
        IntegrationUri: { Ref: Match.stringLikeRegexp('ApiLoadBalancerListener') },
      });
      gateway.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
      gateway.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        DefaultActions: [Match.objectLike({ Type: 'forward' })],
      });
    });

    it('lets only the VPC Link security group reach the internal ALB', () => {
      // THEN
      const lbGroups = Object.entries(gateway.findResources('AWS::EC2::SecurityGroup')).filter(([id]) =>
        id.startsWith('ApiLoadBalancerSecurityGroup'),
      );
      expect(lbGroups).toHaveLength(1);
      const [lbSg, lbGroup] = lbGroups[0] as [string, { Properties: Record<string, unknown> }];
      expect(lbGroup.Properties.SecurityGroupIngress).toBeUndefined();
      const ingress = Object.values(gateway.findResources('AWS::EC2::SecurityGroupIngress'))
        .map((r) => (r as { Properties: Record<string, unknown> }).Properties)
        .filter((p) => JSON.stringify(p.GroupId).includes(lbSg));
      expect(ingress).toEqual([
        expect.objectContaining({
          FromPort: 80,
          ToPort: 80,
          SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^ApiVpcLinkSecurityGroup/), 'GroupId'] },
        }),
      ]);
      expect(JSON.stringify(gateway.toJSON())).not.toContain('0.0.0.0/0","Description":"HTTPS from the internet');
    });

    it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
      // THEN
      expect(nagFindings(gatewayStack)).toEqual([]);
    });
  });

  describe('refuses to build', () => {
    const attempt = (overrides: Partial<WebApiProps>) => () =>
      build(workloadStack(app, `Refused${Math.random().toString(36).slice(2, 8)}`, shared), overrides);

    it("entry 'alb' without a certificate or a domain with its zone", () => {
      // WHEN / THEN
      expect(attempt({})).toThrow(/Api: entry "alb" validates tokens on an HTTPS listener, which needs a certificate/);
    });

    it('a deregistration delay beyond the Spot warning', () => {
      // WHEN / THEN
      expect(attempt({ entry: 'apiGateway', deregistrationDelay: Duration.seconds(150) })).toThrow(
        /deregistrationDelay 150 s must be 0–120 s/,
      );
    });

    it('no resource server scopes for the machine client', () => {
      // WHEN / THEN
      expect(attempt({ entry: 'apiGateway', resourceServers: [] })).toThrow(/resourceServers needs at least one/);
    });
  });
});
