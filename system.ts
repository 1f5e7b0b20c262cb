// The system: which workloads it is made of and how they are wired. Read by the CDK app and the local runner.

import { defineSystem } from '@hello-fargate/workload';
import { oneoff } from './usecases/oneoff/workload.js';

export const system = defineSystem({
  name: 'hello-fargate',
  workloads: [oneoff],
});
