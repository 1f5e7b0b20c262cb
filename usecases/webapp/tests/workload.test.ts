import { defineSystem, serviceUrlVariable } from '@hello-fargate/workload';
import { describe, expect, it } from 'vitest';
import { orderEventsQueue } from '../../backgroundjobs/workload.js';
import { backend } from '../../backend/workload.js';
import { webapp } from '../workload.js';

describe('webapp declaration', () => {
  it('is a webapp service of 2 to 10 tasks on port 8080 behind an ALB that signs users in with Cognito', () => {
    expect(webapp).toMatchObject({
      name: 'webapp',
      kind: 'webapp',
      port: 8080,
      desiredCount: 2,
      minCount: 2,
      maxCount: 10,
      stopTimeoutSeconds: 30,
      loadBalancer: { authentication: 'cognito', localPort: 8080 },
      dependsOn: { database: false, workloads: ['backend'], queues: [] },
      secrets: [],
    });
    expect(webapp.healthCheck?.path).toBe('/health');
    expect(webapp.entry).toBe('apps/main.ts');
  });

  it('fits a system with the backend it calls, which gives it BACKEND_URL', () => {
    const system = defineSystem({ name: 'check', workloads: [backend, webapp], queues: [orderEventsQueue] });
    expect(system.workload('webapp').dependsOn.workloads).toEqual(['backend']);
    expect(serviceUrlVariable('backend')).toBe('BACKEND_URL');
  });
});
