// WebApi: a webapi workload behind an internet-facing ALB that validates Cognito access tokens (jwt-validation),
// or behind API Gateway (HTTP API, JWT authorizer) and a VPC Link to an internal ALB.

import type { ResourceServerDeclaration } from '@hello-fargate/workload';
import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import { createLogGroup } from './private/log-retention.js';
import {
  createLoadBalancedService,
  createLoadBalancer,
  type LoadBalancerParts,
  normalizeWebSettings,
  regionOf,
  resolveCertificate,
  resolveUserPool,
} from './private/web-entry.js';
import { exposeWorkloadService } from './private/workload-service.js';
import type { WebServiceProps } from './web-service-props.js';

/** Where a WebApi's requests enter. */
export type WebApiEntry = 'alb' | 'apiGateway';

export interface WebApiProps extends WebServiceProps {
  /** The system's resource servers (`system.resourceServers`); the machine client is granted every scope. */
  readonly resourceServers: readonly ResourceServerDeclaration[];
  /**
   * `alb`: an internet-facing ALB whose HTTPS listener validates the token (jwt-validation) and forwards; needs
   * `certificate`, or `domainName` with `hostedZone`. `apiGateway`: an HTTP API with a Cognito JWT authorizer,
   * a VPC Link and an internal ALB (HTTP, reachable only from the VPC Link's security group).
   * @default 'alb'
   */
  readonly entry?: WebApiEntry;
  /**
   * API Gateway access log group (entry `apiGateway`).
   * @default - a new log group encrypted with `encryptionKey`, kept `logRetentionDays`
   */
  readonly apiAccessLogGroup?: logs.ILogGroup;
  /**
   * Steady-state requests per second the HTTP API stage accepts (entry `apiGateway`); the burst is twice this.
   * @default 100
   */
  readonly apiRateLimit?: number;
}

/**
 * A webapi workload: the shared Fargate service (Spot with an on-demand base, circuit breaker, CPU and request-count
 * autoscaling, container health check) behind an authenticating entry point, with its own Cognito user pool (or a
 * given one), a resource server per `resourceServers` entry and a machine client (client credentials, all scopes).
 *
 * The container also receives `AUTH_ISSUER` (`https://cognito-idp.<region>.amazonaws.com/<poolId>`) and
 * `AUTH_JWKS_URI` (`<AUTH_ISSUER>/.well-known/jwks.json`). A token reaches the app unchanged in `Authorization`.
 *
 * **Cost**: the ALB (hourly + LCUs), Fargate tasks, the access-log bucket; with `apiGateway` also the HTTP API per
 * million requests and a second (internal) ALB instead of the public one. Cognito machine-to-machine tokens are
 * billed per client and per token request.
 */
export class WebApi extends Construct implements ec2.IConnectable {
  /** Base URL clients call: `https://<domainName>`, or the load balancer's / API's own address. */
  readonly url: string;
  readonly entry: WebApiEntry;
  readonly port!: number;
  readonly service!: ecs.FargateService;
  readonly taskDefinition!: ecs.FargateTaskDefinition;
  readonly container!: ecs.ContainerDefinition;
  readonly securityGroup!: ec2.SecurityGroup;
  readonly connections!: ec2.Connections;
  readonly logGroup!: logs.ILogGroup;
  readonly taskRole!: iam.IRole;
  readonly executionRole!: iam.IRole;
  readonly scaling!: ecs.ScalableTaskCount;
  /** Internet-facing (entry `alb`) or internal (entry `apiGateway`). */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly accessLogsBucket: s3.IBucket;
  readonly certificate?: acm.ICertificate;
  readonly userPool: cognito.IUserPool;
  readonly userPoolDomain: cognito.UserPoolDomain;
  readonly resourceServers: readonly cognito.UserPoolResourceServer[];
  /** Client-credentials client allowed every scope; its secret is read from Cognito (DescribeUserPoolClient). */
  readonly machineClient: cognito.UserPoolClient;
  /** Every scope, e.g. `orders/read`. */
  readonly scopes: readonly string[];
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Where machine clients get tokens: `<Cognito domain>/oauth2/token`. */
  readonly tokenUrl: string;
  /** Entry `apiGateway` only. */
  readonly httpApi?: apigwv2.HttpApi;
  readonly vpcLink?: apigwv2.VpcLink;
  readonly vpcLinkSecurityGroup?: ec2.SecurityGroup;
  readonly apiAccessLogGroup?: logs.ILogGroup;
  readonly aliasRecord?: route53.ARecord;

  constructor(scope: Construct, id: string, props: WebApiProps) {
    super(scope, id);
    const settings = normalizeWebSettings(this, props);
    this.entry = props.entry ?? 'alb';
    if (props.resourceServers.length === 0 || props.resourceServers.some((s) => s.scopes.length === 0)) {
      throw new ConstructValidationError(
        this,
        'resourceServers needs at least one server with scopes (system.resourceServers): client credentials ' +
          'tokens carry only custom scopes',
      );
    }
    this.certificate = resolveCertificate(this, props);
    if (this.entry === 'alb' && !this.certificate) {
      throw new ConstructValidationError(
        this,
        'entry "alb" validates tokens on an HTTPS listener, which needs a certificate: pass certificate, or ' +
          'domainName with hostedZone (or use entry "apiGateway")',
      );
    }
    const vpc = props.vpc ?? props.cluster.vpc;

    ({ userPool: this.userPool, userPoolDomain: this.userPoolDomain } = resolveUserPool(this, props));
    const { servers, oauthScopes, scopes } = this.createResourceServers(props.resourceServers);
    this.resourceServers = servers;
    this.scopes = scopes;
    this.machineClient = new cognito.UserPoolClient(this, 'MachineClient', {
      userPool: this.userPool,
      generateSecret: true,
      oAuth: { flows: { clientCredentials: true }, scopes: oauthScopes },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    for (const server of servers) this.machineClient.node.addDependency(server);
    this.issuer = `https://cognito-idp.${regionOf(this)}.amazonaws.com/${this.userPool.userPoolId}`;
    this.jwksUri = `${this.issuer}/.well-known/jwks.json`;
    this.tokenUrl = `${this.userPoolDomain.baseUrl()}/oauth2/token`;

    let parts: LoadBalancerParts;
    if (this.entry === 'alb') {
      parts = createLoadBalancer(this, {
        workload: props.workload,
        vpc,
        subnets: props.loadBalancerSubnets ?? { subnetType: ec2.SubnetType.PUBLIC },
        internetFacing: true,
        certificate: this.certificate,
        settings,
        accessLogsBucket: props.accessLogsBucket,
        webAclArn: props.webAclArn,
        defaultAction: (targetGroup) =>
          elbv2.ListenerAction.authenticateJwt({
            issuer: this.issuer,
            jwksEndpoint: this.jwksUri,
            next: elbv2.ListenerAction.forward([targetGroup]),
          }),
      });
    } else {
      this.vpcLinkSecurityGroup = new ec2.SecurityGroup(this, 'VpcLinkSecurityGroup', {
        vpc,
        description: `${props.workload.name} API Gateway VPC Link: to the internal load balancer only`,
        allowAllOutbound: false,
      });
      parts = createLoadBalancer(this, {
        workload: props.workload,
        vpc,
        subnets: props.loadBalancerSubnets ?? props.subnets,
        internetFacing: false,
        settings,
        accessLogsBucket: props.accessLogsBucket,
        webAclArn: props.webAclArn,
        allowedPeers: [{ peer: this.vpcLinkSecurityGroup, description: 'HTTP from the API Gateway VPC Link only' }],
        defaultAction: (targetGroup) => elbv2.ListenerAction.forward([targetGroup]),
      });
      this.vpcLinkSecurityGroup.addEgressRule(
        parts.securityGroup,
        ec2.Port.tcp(80),
        'HTTP to the internal load balancer',
      );
    }
    this.loadBalancer = parts.loadBalancer;
    this.loadBalancerSecurityGroup = parts.securityGroup;
    this.listener = parts.listener;
    this.targetGroup = parts.targetGroup;
    this.accessLogsBucket = parts.accessLogsBucket;

    const built = createLoadBalancedService(this, props, {
      // A scheduledjob with a service trigger (the trigger switch) is served exactly like a webapi.
      kind: props.workload.trigger?.type === 'service' ? 'scheduledjob' : 'webapi',
      constructName: 'WebApi',
      contractEnvironment: { AUTH_ISSUER: this.issuer, AUTH_JWKS_URI: this.jwksUri },
      targetGroup: this.targetGroup,
      settings,
    });
    exposeWorkloadService(this, built, built.service.connections);

    if (this.entry === 'alb') {
      this.url = `https://${props.domainName ?? this.loadBalancer.loadBalancerDnsName}`;
      if (props.hostedZone && props.domainName) {
        this.aliasRecord = new route53.ARecord(this, 'AliasRecord', {
          zone: props.hostedZone,
          recordName: props.domainName,
          target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
        });
      }
    } else {
      this.apiAccessLogGroup = props.apiAccessLogGroup ?? createLogGroup(this, 'ApiAccessLogGroup', props);
      const api = this.createHttpApi(props, this.apiAccessLogGroup);
      this.vpcLink = api.vpcLink;
      this.httpApi = api.httpApi;
      this.aliasRecord = api.aliasRecord;
      this.url = api.url;
    }
  }

  private createResourceServers(declarations: readonly ResourceServerDeclaration[]) {
    const servers: cognito.UserPoolResourceServer[] = [];
    const oauthScopes: cognito.OAuthScope[] = [];
    const scopes: string[] = [];
    for (const declaration of declarations) {
      const serverScopes = declaration.scopes.map(
        (scopeName) =>
          new cognito.ResourceServerScope({ scopeName, scopeDescription: `${declaration.identifier} ${scopeName}` }),
      );
      const server = new cognito.UserPoolResourceServer(this, `ResourceServer${declaration.identifier}`, {
        userPool: this.userPool,
        identifier: declaration.identifier,
        scopes: serverScopes,
      });
      servers.push(server);
      for (const scope of serverScopes) {
        oauthScopes.push(cognito.OAuthScope.resourceServer(server, scope));
        scopes.push(`${declaration.identifier}/${scope.scopeName}`);
      }
    }
    return { servers, oauthScopes, scopes };
  }

  private createHttpApi(props: WebApiProps, accessLogGroup: logs.ILogGroup) {
    const vpcLink = new apigwv2.VpcLink(this, 'VpcLink', {
      vpc: props.vpc ?? props.cluster.vpc,
      subnets: props.loadBalancerSubnets ?? props.subnets,
      securityGroups: [this.vpcLinkSecurityGroup as ec2.SecurityGroup],
    });
    const domainName =
      props.domainName && this.certificate
        ? new apigwv2.DomainName(this, 'ApiDomainName', {
            domainName: props.domainName,
            certificate: this.certificate,
          })
        : undefined;
    const rateLimit = props.apiRateLimit ?? 100;
    const httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: `${props.workload.name}: Cognito JWT authorizer, VPC Link to the internal load balancer`,
      createDefaultStage: false,
      // With a custom domain, clients must use it (the certificate's name), not the execute-api address.
      disableExecuteApiEndpoint: domainName !== undefined,
      defaultIntegration: new integrations.HttpAlbIntegration('LoadBalancer', this.listener, { vpcLink }),
      defaultAuthorizer: new authorizers.HttpUserPoolAuthorizer('Authorizer', this.userPool, {
        userPoolClients: [this.machineClient],
      }),
      defaultAuthorizationScopes: [...this.scopes],
    });
    httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogGroup),
      },
      throttle: { rateLimit, burstLimit: rateLimit * 2 },
      domainMapping: domainName ? { domainName } : undefined,
    });
    const aliasRecord =
      domainName && props.hostedZone
        ? new route53.ARecord(this, 'AliasRecord', {
            zone: props.hostedZone,
            recordName: props.domainName,
            target: route53.RecordTarget.fromAlias(
              new targets.ApiGatewayv2DomainProperties(domainName.regionalDomainName, domainName.regionalHostedZoneId),
            ),
          })
        : undefined;
    const url = domainName ? `https://${props.domainName}` : httpApi.apiEndpoint;
    return { vpcLink, httpApi, aliasRecord, url };
  }
}
