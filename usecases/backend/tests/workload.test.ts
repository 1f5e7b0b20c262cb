// The backend declaration: what the runner and the CDK stack read.

import { serviceUrlVariable } from '@hello-fargate/workload';
import { describe, expect, it } from 'vitest';
import { backend } from '../workload.js';

describe('backend workload', () => {
  it('is a backend service of 2 to 6 small tasks on port 8080, reached as http://backend:8080', () => {
    expect(backend).toMatchObject({
      name: 'backend',
      kind: 'backend',
      entry: 'apps/main.ts',
      port: 8080,
      cpu: 256,
      memory: 512,
      desiredCount: 2,
      minCount: 2,
      maxCount: 6,
      serviceConnect: { dnsName: 'backend' },
      dependsOn: { database: true, queues: ['order-events'], workloads: [] },
      stopTimeoutSeconds: 30,
      isService: true,
    });
    expect(backend.healthCheck?.path).toBe('/health');
    expect(serviceUrlVariable(backend.name)).toBe('BACKEND_URL');
  });
});
