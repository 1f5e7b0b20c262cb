// The webapp workload: server-rendered order pages behind an ALB that signs users in with Cognito.

import { defineWorkload } from '@hello-fargate/workload';

export const webapp = defineWorkload({
  name: 'webapp',
  kind: 'webapp',
  description: 'Server-rendered pages where signed-in customers place orders and follow them; calls the backend',
  directory: new URL('.', import.meta.url),
  entry: 'apps/main.ts',
  port: 8080,
  cpu: 256,
  memory: 512,
  desiredCount: 2,
  minCount: 2,
  maxCount: 10,
  healthCheck: { path: '/health' },
  loadBalancer: { authentication: 'cognito' },
  dependsOn: { workloads: ['backend'] },
  stopTimeoutSeconds: 30,
});
