// The props WebApi and WebApp share: domain and certificate, the load balancer's settings, and the Cognito user pool.

import type { Duration } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { WorkloadServiceProps } from './workload-service-props.js';

export interface WebServiceProps extends WorkloadServiceProps {
  /**
   * Host name clients use, e.g. `api.example.com`. With `hostedZone` (and no `certificate`) a DNS-validated ACM
   * certificate is created for it, and an alias record pointing at the entry point.
   * @default - none (the load balancer's or API's own DNS name)
   */
  readonly domainName?: string;
  /**
   * Route 53 public zone holding `domainName`: validates the created certificate and receives the alias record.
   * @default - none: no record; a certificate must then be passed
   */
  readonly hostedZone?: route53.IHostedZone;
  /**
   * Certificate of the HTTPS listener (it must cover `domainName`).
   * @default - a new DNS-validated certificate for `domainName` in `hostedZone`
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Subnets of the load balancer.
   * @default - the VPC's public subnets (internet-facing load balancers)
   */
  readonly loadBalancerSubnets?: ec2.SubnetSelection;
  /**
   * Refuse to delete the load balancer until this is turned off (prod keeps it on; config decides).
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Bucket receiving the load balancer's access logs (SSE-S3: ALB access logs cannot use KMS keys).
   * @default - a new bucket: SSE-S3, TLS only, no public access, objects expire after `accessLogRetentionDays`
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Days the default access-log bucket keeps objects.
   * @default 90
   */
  readonly accessLogRetentionDays?: number;
  /**
   * ARN of a regional AWS WAF web ACL to associate with the load balancer.
   * @default - none
   */
  readonly webAclArn?: string;
  /**
   * Time the target group waits for in-flight requests of a deregistering task (at most 120 s: Fargate Spot gives
   * two minutes' warning).
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Requests per task per minute (ALBRequestCountPerTarget) autoscaling aims at, besides the CPU target.
   * @default 1000
   */
  readonly requestsPerTarget?: number;
  /**
   * Existing user pool to add this workload's clients (and, for WebApi, resource servers) to, e.g. to let a webapp
   * and a webapi share users. Pass `userPoolDomain` with it.
   * @default - a new user pool for this workload
   */
  readonly userPool?: cognito.IUserPool;
  /**
   * The Cognito domain of `userPool` (hosted sign-in for WebApp, the token endpoint for WebApi's machine clients).
   * @default - a new Cognito prefix domain `domainPrefix` on the new user pool
   */
  readonly userPoolDomain?: cognito.UserPoolDomain;
  /**
   * Prefix of the new Cognito domain (`https://<prefix>.auth.<region>.amazoncognito.com`); unique in the region.
   * @default - derived from the construct path
   */
  readonly domainPrefix?: string;
  /**
   * Feature plan of the new user pool. PLUS adds threat protection (adaptive authentication, compromised
   * credentials) at a per-user price.
   * @default cognito.FeaturePlan.ESSENTIALS
   */
  readonly featurePlan?: cognito.FeaturePlan;
}
