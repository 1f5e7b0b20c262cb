// The seven kinds of workload a Fargate system is made of.

export const WORKLOAD_KINDS = [
  'webapp',
  'webapi',
  'backend',
  'backgroundjob',
  'scheduledjob',
  'batchjob',
  'oneoff',
] as const;

export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Kinds that run as long-lived ECS services (desired count, health checks, replacement). */
export const SERVICE_KINDS: readonly WorkloadKind[] = ['webapp', 'webapi', 'backend', 'backgroundjob'];

/** Kinds that serve HTTP and therefore need a port. */
export const HTTP_KINDS: readonly WorkloadKind[] = ['webapp', 'webapi', 'backend'];

export function isServiceKind(kind: WorkloadKind): boolean {
  return SERVICE_KINDS.includes(kind);
}
