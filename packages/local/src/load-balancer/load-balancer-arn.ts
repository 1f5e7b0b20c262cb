// The local load balancer's ARN, shaped like ALB's: the `signer` of x-amzn-oidc-data and the app's ALB_ARN.

import { randomBytes } from 'node:crypto';

export function loadBalancerArn(name: string, region: string): string {
  return `arn:aws:elasticloadbalancing:${region}:000000000000:loadbalancer/app/${name}/${randomBytes(8).toString('hex')}`;
}
