// The webapi workload: the partner JSON API (orders), behind a load balancer that validates Cognito access tokens.

import { defineWorkload } from '@hello-fargate/workload';

export const webapi = defineWorkload({
  name: 'webapi',
  kind: 'webapi',
  description: 'Partner JSON API over orders; Cognito client-credentials tokens with orders/read and orders/write',
  directory: new URL('.', import.meta.url),
  entry: 'apps/main.ts',
  port: 8080,
  cpu: 256,
  memory: 512,
  desiredCount: 2,
  minCount: 2,
  maxCount: 10,
  healthCheck: { path: '/health' },
  loadBalancer: { authentication: 'jwt' },
  dependsOn: { workloads: ['backend'] },
  stopTimeoutSeconds: 30,
});
