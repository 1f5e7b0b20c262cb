// Which stack class deploys each workload, by workload name; each lives in usecases/<name>/infra/.

import { OneOffStack } from '../usecases/oneoff/infra/oneoff-stack.js';
import type { WorkloadStackFactory } from './workload-stack-props.js';

/** Register a new workload's stack here when it joins system.ts. */
export const WORKLOAD_STACKS: Readonly<Record<string, WorkloadStackFactory>> = {
  oneoff: (scope, id, props) => new OneOffStack(scope, id, props),
};
