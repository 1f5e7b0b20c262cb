// The oneoff workload: database migrations and data imports, run as an ECS RunTask that exits.

import { defineWorkload } from '@hello-fargate/workload';

export const oneoff = defineWorkload({
  name: 'oneoff',
  kind: 'oneoff',
  description: 'Database migrations and CSV data imports; runs before services start and on demand',
  directory: new URL('.', import.meta.url),
  entry: 'apps/main.ts',
  command: ['migrate'],
  cpu: 256,
  memory: 512,
  dependsOn: { database: true },
  stopTimeoutSeconds: 30,
  preDeploy: [['migrate']],
  // Locally, `npm start` also loads the sample customers and products so the demo works at once (idempotent).
  localSeed: [['import']],
  assets: ['migrations', 'data'],
});
