// The props every long-running workload construct (BackendService, WebApi, WebApp) shares, and how callers see a backend.

import type { Workload } from '@hello-fargate/workload';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { WorkloadTaskProps } from './workload-task-props.js';

/** A backend as its callers see it: a Service Connect URL and a way to be let in. `BackendService` implements it. */
export interface ServiceConnectBackend {
  /** The backend workload's name; callers list it in `dependsOn.workloads`. */
  readonly workloadName: string;
  /** `http://<dnsName>:<port>`, the Service Connect client alias; callers get it as `serviceUrlVariable(name)`. */
  readonly url: string;
  /** Admits the backend's port from `client`; the rules live beside the client (see `BackendService.allowFrom`). */
  allowFrom(client: ec2.IConnectable): void;
}

/**
 * Capacity provider strategy of services on X86_64: the first task (`base: 1`) on regular FARGATE, every further
 * task on FARGATE_SPOT (`weight` 0 vs 1). One on-demand task keeps the service answering while Spot reclaims the
 * others (2-minute warning, SIGTERM); Spot costs up to 70% less. Fargate Spot runs X86_64 only, so ARM64 services
 * use FARGATE alone.
 */
export const SPOT_WITH_ON_DEMAND_BASE: readonly ecs.CapacityProviderStrategy[] = [
  { capacityProvider: 'FARGATE', base: 1, weight: 0 },
  { capacityProvider: 'FARGATE_SPOT', weight: 1 },
];

/** What every service construct takes. */
export interface WorkloadServiceProps extends WorkloadTaskProps {
  /** The service workload's declaration (from its `workload.ts`). */
  readonly workload: Workload;
  /** The cluster the service runs in (the `Platform` cluster: FARGATE and FARGATE_SPOT capacity providers). */
  readonly cluster: ecs.ICluster;
  /** Where the tasks run (private subnets; tasks never get a public IP). */
  readonly subnets: ec2.SubnetSelection;
  /**
   * Cloud Map namespace for Service Connect (served aliases and client configuration).
   * @default - the cluster's default Cloud Map namespace
   */
  readonly namespace?: servicediscovery.INamespace;
  /**
   * The backends this workload calls: exactly the ones in its `dependsOn.workloads`. Each gives the container
   * `serviceUrlVariable(name)` and admits this service's security group on its port.
   * @default - none
   */
  readonly backends?: readonly ServiceConnectBackend[];
  /**
   * Where tasks are placed.
   * @default SPOT_WITH_ON_DEMAND_BASE on X86_64; `[{ capacityProvider: 'FARGATE', weight: 1 }]` on ARM64
   */
  readonly capacityProviderStrategies?: readonly ecs.CapacityProviderStrategy[];
  /**
   * Average CPU utilization (percent) autoscaling keeps the service at, between the declared minCount and maxCount.
   * @default 60
   */
  readonly cpuTargetUtilizationPercent?: number;
  /**
   * Node.js binary the container health check runs (`node -e` with fetch: distroless images have no shell or curl).
   * @default '/nodejs/bin/node' (where distroless keeps it)
   */
  readonly nodeBinary?: string;
}
