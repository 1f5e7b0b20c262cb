// Tests for WebApp: a webapp declaration behind an ALB that signs users in with Cognito before forwarding.

import { App, Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebApp, type WebAppProps } from '../src/index.js';
import {
  containerOf,
  environmentOf,
  image,
  nagFindings,
  sharedStacks,
  testWorkload,
  workloadStack,
} from './support/shared-stacks.js';

const web = testWorkload({
  name: 'web',
  kind: 'webapp',
  loadBalancer: { authentication: 'cognito' },
  port: 3000,
  minCount: 2,
  desiredCount: 2,
  maxCount: 8,
  healthCheck: { path: '/health', intervalSeconds: 15, timeoutSeconds: 4 },
});

describe('WebApp', () => {
  let app: App;
  let shared: ReturnType<typeof sharedStacks>;
  let stack: Stack;
  let sharingStack: Stack;
  let template: Template;
  let webApp: WebApp;

  const build = (target: Stack, overrides: Partial<WebAppProps> = {}) =>
    new WebApp(target, 'App', {
      workload: web,
      cluster: shared.platform.cluster,
      subnets: shared.network.appSubnets,
      logGroup: shared.platform.createLogGroup(target, 'LogGroup'),
      image,
      domainName: 'app.example.com',
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(target, 'Zone', {
        hostedZoneId: 'Z0123456789',
        zoneName: 'example.com',
      }),
      ...overrides,
    });

  beforeAll(() => {
    // GIVEN the shared stacks
    app = new App();
    shared = sharedStacks(app);
    // WHEN a webapp is built with a one-day session, and another one on a user pool it is given; synthesized once
    stack = workloadStack(app, 'Web', shared);
    webApp = build(stack, { sessionTimeout: Duration.days(1) });
    sharingStack = workloadStack(app, 'Sharing', shared);
    const pool = new cognito.UserPool(sharingStack, 'SharedPool');
    build(sharingStack, {
      domainName: 'admin.example.com',
      userPool: pool,
      userPoolDomain: pool.addDomain('SharedDomain', { cognitoDomain: { domainPrefix: 'hf-shared' } }),
    });
    app.synth();
    template = Template.fromStack(stack);
  });

  it('signs users in with authenticate-cognito on the HTTPS listener, then forwards', () => {
    // THEN
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('AppCertificate') } }],
      DefaultActions: [
        {
          Type: 'authenticate-cognito',
          Order: 1,
          AuthenticateCognitoConfig: {
            UserPoolArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AppUserPool'), 'Arn'] },
            UserPoolClientId: { Ref: Match.stringLikeRegexp('AppClient') },
            UserPoolDomain: { Ref: Match.stringLikeRegexp('AppUserPoolDomain') },
            OnUnauthenticatedRequest: 'authenticate',
            SessionTimeout: '86400',
            Scope: 'openid email profile',
          },
        },
        Match.objectLike({ Type: 'forward', Order: 2 }),
      ],
    });
  });

  it('redirects HTTP to HTTPS', () => {
    // THEN
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [{ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) }],
    });
  });

  it('has an app client with the code grant and the ALB callback on its domain, and a Cognito domain', () => {
    // THEN
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: ['https://app.example.com/oauth2/idpresponse'],
      LogoutURLs: ['https://app.example.com/'],
      GenerateSecret: true,
      SupportedIdentityProviders: ['COGNITO'],
    });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('creates an invite-only user pool with MFA required and a strong password policy', () => {
    // THEN
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
  });

  it('gives the container OIDC_ISSUER, OIDC_CLIENT_ID, ALB_ARN, ALB_KEYS_URL and LOGOUT_URL', () => {
    // THEN
    const environment = environmentOf(containerOf(template));
    expect(environment.ALB_KEYS_URL).toBe('https://public-keys.auth.elb.eu-west-1.amazonaws.com');
    expect(environment.PORT).toBe('3000');
    expect(JSON.stringify(environment.OIDC_ISSUER)).toMatch(
      /^\{"Fn::Join":\["",\["https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com\/",\{"Ref":"AppUserPool/,
    );
    expect(environment.OIDC_CLIENT_ID).toEqual({ Ref: expect.stringMatching(/^AppClient/) });
    expect(environment.ALB_ARN).toEqual({ Ref: expect.stringMatching(/^AppLoadBalancer/) });
    const logout = JSON.stringify(environment.LOGOUT_URL);
    expect(logout).toContain('.auth.eu-west-1.amazoncognito.com/logout?client_id=');
    expect(logout).toContain('&logout_uri=https%3A%2F%2Fapp.example.com%2F');
  });

  it('creates the certificate for the domain and an alias record', () => {
    // THEN
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'app.example.com' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'app.example.com.', Type: 'A' });
    expect(webApp.url).toBe('https://app.example.com');
  });

  it('deregisters targets within the Spot warning and scales on CPU and requests between the declared counts', () => {
    // THEN
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3000,
      TargetType: 'ip',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 15,
      HealthCheckTimeoutSeconds: 4,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 8 });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 0 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      ],
    });
  });

  it('protects the load balancer from deletion by default and logs its access', () => {
    // THEN
    for (const attribute of [
      { Key: 'deletion_protection.enabled', Value: 'true' },
      { Key: 'access_logs.s3.enabled', Value: 'true' },
    ]) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([attribute]),
      });
    }
  });

  it('adds its client to a given user pool instead of creating one', () => {
    // THEN
    const sharing = Template.fromStack(sharingStack);
    sharing.resourceCountIs('AWS::Cognito::UserPool', 1);
    sharing.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: Match.arrayWith([
        Match.objectLike({
          AuthenticateCognitoConfig: Match.objectLike({
            UserPoolArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SharedPool'), 'Arn'] },
            UserPoolDomain: { Ref: Match.stringLikeRegexp('SharedDomain') },
            SessionTimeout: '604800',
          }),
        }),
      ]),
    });
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    // THEN
    expect(nagFindings(stack)).toEqual([]);
  });

  describe('refuses to build', () => {
    const attempt = (overrides: Partial<WebAppProps>) => () =>
      build(workloadStack(app, `Refused${Math.random().toString(36).slice(2, 8)}`, shared), overrides);

    it('without a certificate or a zone to create one', () => {
      // WHEN / THEN
      expect(attempt({ hostedZone: undefined })).toThrow(/App: authenticate-cognito runs on HTTPS listeners only/);
    });

    it('a session longer than ALB allows', () => {
      // WHEN / THEN
      expect(attempt({ sessionTimeout: Duration.days(8) })).toThrow(/sessionTimeout 691200 s must be 1 s to 7 days/);
    });

    it('a user pool without its domain', () => {
      // WHEN / THEN
      const stackForPool = workloadStack(app, 'PoolOnly', shared);
      expect(attempt({ userPool: new cognito.UserPool(stackForPool, 'Pool') })).toThrow(
        /pass userPool and userPoolDomain together/,
      );
    });
  });
});
