// Public API of the local load balancer (ALB stand-in).

export { JWT_CLOCK_TOLERANCE_SECONDS } from './jwt-validator.js';
export type {
  AuthenticateOidcAction,
  ForwardAction,
  JwtAdditionalClaim,
  JwtValidationAction,
  LoadBalancer,
  LoadBalancerAction,
  LoadBalancerOptions,
  LoadBalancerTarget,
  TargetGroupHealthCheck,
  TargetHealth,
  TargetHealthState,
} from './load-balancer-options.js';
export { paddedBase64Url } from './oidc-data-signer.js';
export { startLoadBalancer } from './start-load-balancer.js';
