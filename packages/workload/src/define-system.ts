// defineSystem: which workloads make the system and how they are wired, checked as a whole.

import { DeclarationError } from './declaration-error.js';
import type { Workload } from './define-workload.js';
import type { JobQueue } from './define-job-queue.js';
import { defineQueue, type Queue } from './define-queue.js';
import type { Workflow } from './define-workflow.js';

/** A queue the system owns: made with `defineQueue` (its knobs and DLQ), or just `{ name }` for the defaults. */
export type QueueDeclaration = Queue | { readonly name: string };

/** An OAuth 2.0 resource server: its scopes are `<identifier>/<scope>`, e.g. `orders/read` (Cognito's shape). */
export interface ResourceServerDeclaration {
  /** Letters, digits, `-`, `_`, `.`; the prefix of its scopes. */
  readonly identifier: string;
  /** Scope names without the prefix, e.g. `read`, `write`. */
  readonly scopes: readonly string[];
}

export interface SystemProps {
  /** The system's name: prefixes stacks and local state. Lower-case letters, digits and `-`. */
  readonly name: string;
  /** Every workload of the system. */
  readonly workloads: readonly Workload[];
  /** Queues the workloads use. @default - none */
  readonly queues?: readonly QueueDeclaration[];
  /** OAuth resource servers and scopes that machine clients are granted (Cognito user pool resource servers). @default - none */
  readonly resourceServers?: readonly ResourceServerDeclaration[];
  /** Workflows of task steps (scheduledjobs), made with `defineWorkflow`. @default - none */
  readonly workflows?: readonly Workflow[];
  /** AWS Batch job queues the batchjobs submit to, made with `defineJobQueue`. @default - none */
  readonly jobQueues?: readonly JobQueue[];
}

export interface System {
  readonly name: string;
  readonly workloads: readonly Workload[];
  /** Every queue with its defaults resolved (each has a DLQ `<name>-dlq`). */
  readonly queues: readonly Queue[];
  readonly resourceServers: readonly ResourceServerDeclaration[];
  /** Every scope of every resource server, e.g. `orders/read`. */
  readonly scopes: readonly string[];
  readonly workflows: readonly Workflow[];
  readonly jobQueues: readonly JobQueue[];
  /** The workload with this name; throws a clear error when there is none. */
  workload(name: string): Workload;
  /** The workflow with this name; throws a clear error when there is none. */
  workflow(name: string): Workflow;
  /** The job queue with this name; throws a clear error when there is none. */
  jobQueue(name: string): JobQueue;
}

/** Declares the system. Throws a DeclarationError for duplicates and dependencies on things not declared. */
export function defineSystem(props: SystemProps): System {
  if (!/^[a-z][a-z0-9-]{0,23}$/.test(props.name)) {
    throw new DeclarationError('system', 'name', 'must be lower-case letters, digits and "-", at most 24 characters');
  }
  const byName = new Map<string, Workload>();
  for (const workload of props.workloads) {
    if (byName.has(workload.name)) {
      throw new DeclarationError(
        workload.name,
        'name',
        'is declared twice in the system; workload names must be unique',
      );
    }
    byName.set(workload.name, workload);
  }
  const queues = (props.queues ?? []).map((queue) => ('dlqName' in queue ? queue : defineQueue(queue)));
  const queueNames = new Set<string>();
  for (const queue of queues) {
    if (queueNames.has(queue.name)) throw new DeclarationError('system', `queues.${queue.name}`, 'is declared twice');
    queueNames.add(queue.name);
  }
  const resourceServers = props.resourceServers ?? [];
  const scopes: string[] = [];
  for (const server of resourceServers) {
    if (!/^[A-Za-z0-9._-]{1,256}$/.test(server.identifier)) {
      throw new DeclarationError(
        'system',
        `resourceServers.${server.identifier}`,
        'identifier must be letters, digits, ".", "_" or "-"',
      );
    }
    for (const scope of server.scopes) {
      if (!/^[A-Za-z0-9._-]{1,256}$/.test(scope)) {
        throw new DeclarationError(
          'system',
          `resourceServers.${server.identifier}.scopes`,
          `"${scope}" must be letters, digits, ".", "_" or "-"`,
        );
      }
      scopes.push(`${server.identifier}/${scope}`);
    }
  }
  for (const workload of props.workloads) {
    workload.dependsOn.workloads.forEach((dep, i) => {
      if (dep === workload.name) {
        throw new DeclarationError(workload.name, `dependsOn.workloads[${i}]`, 'a workload cannot depend on itself');
      }
      if (!byName.has(dep)) {
        throw new DeclarationError(
          workload.name,
          `dependsOn.workloads[${i}]`,
          `unknown workload "${dep}"${known(byName)}`,
        );
      }
      const target = byName.get(dep) as Workload;
      if (target.kind !== 'backend') {
        throw new DeclarationError(
          workload.name,
          `dependsOn.workloads[${i}]`,
          `"${dep}" is a ${target.kind}; workloads call backends (through Service Connect), not other kinds`,
        );
      }
    });
    workload.dependsOn.queues.forEach((dep, i) => {
      if (!queueNames.has(dep)) {
        throw new DeclarationError(
          workload.name,
          `dependsOn.queues[${i}]`,
          `unknown queue "${dep}"${known(queueNames)}`,
        );
      }
    });
  }
  const jobQueues = new Map<string, JobQueue>();
  for (const queue of props.jobQueues ?? []) {
    if (jobQueues.has(queue.name)) throw new DeclarationError('system', `jobQueues.${queue.name}`, 'is declared twice');
    jobQueues.set(queue.name, queue);
  }
  for (const workload of props.workloads) {
    if (workload.batch && !jobQueues.has(workload.batch.jobQueue)) {
      throw new DeclarationError(
        workload.name,
        'batch.jobQueue',
        `unknown job queue "${workload.batch.jobQueue}"${known(jobQueues)}; declare it with defineJobQueue in jobQueues`,
      );
    }
  }
  const workflows = new Map<string, Workflow>();
  for (const workflow of props.workflows ?? []) {
    if (workflows.has(workflow.name)) {
      throw new DeclarationError(workflow.name, 'name', 'is declared twice in the system', 'workflow');
    }
    workflows.set(workflow.name, workflow);
    checkWorkflow(workflow, byName, queueNames);
  }
  return Object.freeze({
    name: props.name,
    workloads: [...props.workloads],
    queues: [...queues],
    resourceServers: [...resourceServers],
    scopes,
    workflows: [...workflows.values()],
    jobQueues: [...jobQueues.values()],
    workload(name: string): Workload {
      const found = byName.get(name);
      if (!found)
        throw new DeclarationError(name, 'name', `no such workload in system "${props.name}"${known(byName)}`);
      return found;
    },
    workflow(name: string): Workflow {
      const found = workflows.get(name);
      if (!found) {
        throw new DeclarationError(
          name,
          'name',
          `no such workflow in system "${props.name}"${known(workflows)}`,
          'workflow',
        );
      }
      return found;
    },
    jobQueue(name: string): JobQueue {
      const found = jobQueues.get(name);
      if (!found) {
        throw new DeclarationError(
          name,
          'name',
          `no such job queue in system "${props.name}"${known(jobQueues)}`,
          'job queue',
        );
      }
      return found;
    },
  });
}

function known(names: Map<string, unknown> | Set<string>): string {
  const list = [...names.keys()];
  return list.length > 0 ? `; declared: ${list.join(', ')}` : '';
}

/** A workflow's steps run task workloads of the system, and its notification queue is one of the system's. */
function checkWorkflow(workflow: Workflow, workloads: Map<string, Workload>, queueNames: Set<string>): void {
  workflow.steps.forEach((step, i) => {
    const field = `steps[${i}].workload`;
    const workload = workloads.get(step.workload);
    if (!workload) {
      throw new DeclarationError(
        workflow.name,
        field,
        `unknown workload "${step.workload}"${known(workloads)}`,
        'workflow',
      );
    }
    if ((workload.kind !== 'scheduledjob' && workload.kind !== 'oneoff') || workload.isService) {
      throw new DeclarationError(
        workflow.name,
        field,
        `"${step.workload}" is a ${workload.trigger?.type === 'service' ? 'scheduledjob with a service trigger' : workload.kind}; steps run scheduledjob or oneoff tasks to completion`,
        'workflow',
      );
    }
  });
  if (workflow.notifyQueue !== undefined && !queueNames.has(workflow.notifyQueue)) {
    throw new DeclarationError(
      workflow.name,
      'notifyQueue',
      `unknown queue "${workflow.notifyQueue}"${known(queueNames)}`,
      'workflow',
    );
  }
}
