// config.global: settings every environment shares unless its own file overrides them.

import type { GlobalConfig } from './environment-config.js';

export const globalConfig: GlobalConfig = {
  // The network plan: primary range for public/app subnets, a secondary range only for ECS task ENIs.
  vpcCidr: '10.0.0.0/16',
  ecsCidr: '172.10.0.0/16',
  logRetentionDays: 30,
  database: { minCapacity: 0.5, maxCapacity: 2, deletionProtection: true },
  loadBalancerDeletionProtection: true,
  tags: { System: 'hello-fargate', ManagedBy: 'aws-cdk' },
};
