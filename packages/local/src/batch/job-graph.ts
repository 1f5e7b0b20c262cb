// Orders a set of jobs that depend on each other by name, refusing a cycle (named a → b → a) or an unknown name.

import { BatchClientError } from './batch-client-error.js';
import type { GraphJobInput } from './batch-types.js';

/** The jobs in an order where each comes after the graph jobs it depends on (stable: input order otherwise). */
export function orderJobGraph(jobs: readonly GraphJobInput[]): GraphJobInput[] {
  const byName = new Map<string, GraphJobInput>();
  for (const job of jobs) {
    if (byName.has(job.jobName)) {
      throw new BatchClientError(
        `Job graph: two jobs are named ${job.jobName}; names identify jobs inside a graph, make them unique.`,
      );
    }
    byName.set(job.jobName, job);
  }
  for (const job of jobs) {
    for (const dep of job.dependsOn ?? []) {
      if (dep.job === undefined) continue;
      if (dep.job === job.jobName) {
        throw new BatchClientError(
          `Job graph: job ${job.jobName} depends on itself (${job.jobName} → ${job.jobName}).`,
        );
      }
      if (!byName.has(dep.job)) {
        throw new BatchClientError(
          `Job graph: job ${job.jobName} depends on ${dep.job}, which is not in the graph (jobs: ${[...byName.keys()].join(', ')}).`,
        );
      }
    }
  }
  const ordered: GraphJobInput[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  // Depth-first with an explicit stack, so a long chain cannot overflow the call stack.
  for (const root of jobs) {
    if (state.has(root.jobName)) continue;
    const stack: { job: GraphJobInput; next: number }[] = [{ job: root, next: 0 }];
    state.set(root.jobName, 'visiting');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { job: GraphJobInput; next: number };
      const deps = (frame.job.dependsOn ?? []).filter((d) => d.job !== undefined);
      if (frame.next < deps.length) {
        const name = deps[frame.next++]?.job as string;
        const seen = state.get(name);
        if (seen === 'visiting') {
          const path = stack.map((f) => f.job.jobName);
          const cycle = [...path.slice(path.indexOf(name)), name];
          throw new BatchClientError(
            `Job graph has a dependency cycle: ${cycle.join(' → ')}; remove one of these dependencies.`,
          );
        }
        if (seen === undefined) {
          state.set(name, 'visiting');
          stack.push({ job: byName.get(name) as GraphJobInput, next: 0 });
        }
      } else {
        state.set(frame.job.jobName, 'done');
        ordered.push(frame.job);
        stack.pop();
      }
    }
  }
  return ordered;
}
