// The Fargate service every long-running workload construct shares: task, security group, Service Connect,
// capacity providers, circuit breaker and autoscaling bounds (CPU tracking for HTTP services), from the declaration.

import { serviceUrlVariable, type Workload, type WorkloadKind } from '@hello-fargate/workload';
import { Duration, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import { ConstructValidationError } from '../construct-validation-error.js';
import { SPOT_WITH_ON_DEMAND_BASE, type WorkloadServiceProps } from '../workload-service-props.js';
import { createLogGroup } from './log-retention.js';
import { createWorkloadTask, validateWorkloadTask, type WorkloadTaskOptions } from './workload-task.js';

/** Name of the container port mapping; Service Connect and the target groups refer to it. */
export const PORT_MAPPING_NAME = 'http';

/** What a construct adds to the shared service. */
export interface WorkloadServiceOptions {
  /** The kind the construct builds; another kind is refused. */
  readonly kind: WorkloadKind;
  /** The construct to name in errors about the wrong kind, e.g. `WebApi`. */
  readonly constructName: string;
  /** Contract environment the construct sets besides `PORT` and the backend URLs (`AUTH_ISSUER`, …). */
  readonly contractEnvironment?: Readonly<Record<string, string>>;
  /** Serve the port under this Service Connect alias (backends). */
  readonly serviceConnectDnsName?: string;
  /** Ignore failing load balancer health checks this long after a task starts (load-balanced services). */
  readonly healthCheckGracePeriod?: Duration;
  /** Says who may reach the tasks, for the security group description. */
  readonly ingressDescription: string;
}

/** What the shared service builder made for a service without a port (a backgroundjob). */
export interface BackgroundService {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.ILogGroup;
  readonly taskRole: iam.IRole;
  readonly executionRole: iam.IRole;
  readonly scaling: ecs.ScalableTaskCount;
}

/** What the shared service builder made for an HTTP service. */
export interface WorkloadService extends BackgroundService {
  readonly port: number;
}

/** The public fields every service construct exposes: what the builder made, and the construct's connections. */
export interface WorkloadServiceFields extends WorkloadService {
  readonly connections: ec2.Connections;
}

/**
 * Sets a service construct's public fields from what createWorkloadService built (the construct declares them
 * `readonly …!`), in one place rather than a copy per construct.
 */
export function exposeWorkloadService<Built extends BackgroundService>(
  construct: Built & { readonly connections: ec2.Connections },
  built: Built,
  connections: ec2.Connections,
): void {
  const fields: Built & { readonly connections: ec2.Connections } = { ...built, connections };
  Object.assign(construct, fields);
}

/** Checks the props against the declaration and builds the service under `scope` (ids `Service`, `TaskDefinition`, …). */
export function createWorkloadService(
  scope: Construct,
  props: WorkloadServiceProps,
  options: WorkloadServiceOptions,
): WorkloadService {
  checkKind(scope, props.workload, options);
  const port = declaredPort(scope, props.workload);
  const cpuTarget = props.cpuTargetUtilizationPercent ?? 60;
  if (!Number.isFinite(cpuTarget) || cpuTarget < 1 || cpuTarget > 100) {
    throw new ConstructValidationError(scope, `cpuTargetUtilizationPercent ${cpuTarget} must be 1–100`);
  }
  const built = buildService(scope, props, options, port);
  built.scaling.scaleOnCpuUtilization('Cpu', {
    targetUtilizationPercent: cpuTarget,
    scaleOutCooldown: Duration.seconds(60),
    scaleInCooldown: Duration.seconds(300),
  });
  return { port, ...built };
}

/**
 * Builds a service that serves no port (a backgroundjob) under `scope`: no port mapping, health check, `PORT` or
 * Service Connect alias, and no scaling policy — the construct scales it on its own signal (queue backlog).
 */
export function createBackgroundService(
  scope: Construct,
  props: WorkloadServiceProps,
  options: WorkloadServiceOptions,
): BackgroundService {
  checkKind(scope, props.workload, options);
  const { workload } = props;
  if (workload.port !== undefined) {
    throw new ConstructValidationError(
      scope,
      `workload "${workload.name}" declares port ${workload.port}; a ${workload.kind} serves no port, drop it`,
    );
  }
  return buildService(scope, props, options, undefined);
}

function buildService(
  scope: Construct,
  props: WorkloadServiceProps,
  options: WorkloadServiceOptions,
  port: number | undefined,
): BackgroundService {
  const { workload } = props;
  const backends = checkBackends(scope, props);
  const cpuArchitecture = props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64;
  const capacityProviderStrategies =
    props.capacityProviderStrategies ??
    (cpuArchitecture === ecs.CpuArchitecture.ARM64
      ? [{ capacityProvider: 'FARGATE', weight: 1 }]
      : SPOT_WITH_ON_DEMAND_BASE);
  if (
    cpuArchitecture === ecs.CpuArchitecture.ARM64 &&
    capacityProviderStrategies.some((s) => s.capacityProvider === 'FARGATE_SPOT')
  ) {
    throw new ConstructValidationError(scope, 'FARGATE_SPOT runs X86_64 only; drop it or use X86_64');
  }
  const namespace = props.namespace ?? props.cluster.defaultCloudMapNamespace;
  const needsServiceConnect = options.serviceConnectDnsName !== undefined || backends.length > 0;
  if (needsServiceConnect && !namespace) {
    throw new ConstructValidationError(
      scope,
      'Service Connect needs a namespace: pass namespace or a cluster with one',
    );
  }

  const contractEnvironment: Record<string, string> = port === undefined ? {} : { PORT: String(port) };
  for (const backend of backends) contractEnvironment[serviceUrlVariable(backend.workloadName)] = backend.url;
  Object.assign(contractEnvironment, options.contractEnvironment);
  validateWorkloadTask(scope, {
    ...props,
    contractEnvironment,
    contractSetter: `a ${workload.kind}`,
  });

  const logGroup = props.logGroup ?? createLogGroup(scope, 'LogGroup', props);

  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc ?? props.cluster.vpc,
    description:
      port === undefined
        ? `${workload.name} tasks: no ingress; HTTPS out`
        : `${workload.name} tasks: port ${port} from ${options.ingressDescription} only; HTTPS out`,
    allowAllOutbound: false,
  });
  securityGroup.addEgressRule(
    ec2.Peer.anyIpv4(),
    ec2.Port.tcp(443),
    'HTTPS to the VPC endpoints, the S3 gateway and (from NAT subnets) the identity providers',
  );
  props.database?.allowFrom(securityGroup);
  for (const backend of backends) backend.allowFrom(securityGroup);

  const task = createWorkloadTask(scope, {
    workload,
    database: props.database,
    secrets: props.secrets,
    environment: props.environment,
    contractEnvironment,
    logGroup,
    logStreamPrefix: workload.name,
    // A service must keep serving when CloudWatch Logs is slow; a full buffer drops lines instead of blocking.
    logDriverMode: ecs.AwsLogDriverMode.NON_BLOCKING,
    image: props.image,
    buildContext: props.buildContext,
    dockerfile: props.dockerfile,
    cpuArchitecture,
    user: props.user,
    family: props.family ?? Stack.of(scope).stackName,
    ...(port === undefined ? {} : httpContainer(props, workload, port)),
  });

  const serviceConnectLogs = ecs.LogDrivers.awsLogs({
    logGroup,
    streamPrefix: `${workload.name}-service-connect`,
    mode: ecs.AwsLogDriverMode.NON_BLOCKING,
  });
  const service = new ecs.FargateService(scope, 'Service', {
    cluster: props.cluster,
    taskDefinition: task.taskDefinition,
    desiredCount: workload.desiredCount,
    vpcSubnets: props.subnets,
    securityGroups: [securityGroup],
    assignPublicIp: false,
    capacityProviderStrategies: [...capacityProviderStrategies],
    circuitBreaker: { enable: true, rollback: true },
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    healthCheckGracePeriod: options.healthCheckGracePeriod,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
    enableECSManagedTags: true,
    serviceConnectConfiguration: needsServiceConnect
      ? {
          namespace: (namespace as servicediscovery.INamespace).namespaceArn,
          logDriver: serviceConnectLogs,
          services:
            options.serviceConnectDnsName === undefined
              ? undefined
              : [
                  {
                    portMappingName: PORT_MAPPING_NAME,
                    discoveryName: options.serviceConnectDnsName,
                    dnsName: options.serviceConnectDnsName,
                    port,
                  },
                ],
        }
      : undefined,
  });

  const scaling = service.autoScaleTaskCount({ minCapacity: workload.minCount, maxCapacity: workload.maxCount });
  Tags.of(scope).add('Workload', workload.name);

  return {
    service,
    taskDefinition: task.taskDefinition,
    container: task.container,
    securityGroup,
    logGroup,
    taskRole: task.taskRole,
    executionRole: task.executionRole,
    scaling,
  };
}

/** The port mapping and `node -e fetch(…)` health check of a service that serves HTTP on `port`. */
function httpContainer(
  props: WorkloadServiceProps,
  workload: Workload,
  port: number,
): Pick<WorkloadTaskOptions, 'portMappings' | 'healthCheck'> {
  const healthCheck = workload.healthCheck as NonNullable<Workload['healthCheck']>;
  const probe =
    `fetch('http://127.0.0.1:${port}${healthCheck.path}',{signal:AbortSignal.timeout(${healthCheck.timeoutSeconds * 1000})})` +
    '.then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))';
  return {
    portMappings: [{ name: PORT_MAPPING_NAME, containerPort: port, appProtocol: ecs.AppProtocol.http }],
    healthCheck: {
      command: ['CMD', props.nodeBinary ?? '/nodejs/bin/node', '-e', probe],
      interval: Duration.seconds(healthCheck.intervalSeconds),
      timeout: Duration.seconds(healthCheck.timeoutSeconds),
      retries: healthCheck.retries,
      startPeriod: Duration.seconds(healthCheck.startPeriodSeconds),
    },
  };
}

function checkKind(scope: Construct, workload: Workload, options: WorkloadServiceOptions): void {
  if (workload.kind !== options.kind) {
    throw new ConstructValidationError(
      scope,
      `workload "${workload.name}" is a ${workload.kind}; ${options.constructName} builds ${options.kind} workloads`,
    );
  }
}

function declaredPort(scope: Construct, workload: Workload): number {
  if (workload.port === undefined || workload.healthCheck === undefined) {
    throw new ConstructValidationError(scope, `workload "${workload.name}" declares no port`);
  }
  return workload.port;
}

function checkBackends(scope: Construct, props: WorkloadServiceProps) {
  const { workload } = props;
  const backends = props.backends ?? [];
  const given = backends.map((b) => b.workloadName);
  const missing = workload.dependsOn.workloads.filter((name) => !given.includes(name));
  if (missing.length > 0) {
    throw new ConstructValidationError(
      scope,
      `workload "${workload.name}" calls ${missing.join(', ')} (dependsOn.workloads); pass each in backends`,
    );
  }
  const extra = given.filter((name) => !workload.dependsOn.workloads.includes(name));
  if (extra.length > 0) {
    throw new ConstructValidationError(
      scope,
      `backends ${extra.join(', ')} are not in dependsOn.workloads of workload "${workload.name}"; declare them`,
    );
  }
  return backends;
}
