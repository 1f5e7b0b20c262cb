// Options and results of the local load balancer (ALB stand-in), and the one place their defaults are resolved.

/** A registered target: one running replica of the workload. */
export interface LoadBalancerTarget {
  /** Stable id of the replica (the task id); a target that leaves `targets()` is deregistered. */
  readonly id: string;
  /** Base URL of the replica, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
}

/**
 * Target group health check with ALB semantics. The ranges given are ALB's; they are validated where the workload is
 * declared, not here, so tests may use shorter intervals (e.g. 0.1 s).
 */
export interface TargetGroupHealthCheck {
  /** Path probed with `GET` on each target. */
  readonly path: string;
  /** Seconds between probes of one target (ALB: 5–300). @default 30 */
  readonly intervalSeconds?: number;
  /** A probe slower than this fails (ALB: 2–120). @default 5 */
  readonly timeoutSeconds?: number;
  /** Consecutive passes that make a target healthy (ALB: 2–10). @default 5 */
  readonly healthyThresholdCount?: number;
  /** Consecutive failures that make a target unhealthy (ALB: 2–10). @default 2 */
  readonly unhealthyThresholdCount?: number;
  /** Status codes that pass: `'200'`, `'200,202'` or `'200-299'`. @default '200' */
  readonly matcher?: string;
}

/** ALB `jwt-validation` additional claim. */
export interface JwtAdditionalClaim {
  readonly format: 'single-string' | 'string-array' | 'space-separated-values';
  readonly name: string;
  /** The claim passes when it holds (single-string: equals) at least one of these values. */
  readonly values: readonly string[];
}

export interface ForwardAction {
  readonly type: 'forward';
}

/** ALB `jwt-validation`: a valid RS256 bearer token or 401, then forward. */
export interface JwtValidationAction {
  readonly type: 'jwt-validation';
  readonly issuer: string;
  readonly jwksEndpoint: string;
  /** @default - no additional claims */
  readonly additionalClaims?: readonly JwtAdditionalClaim[];
}

/** ALB `authenticate-oidc` (and `authenticate-cognito`, which is the same flow against Cognito's endpoints). */
export interface AuthenticateOidcAction {
  readonly type: 'authenticate-oidc';
  /** Issuer; its discovery document is read from `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** @default 'openid' */
  readonly scope?: string;
  /** @default 604800 (7 days) */
  readonly sessionTimeoutSeconds?: number;
  /** @default 'authenticate' */
  readonly onUnauthenticatedRequest?: 'authenticate' | 'deny' | 'allow';
  /** Cookies are named `<name>-0`, `<name>-1`, … @default 'AWSELBAuthSessionCookie' */
  readonly sessionCookieName?: string;
}

export type LoadBalancerAction = ForwardAction | JwtValidationAction | AuthenticateOidcAction;

export interface LoadBalancerOptions {
  /** Load balancer name, part of its ARN (`…:loadbalancer/app/<name>/<16 hex>`). */
  readonly name: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Listener port. @default 0 (a free port; read it from `url`) */
  readonly port?: number;
  /** The current replicas; called on each request and each health check round. */
  readonly targets: () => readonly LoadBalancerTarget[];
  readonly healthCheck: TargetGroupHealthCheck;
  readonly action: LoadBalancerAction;
  /** Seconds a connection to a target may stay idle before the request fails with 504. @default 60 */
  readonly idleTimeoutSeconds?: number;
  /**
   * Region in the ARN. aws-jwt-verify's `AlbJwtVerifier` rejects ARNs whose region is not AWS-shaped
   * (e.g. `local`); pass `us-east-1` if the application verifies `x-amzn-oidc-data` with it.
   * @default 'local'
   */
  readonly region?: string;
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

/** One row of DescribeTargetHealth. */
export interface TargetHealth {
  readonly id: string;
  readonly url: string;
  readonly state: TargetHealthState;
  /** ALB reason code (`Elb.InitialHealthChecking`, `Target.ResponseCodeMismatch`, …); undefined when healthy. */
  readonly reason: string | undefined;
  /** ALB-style description of the reason. */
  readonly description: string | undefined;
}

export interface LoadBalancer {
  /** Listener URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** `arn:aws:elasticloadbalancing:<region>:000000000000:loadbalancer/app/<name>/<16 hex>` (the `signer`). */
  readonly arn: string;
  /** Public keys endpoint; the key of `x-amzn-oidc-data` is a PEM at `<keysUrl>/<kid>`. */
  readonly keysUrl: string;
  targetHealth(): TargetHealth[];
  /** Requests the listener has received since it started, answered or not (the console's request rate). */
  requestCount(): number;
  close(): Promise<void>;
}

export type ResolvedHealthCheck = Required<TargetGroupHealthCheck>;

export interface ResolvedOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly targets: () => readonly LoadBalancerTarget[];
  readonly healthCheck: ResolvedHealthCheck;
  readonly action: LoadBalancerAction;
  readonly idleTimeoutSeconds: number;
  readonly region: string;
}

export type ResolvedOidcAction = Required<AuthenticateOidcAction>;

export function resolveOptions(options: LoadBalancerOptions): ResolvedOptions {
  const { healthCheck } = options;
  return {
    name: options.name,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    targets: options.targets,
    healthCheck: {
      path: healthCheck.path,
      intervalSeconds: healthCheck.intervalSeconds ?? 30,
      timeoutSeconds: healthCheck.timeoutSeconds ?? 5,
      healthyThresholdCount: healthCheck.healthyThresholdCount ?? 5,
      unhealthyThresholdCount: healthCheck.unhealthyThresholdCount ?? 2,
      matcher: healthCheck.matcher ?? '200',
    },
    action: options.action,
    idleTimeoutSeconds: options.idleTimeoutSeconds ?? 60,
    region: options.region ?? 'local',
  };
}

export function resolveOidcAction(action: AuthenticateOidcAction): ResolvedOidcAction {
  return {
    ...action,
    scope: action.scope ?? 'openid',
    sessionTimeoutSeconds: action.sessionTimeoutSeconds ?? 604_800,
    onUnauthenticatedRequest: action.onUnauthenticatedRequest ?? 'authenticate',
    sessionCookieName: action.sessionCookieName ?? 'AWSELBAuthSessionCookie',
  };
}
