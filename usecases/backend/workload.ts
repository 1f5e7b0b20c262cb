// The backend workload: the internal orders API (customers, products, orders), reached through Service Connect.

import { defineWorkload } from '@hello-fargate/workload';

export const backend = defineWorkload({
  name: 'backend',
  kind: 'backend',
  description: 'Internal JSON API over customers, products and orders; totals computed server-side in integer cents',
  directory: new URL('.', import.meta.url),
  entry: 'apps/main.ts',
  port: 8080,
  cpu: 256,
  memory: 512,
  desiredCount: 2,
  minCount: 2,
  maxCount: 6,
  healthCheck: { path: '/health' },
  serviceConnect: { dnsName: 'backend' },
  // order-events: the outbox relay publishes order events there (ORDER_EVENTS_QUEUE_URL).
  dependsOn: { database: true, queues: ['order-events'] },
  stopTimeoutSeconds: 30,
});
