// config.staging: a disposable, low-cost environment for trying changes before prod.

import type { EnvironmentOverrides } from './environment-config.js';

export const staging: EnvironmentOverrides = {
  name: 'staging',
  // Placeholder: replace with your staging account id.
  account: '111111111111',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  // One NAT gateway: an AZ outage may cut the app subnets' egress, acceptable for staging.
  natGateways: 1,
  terminationProtection: false,
  logRetentionDays: 14,
  // Disposable: `hf destroy --env staging` must be able to delete the cluster (a final snapshot is still taken).
  database: { minCapacity: 0.5, maxCapacity: 2, deletionProtection: false },
  loadBalancerDeletionProtection: false,
  // Placeholder: replace with a public hosted zone of yours (web workloads get <name>.<zoneName>).
  dns: { zoneName: 'staging.hello-fargate.example.com', hostedZoneId: 'Z00000000000000000001' },
  tags: { Environment: 'staging' },
};
