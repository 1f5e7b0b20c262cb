// What WebApi and WebApp build in front of their service: user pool, certificate, load balancer with access logs,
// target group, listener, alias record and optional WAF; and the service behind the target group.

import type { Workload, WorkloadKind } from '@hello-fargate/workload';
import { Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { ConstructValidationError } from '../construct-validation-error.js';
import type { WebServiceProps } from '../web-service-props.js';
import { createWorkloadService, type WorkloadService } from './workload-service.js';

/** WebServiceProps' own settings with defaults resolved. */
export interface WebSettings {
  readonly deregistrationDelay: Duration;
  readonly requestsPerTarget: number;
  readonly accessLogRetentionDays: number;
  readonly deletionProtection: boolean;
}

/** Resolves and checks WebServiceProps' defaults; ConstructValidationError naming `scope` otherwise. */
export function normalizeWebSettings(scope: Construct, props: WebServiceProps): WebSettings {
  const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(30);
  const delaySeconds = deregistrationDelay.toSeconds();
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 120) {
    throw new ConstructValidationError(
      scope,
      `deregistrationDelay ${delaySeconds} s must be 0–120 s: Fargate Spot stops a task two minutes after warning`,
    );
  }
  const requestsPerTarget = props.requestsPerTarget ?? 1000;
  if (!Number.isInteger(requestsPerTarget) || requestsPerTarget < 1) {
    throw new ConstructValidationError(scope, `requestsPerTarget ${requestsPerTarget} must be a positive integer`);
  }
  const accessLogRetentionDays = props.accessLogRetentionDays ?? 90;
  if (!Number.isInteger(accessLogRetentionDays) || accessLogRetentionDays < 1) {
    throw new ConstructValidationError(scope, `accessLogRetentionDays ${accessLogRetentionDays} must be at least 1`);
  }
  if ((props.userPool === undefined) !== (props.userPoolDomain === undefined)) {
    throw new ConstructValidationError(scope, 'pass userPool and userPoolDomain together (the domain of that pool)');
  }
  if (props.hostedZone && !props.domainName) {
    throw new ConstructValidationError(scope, 'hostedZone was given without domainName; pass the host name too');
  }
  return {
    deregistrationDelay,
    requestsPerTarget,
    accessLogRetentionDays,
    deletionProtection: props.deletionProtection ?? true,
  };
}

/** The user pool and domain the workload uses: the given ones, or new ones with this project's security settings. */
export function resolveUserPool(
  scope: Construct,
  props: WebServiceProps,
): { userPool: cognito.IUserPool; userPoolDomain: cognito.UserPoolDomain } {
  if (props.userPool && props.userPoolDomain) {
    return { userPool: props.userPool, userPoolDomain: props.userPoolDomain };
  }
  const featurePlan = props.featurePlan ?? cognito.FeaturePlan.ESSENTIALS;
  const userPool = new cognito.UserPool(scope, 'UserPool', {
    // Users are invited by an administrator; machine clients need no users at all.
    selfSignUpEnabled: false,
    signInAliases: { email: true },
    autoVerify: { email: true },
    passwordPolicy: {
      minLength: 12,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
      tempPasswordValidity: Duration.days(3),
    },
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    featurePlan,
    // Users and their MFA enrolment cannot be recreated from the template.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  if (featurePlan !== cognito.FeaturePlan.PLUS) {
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Threat protection needs the PLUS feature plan, billed per monthly active user; users are invited only ' +
        '(no self sign-up), MFA is required and passwords are strong. Set featurePlan PLUS to turn it on.',
    });
  }
  const domainPrefix =
    props.domainPrefix ?? Names.uniqueResourceName(scope, { maxLength: 63, separator: '-' }).toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix) || /aws|amazon|cognito/.test(domainPrefix)) {
    throw new ConstructValidationError(
      scope,
      `domainPrefix "${domainPrefix}" must be lower-case letters, digits and "-" without aws, amazon or cognito`,
    );
  }
  const userPoolDomain = userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
  return { userPool, userPoolDomain };
}

/** The HTTPS certificate: the given one, or a new DNS-validated one for domainName in hostedZone, or none. */
export function resolveCertificate(scope: Construct, props: WebServiceProps): acm.ICertificate | undefined {
  if (props.certificate) return props.certificate;
  if (props.domainName && props.hostedZone) {
    return new acm.Certificate(scope, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });
  }
  return undefined;
}

/** How the load balancer is reached. */
export interface LoadBalancerOptions {
  readonly workload: Workload;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Internet-facing (public subnets, 443 from anywhere) or internal (only from `allowedPeers`). */
  readonly internetFacing: boolean;
  /** HTTPS on 443 with this certificate; without one, HTTP on 80 (internal load balancers only). */
  readonly certificate?: acm.ICertificate;
  /** Who may reach the listener besides the internet for internet-facing ones (e.g. the VPC Link). */
  readonly allowedPeers?: readonly { peer: ec2.IPeer; description: string }[];
  /** The listener's default action, given the target group. */
  readonly defaultAction: (targetGroup: elbv2.ApplicationTargetGroup) => elbv2.ListenerAction;
  readonly settings: WebSettings;
  readonly accessLogsBucket?: s3.IBucket;
  readonly webAclArn?: string;
}

/** What createLoadBalancer made. */
export interface LoadBalancerParts {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly accessLogsBucket: s3.IBucket;
}

/**
 * An ALB with access logs, one listener (default action from the caller) and an ip target group on the workload's
 * port with its declared health check path.
 */
export function createLoadBalancer(scope: Construct, options: LoadBalancerOptions): LoadBalancerParts {
  const { workload, settings } = options;
  const port = workload.port as number;
  const healthCheck = workload.healthCheck as NonNullable<Workload['healthCheck']>;
  const listenerPort = options.certificate ? 443 : 80;

  const securityGroup = new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
    vpc: options.vpc,
    description: options.internetFacing
      ? `${workload.name} load balancer: HTTPS from the internet; to its tasks and the identity provider`
      : `${workload.name} internal load balancer: port ${listenerPort} from the listed peers only`,
    allowAllOutbound: false,
  });
  if (options.internetFacing) {
    securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(listenerPort), 'HTTPS from the internet');
    // jwt-validation fetches the JWKS and authenticate-cognito calls the Cognito token/userinfo endpoints.
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the identity provider');
    Validations.of(securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'This is the internet-facing entry point of the workload: only the TLS listener port (and the HTTP to ' +
        'HTTPS redirect, where present) is open to 0.0.0.0/0; the listener authenticates before forwarding.',
    });
  }
  for (const { peer, description } of options.allowedPeers ?? []) {
    securityGroup.addIngressRule(peer, ec2.Port.tcp(listenerPort), description);
  }

  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
    vpc: options.vpc,
    vpcSubnets: options.subnets,
    internetFacing: options.internetFacing,
    securityGroup,
    deletionProtection: settings.deletionProtection,
    dropInvalidHeaderFields: true,
    http2Enabled: true,
  });
  const accessLogsBucket = options.accessLogsBucket ?? createAccessLogsBucket(scope, settings.accessLogRetentionDays);
  loadBalancer.logAccessLogs(accessLogsBucket, workload.name);

  const targetGroup = new elbv2.ApplicationTargetGroup(scope, 'TargetGroup', {
    vpc: options.vpc,
    port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    deregistrationDelay: settings.deregistrationDelay,
    healthCheck: {
      path: healthCheck.path,
      interval: Duration.seconds(healthCheck.intervalSeconds),
      timeout: Duration.seconds(healthCheck.timeoutSeconds),
      healthyThresholdCount: 2,
      // ALB allows 2–10 failures; the container check's retries (1–10) is the closest declared value.
      unhealthyThresholdCount: Math.max(2, healthCheck.retries),
      healthyHttpCodes: '200',
    },
  });

  const listener = loadBalancer.addListener('Listener', {
    port: listenerPort,
    protocol: options.certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
    certificates: options.certificate ? [options.certificate] : undefined,
    sslPolicy: options.certificate ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
    // The rules above are the only ingress; CDK's `open` would add 0.0.0.0/0 to internal load balancers too.
    open: false,
    defaultAction: options.defaultAction(targetGroup),
  });

  if (options.webAclArn) {
    new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
      resourceArn: loadBalancer.loadBalancerArn,
      webAclArn: options.webAclArn,
    });
  }
  return { loadBalancer, securityGroup, listener, targetGroup, accessLogsBucket };
}

/** What WebApi and WebApp tell createLoadBalancedService about their service. */
export interface LoadBalancedServiceOptions {
  /** The kind the construct builds; another kind is refused. */
  readonly kind: WorkloadKind;
  /** The construct to name in errors about the wrong kind, e.g. `WebApi`. */
  readonly constructName: string;
  /** Contract environment the construct sets besides `PORT` and the backend URLs (`AUTH_ISSUER`, …). */
  readonly contractEnvironment: Readonly<Record<string, string>>;
  /** The load balancer's target group (createLoadBalancer's). */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly settings: WebSettings;
}

/**
 * The shared service (createWorkloadService) behind the load balancer: reachable from it only, load balancer health
 * checks ignored for the declared start period plus 30 s, registered in `targetGroup`, and scaled on the requests
 * per target (`Requests`) besides CPU.
 */
export function createLoadBalancedService(
  scope: Construct,
  props: WebServiceProps,
  options: LoadBalancedServiceOptions,
): WorkloadService {
  const built = createWorkloadService(scope, props, {
    kind: options.kind,
    constructName: options.constructName,
    contractEnvironment: options.contractEnvironment,
    healthCheckGracePeriod: Duration.seconds((props.workload.healthCheck?.startPeriodSeconds ?? 0) + 30),
    ingressDescription: 'its load balancer',
  });
  options.targetGroup.addTarget(
    built.service.loadBalancerTarget({ containerName: built.container.containerName, containerPort: built.port }),
  );
  built.scaling.scaleOnRequestCount('Requests', {
    requestsPerTarget: options.settings.requestsPerTarget,
    targetGroup: options.targetGroup,
    scaleOutCooldown: Duration.seconds(60),
    scaleInCooldown: Duration.seconds(300),
  });
  return built;
}

function createAccessLogsBucket(scope: Construct, retentionDays: number): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'AccessLogsBucket', {
    // ALB access logs support SSE-S3 only.
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: false,
    lifecycleRules: [{ expiration: Duration.days(retentionDays) }],
    // Access logs are an audit record: they outlive the stack and are deleted by a person.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This bucket only receives the load balancer access logs written by the ELB log delivery service; logging ' +
      'its own accesses would need a further bucket with the same finding, and CloudTrail records data events.',
  });
  return bucket;
}

/** Region of `scope`'s stack, e.g. for `public-keys.auth.elb.<region>.amazonaws.com`. */
export function regionOf(scope: Construct): string {
  return Stack.of(scope).region;
}
