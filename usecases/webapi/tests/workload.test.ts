// The webapi declaration: what the runner and the CDK stack read.

import { serviceUrlVariable } from '@hello-fargate/workload';
import { describe, expect, it } from 'vitest';
import { webapi } from '../workload.js';

describe('webapi workload', () => {
  it('is a webapi of 2 to 10 tasks on port 8080 behind jwt-validation, calling the backend', () => {
    expect(webapi).toMatchObject({
      name: 'webapi',
      kind: 'webapi',
      entry: 'apps/main.ts',
      port: 8080,
      desiredCount: 2,
      minCount: 2,
      maxCount: 10,
      loadBalancer: { authentication: 'jwt', localPort: 8081 },
      dependsOn: { database: false, queues: [], workloads: ['backend'] },
      stopTimeoutSeconds: 30,
      isService: true,
    });
    expect(webapi.healthCheck?.path).toBe('/health');
    expect(webapi.dependsOn.workloads.map(serviceUrlVariable)).toEqual(['BACKEND_URL']);
  });
});
