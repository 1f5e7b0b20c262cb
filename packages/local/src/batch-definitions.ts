// The local Batch's job queues and job definitions, from the system's declarations (one definition per batchjob).

import type { System } from '@hello-fargate/workload';
import type { JobDefinitionSpec, JobQueueSpec } from './batch/batch-types.js';

/** Each declared job queue with its compute environment's maxvCpus. */
export function batchJobQueues(system: System): JobQueueSpec[] {
  return system.jobQueues.map((q) => ({ name: q.name, maxvCpus: q.maxvCpus, priority: q.priority }));
}

/** One job definition per batchjob workload: vCPUs from its cpu units, its retry strategy and attempt timeout. */
export function batchJobDefinitions(system: System): JobDefinitionSpec[] {
  return system.workloads.flatMap((workload) => {
    const batch = workload.batch;
    if (!batch) return [];
    return [
      {
        name: workload.name,
        vcpus: workload.cpu / 1024,
        memory: workload.memory,
        command: [...workload.command],
        retryStrategy: {
          attempts: batch.attempts,
          evaluateOnExit: batch.evaluateOnExit.map((rule) => ({ ...rule })),
        },
        ...(batch.attemptDurationSeconds !== undefined
          ? { timeout: { attemptDurationSeconds: batch.attemptDurationSeconds } }
          : {}),
        image: `local/${workload.name}`,
      },
    ];
  });
}
