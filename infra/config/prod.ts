// config.prod: the production environment.

import type { EnvironmentOverrides } from './environment-config.js';

export const prod: EnvironmentOverrides = {
  name: 'prod',
  // Placeholder: replace with your production account id.
  account: '222222222222',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  natGateways: 2,
  terminationProtection: true,
  logRetentionDays: 365,
  database: { minCapacity: 0.5, maxCapacity: 8, deletionProtection: true },
  // Placeholder: replace with a public hosted zone of yours (web workloads get <name>.<zoneName>).
  dns: { zoneName: 'hello-fargate.example.com', hostedZoneId: 'Z00000000000000000002' },
  tags: { Environment: 'prod' },
};
