// WebApp: a webapp workload behind an internet-facing ALB that signs users in with Cognito (authenticate-cognito).

import { Duration } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as actions from 'aws-cdk-lib/aws-elasticloadbalancingv2-actions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import {
  createLoadBalancedService,
  createLoadBalancer,
  normalizeWebSettings,
  regionOf,
  resolveCertificate,
  resolveUserPool,
} from './private/web-entry.js';
import { exposeWorkloadService } from './private/workload-service.js';
import type { WebServiceProps } from './web-service-props.js';

/** The path the ALB receives the authorization code on (fixed by ALB). */
export const IDP_RESPONSE_PATH = '/oauth2/idpresponse';

/** Claims the ALB asks Cognito for; userinfo then returns them in `x-amzn-oidc-data`. */
const OIDC_SCOPES = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE];

export interface WebAppProps extends WebServiceProps {
  /** Host name users open, e.g. `app.example.com`: the HTTPS listener's name and the Cognito callback's host. */
  readonly domainName: string;
  /**
   * Longest a sign-in lasts before the ALB sends the user to Cognito again (ALB allows 1 s to 7 days).
   * @default Duration.days(7)
   */
  readonly sessionTimeout?: Duration;
  /**
   * Path on the app Cognito's logout returns the browser to (must be listed on the client, so it is fixed here).
   * @default '/'
   */
  readonly signedOutPath?: string;
}

/**
 * A webapp workload: the shared Fargate service behind an internet-facing ALB whose HTTPS listener runs
 * `authenticate-cognito` (on-unauthenticated `authenticate`: redirect to sign-in) and then forwards, with the
 * `x-amzn-oidc-*` headers set. Port 80 redirects to 443. A Cognito user pool (invite only, MFA required), a Cognito
 * prefix domain and an app client (authorization code grant, callback `https://<domainName>/oauth2/idpresponse`).
 *
 * The container also receives `OIDC_ISSUER` (the pool issuer), `OIDC_CLIENT_ID`, `ALB_ARN`, `ALB_KEYS_URL`
 * (`https://public-keys.auth.elb.<region>.amazonaws.com`) and `LOGOUT_URL`
 * (`<Cognito domain>/logout?client_id=…&logout_uri=https://<domainName>/`), to verify `x-amzn-oidc-data` and sign out.
 *
 * **Cost**: the ALB (hourly + LCUs), Fargate tasks, the access-log bucket; Cognito per monthly active user beyond the
 * free tier.
 */
export class WebApp extends Construct implements ec2.IConnectable {
  /** `https://<domainName>`. */
  readonly url: string;
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
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** The HTTPS listener (authenticate-cognito, then forward). */
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly accessLogsBucket: s3.IBucket;
  readonly certificate: acm.ICertificate;
  readonly userPool: cognito.IUserPool;
  readonly userPoolDomain: cognito.UserPoolDomain;
  /** The app client the ALB signs users in with. */
  readonly userPoolClient: cognito.UserPoolClient;
  readonly issuer: string;
  readonly logoutUrl: string;
  readonly aliasRecord?: route53.ARecord;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    const settings = normalizeWebSettings(this, props);
    const sessionTimeout = props.sessionTimeout ?? Duration.days(7);
    const sessionSeconds = sessionTimeout.toSeconds();
    if (sessionSeconds < 1 || sessionSeconds > 604800) {
      throw new ConstructValidationError(this, `sessionTimeout ${sessionSeconds} s must be 1 s to 7 days`);
    }
    const signedOutPath = props.signedOutPath ?? '/';
    if (!signedOutPath.startsWith('/')) {
      throw new ConstructValidationError(this, `signedOutPath "${signedOutPath}" must start with "/"`);
    }
    const certificate = resolveCertificate(this, props);
    if (!certificate) {
      throw new ConstructValidationError(
        this,
        'authenticate-cognito runs on HTTPS listeners only: pass certificate, or hostedZone to create one for domainName',
      );
    }
    this.certificate = certificate;
    this.url = `https://${props.domainName}`;
    const vpc = props.vpc ?? props.cluster.vpc;

    ({ userPool: this.userPool, userPoolDomain: this.userPoolDomain } = resolveUserPool(this, props));
    const signedOutUrl = `${this.url}${signedOutPath}`;
    this.userPoolClient = new cognito.UserPoolClient(this, 'Client', {
      userPool: this.userPool,
      // The ALB is a confidential client: it exchanges the code with the secret.
      generateSecret: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: OIDC_SCOPES,
        callbackUrls: [`${this.url}${IDP_RESPONSE_PATH}`],
        logoutUrls: [signedOutUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    this.issuer = `https://cognito-idp.${regionOf(this)}.amazonaws.com/${this.userPool.userPoolId}`;
    this.logoutUrl =
      `${this.userPoolDomain.baseUrl()}/logout?client_id=${this.userPoolClient.userPoolClientId}` +
      `&logout_uri=${encodeURIComponent(signedOutUrl)}`;

    const parts = createLoadBalancer(this, {
      workload: props.workload,
      vpc,
      subnets: props.loadBalancerSubnets ?? { subnetType: ec2.SubnetType.PUBLIC },
      internetFacing: true,
      certificate,
      settings,
      accessLogsBucket: props.accessLogsBucket,
      webAclArn: props.webAclArn,
      defaultAction: (targetGroup) =>
        new actions.AuthenticateCognitoAction({
          userPool: this.userPool,
          userPoolClient: this.userPoolClient,
          userPoolDomain: this.userPoolDomain,
          scope: OIDC_SCOPES.map((s) => s.scopeName).join(' '),
          onUnauthenticatedRequest: elbv2.UnauthenticatedAction.AUTHENTICATE,
          sessionTimeout,
          // createLoadBalancer already lets the load balancer reach Cognito over HTTPS.
          allowHttpsOutbound: false,
          next: elbv2.ListenerAction.forward([targetGroup]),
        }),
    });
    this.loadBalancer = parts.loadBalancer;
    this.loadBalancerSecurityGroup = parts.securityGroup;
    this.listener = parts.listener;
    this.targetGroup = parts.targetGroup;
    this.accessLogsBucket = parts.accessLogsBucket;
    // Browsers typing the bare host name land on HTTP; send them to the authenticated listener.
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });

    const built = createLoadBalancedService(this, props, {
      kind: 'webapp',
      constructName: 'WebApp',
      contractEnvironment: {
        OIDC_ISSUER: this.issuer,
        OIDC_CLIENT_ID: this.userPoolClient.userPoolClientId,
        ALB_ARN: this.loadBalancer.loadBalancerArn,
        ALB_KEYS_URL: `https://public-keys.auth.elb.${regionOf(this)}.amazonaws.com`,
        LOGOUT_URL: this.logoutUrl,
      },
      targetGroup: this.targetGroup,
      settings,
    });
    exposeWorkloadService(this, built, built.service.connections);

    if (props.hostedZone) {
      this.aliasRecord = new route53.ARecord(this, 'AliasRecord', {
        zone: props.hostedZone,
        recordName: props.domainName,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
      });
    }
  }
}
