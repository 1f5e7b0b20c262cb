// defineWorkload: the one declaration of a workload that the CDK app and the local runner both read.

import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BatchJobOptions, type ResolvedBatchJobOptions, resolveBatchJobOptions } from './batch-job-options.js';
import { DeclarationError } from './declaration-error.js';
import { describeMemoryFor, FARGATE_CPU_VALUES, FARGATE_MEMORY_BY_CPU } from './fargate-sizes.js';
import { HTTP_KINDS, isServiceKind, WORKLOAD_KINDS, type WorkloadKind } from './workload-kind.js';
import { type ResolvedWorkloadTrigger, resolveScheduleTrigger, type WorkloadTrigger } from './workload-trigger.js';

/** A container health check, with the ECS container health check's semantics. */
export interface HealthCheckOptions {
  /** HTTP path requested on the task's port; a 2xx answer is healthy. @default '/health' */
  readonly path?: string;
  /** Seconds between checks (ECS allows 5–300). @default 30 */
  readonly intervalSeconds?: number;
  /** Seconds a check may take before it counts as failed (ECS allows 2–60). @default 5 */
  readonly timeoutSeconds?: number;
  /** Consecutive failures that make the task unhealthy (ECS allows 1–10). @default 3 */
  readonly retries?: number;
  /** Seconds after start during which failures do not count (ECS allows 0–300). @default 0 */
  readonly startPeriodSeconds?: number;
}

/** What a workload needs from the rest of the system. */
export interface WorkloadDependencies {
  /** Uses the system's PostgreSQL database and so receives `DATABASE_URL`. @default false */
  readonly database?: boolean;
  /** Queues it sends to or receives from, by name; each must be declared by the system. @default - none */
  readonly queues?: readonly string[];
  /** Workloads it calls, by name; each must be declared by the system. @default - none */
  readonly workloads?: readonly string[];
}

/** The load balancer in front of an external service (webapp, webapi): an ALB listener in AWS, the runner's locally. */
export interface LoadBalancerOptions {
  /**
   * How the listener authenticates before forwarding: `cognito` = ALB authenticate-cognito (browser sign-in, session
   * cookie, `x-amzn-oidc-*` headers) for webapp; `jwt` = ALB jwt-validation (RS256 Bearer access tokens) for webapi.
   */
  readonly authentication: 'cognito' | 'jwt';
  /** Port of the local listener (AWS listens on 443). @default 8080 + a per-workload offset: see `localListenerPort` */
  readonly localPort?: number;
}

/** How other workloads reach a backend through ECS Service Connect (locally: the runner's balancing endpoint). */
export interface ServiceConnectOptions {
  /** Client alias host name callers use, e.g. `http://backend:8080`. @default the workload's name */
  readonly dnsName?: string;
}

export interface WorkloadProps {
  /** Unique within the system: lower-case letters, digits and `-`, starting with a letter, at most 32 characters. */
  readonly name: string;
  /** Which of the seven kinds this is; decides how it runs (service, task, workflow step, batch job). */
  readonly kind: WorkloadKind;
  /** The workload's folder (`usecases/<name>/`); pass `new URL('.', import.meta.url)` from its `workload.ts`. */
  readonly directory: URL | string;
  /** The app's entry module, relative to `directory`. @default 'apps/main.ts' */
  readonly entry?: string;
  /** One line saying what the workload does; shown by `hf status` and in stack descriptions. @default - none */
  readonly description?: string;
  /** Arguments given to the entry when a run names none (the container's `command`). @default - none */
  readonly command?: readonly string[];
  /** CPU units (1024 = 1 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384. @default 256 */
  readonly cpu?: number;
  /** Memory in MiB; must be a value Fargate allows for `cpu`. @default 512 */
  readonly memory?: number;
  /** Port the app listens on (given to it as `PORT`). Required for webapp, webapi and backend. @default - none */
  readonly port?: number;
  /** Container health check for services with a port. @default - `{ path: '/health' }` with ECS defaults, for services with a port */
  readonly healthCheck?: HealthCheckOptions;
  /** Tasks a service runs normally. Services only. @default 1 */
  readonly desiredCount?: number;
  /** Fewest tasks autoscaling may leave running. Services only. @default desiredCount */
  readonly minCount?: number;
  /** Most tasks autoscaling may start. Services only. @default the larger of desiredCount and minCount */
  readonly maxCount?: number;
  /** Plain environment variables (no secrets here). Names are UPPER_SNAKE_CASE. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Names of secrets the app reads as environment variables. In AWS each comes from Secrets Manager as an ECS
   * secret; locally from the git-ignored `secrets.local.json`. @default - none
   */
  readonly secrets?: readonly string[];
  /** What the workload needs from the rest of the system. @default - nothing */
  readonly dependsOn?: WorkloadDependencies;
  /** The load balancer in front of it. Required for webapp and webapi, refused for others. @default - none */
  readonly loadBalancer?: LoadBalancerOptions;
  /** Service Connect settings. backend only. @default - `{ dnsName: name }` for backend workloads */
  readonly serviceConnect?: ServiceConnectOptions;
  /** Seconds between SIGTERM and SIGKILL when a task is stopped (ECS allows up to 120 on Fargate). @default 30 */
  readonly stopTimeoutSeconds?: number;
  /** Runs of this task (each a list of arguments) made before any service starts or is updated. oneoff only. @default - none */
  readonly preDeploy?: readonly (readonly string[])[];
  /**
   * Runs of this task made after `preDeploy` when the local runner starts, to load sample data for development.
   * Never run in AWS. oneoff only. @default - none
   */
  readonly localSeed?: readonly (readonly string[])[];
  /**
   * Folders the app reads at run time, relative to `directory` (e.g. `migrations`, `data`). They are shipped beside
   * the bundle, so the app finds them relative to its own module in both runtimes. @default - none
   */
  readonly assets?: readonly string[];
  /** AWS Batch settings: job queue, retry strategy, attempt timeout. batchjob only, and required for it. */
  readonly batch?: BatchJobOptions;
  /**
   * How a scheduledjob is started on its own: `{ type: 'schedule', expression }` runs it on a schedule (EventBridge
   * Scheduler → ECS RunTask), `{ type: 'service', port }` runs it as an always-on service behind an ALB with JWT
   * validation. Changing it swaps only the trigger's resources. scheduledjob only.
   * @default - none: started only by workflow steps and `hf run-task`
   */
  readonly trigger?: WorkloadTrigger;
}

/** A workload with every default resolved and every field checked. */
export interface Workload {
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly description: string;
  /** Absolute path of the workload's folder. */
  readonly directory: string;
  /** Entry module relative to `directory`, e.g. `apps/main.ts`. */
  readonly entry: string;
  readonly command: readonly string[];
  readonly cpu: number;
  readonly memory: number;
  readonly port: number | undefined;
  readonly healthCheck: Required<HealthCheckOptions> | undefined;
  readonly desiredCount: number;
  readonly minCount: number;
  readonly maxCount: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
  readonly dependsOn: Required<WorkloadDependencies>;
  readonly loadBalancer: Required<LoadBalancerOptions> | undefined;
  readonly serviceConnect: Required<ServiceConnectOptions> | undefined;
  readonly stopTimeoutSeconds: number;
  readonly preDeploy: readonly (readonly string[])[];
  readonly localSeed: readonly (readonly string[])[];
  readonly assets: readonly string[];
  /** AWS Batch settings of a batchjob; undefined for other kinds. */
  readonly batch: ResolvedBatchJobOptions | undefined;
  /** The trigger of a scheduledjob; undefined when it has none. */
  readonly trigger: ResolvedWorkloadTrigger | undefined;
  /** True for kinds that run as long-lived ECS services, and for a scheduledjob with a service trigger. */
  readonly isService: boolean;
}

/**
 * Environment names the platform sets itself (the environment contract); a declaration may not set them.
 * `AWS_*` and `ECS_*` are reserved as prefixes.
 */
export const RESERVED_ENVIRONMENT = [
  'DATABASE_URL',
  'PORT',
  'HF_WORKLOAD',
  'NODE_ENV',
  'STOP_TIMEOUT_SECONDS',
  'WORKFLOW_NAME',
  'WORKFLOW_STEP',
  'WORKFLOW_EXECUTION_ID',
  'WORKFLOW_INPUT',
] as const;

const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Declares a workload. Throws a DeclarationError naming the workload and field when anything is invalid. */
export function defineWorkload(declared: WorkloadProps): Workload {
  const label = typeof declared?.name === 'string' && declared.name !== '' ? declared.name : '(unnamed)';
  const props = withServiceTrigger(declared, (field, problem) => {
    throw new DeclarationError(label, field, problem);
  });
  return resolveWorkload(props, declared.trigger);
}

/**
 * A service trigger makes the scheduledjob a service: its port, count, health check and a JWT-validating load
 * balancer come from the trigger, so every later check (and the runner and CDK) treats it like any other service.
 */
function withServiceTrigger(props: WorkloadProps, fail: Fail): WorkloadProps {
  const trigger = props.trigger;
  if (trigger === undefined) return props;
  if (props.kind !== 'scheduledjob') fail('trigger', `is for scheduledjob workloads, not ${props.kind}`);
  if (trigger.type === 'schedule') return props;
  if (trigger.type !== 'service')
    fail('trigger.type', `"${String((trigger as { type?: unknown }).type)}" is not schedule or service`);
  for (const field of ['port', 'desiredCount', 'minCount', 'maxCount', 'healthCheck', 'loadBalancer'] as const) {
    if (props[field] !== undefined) fail(field, `comes from the service trigger; set it in trigger instead`);
  }
  if (!isIntegerIn(trigger.port, 1, 65535)) fail('trigger.port', 'must be an integer from 1 to 65535');
  return {
    ...props,
    port: trigger.port,
    desiredCount: trigger.desiredCount ?? 1,
    healthCheck: { path: trigger.healthCheckPath ?? '/health' },
    loadBalancer: { authentication: 'jwt', localPort: trigger.localPort ?? 8082 },
  };
}

function resolveWorkload(props: WorkloadProps, trigger: WorkloadTrigger | undefined): Workload {
  const label = typeof props?.name === 'string' && props.name !== '' ? props.name : '(unnamed)';
  const fail = (field: string, problem: string): never => {
    throw new DeclarationError(label, field, problem);
  };

  if (typeof props.name !== 'string' || !NAME.test(props.name)) {
    fail('name', 'must be lower-case letters, digits and "-", start with a letter, at most 32 characters');
  }
  if (!WORKLOAD_KINDS.includes(props.kind)) {
    fail('kind', `"${String(props.kind)}" is not one of ${WORKLOAD_KINDS.join(', ')}`);
  }
  const isService = isServiceKind(props.kind) || trigger?.type === 'service';
  const directory = resolveDirectory(props.directory, fail);
  const entry = props.entry ?? 'apps/main.ts';
  if (isAbsolute(entry) || entry.startsWith('..')) fail('entry', 'must be a path inside the workload directory');

  const cpu = props.cpu ?? 256;
  const memory = props.memory ?? 512;
  const memoryOptions = FARGATE_MEMORY_BY_CPU[cpu];
  if (!memoryOptions) fail('cpu', `${cpu} is not a Fargate cpu value; use one of ${FARGATE_CPU_VALUES.join(', ')}`);
  if (!memoryOptions?.includes(memory)) {
    fail('memory', `${memory} MiB is not valid with cpu ${cpu}; Fargate allows ${describeMemoryFor(cpu)} MiB`);
  }

  const needsPort = HTTP_KINDS.includes(props.kind) || trigger?.type === 'service';
  if (props.port !== undefined && !isIntegerIn(props.port, 1, 65535))
    fail('port', 'must be an integer from 1 to 65535');
  if (needsPort && props.port === undefined) fail('port', `is required for a ${props.kind} workload`);
  if (!isService && props.port !== undefined)
    fail('port', `has no meaning for a ${props.kind} workload, which is not a service`);

  const healthCheck = resolveHealthCheck(props, isService, fail);
  const counts = resolveCounts(props, isService, fail);
  const environment = resolveEnvironment(props.environment ?? {}, fail);
  const secrets = resolveSecrets(props.secrets ?? [], environment, fail);

  const stopTimeoutSeconds = props.stopTimeoutSeconds ?? 30;
  if (!isIntegerIn(stopTimeoutSeconds, 1, 120)) {
    fail('stopTimeoutSeconds', `${stopTimeoutSeconds} is out of range; Fargate allows 1 to 120 seconds`);
  }
  const preDeploy = props.preDeploy ?? [];
  if (preDeploy.length > 0 && props.kind !== 'oneoff') fail('preDeploy', 'only oneoff workloads run before deploys');
  preDeploy.forEach((run, i) => {
    if (!Array.isArray(run) || run.some((a) => typeof a !== 'string'))
      fail(`preDeploy[${i}]`, 'must be a list of strings');
  });
  const localSeed = props.localSeed ?? [];
  if (localSeed.length > 0 && props.kind !== 'oneoff') fail('localSeed', 'only oneoff workloads seed local data');
  localSeed.forEach((run, i) => {
    if (!Array.isArray(run) || run.some((a) => typeof a !== 'string'))
      fail(`localSeed[${i}]`, 'must be a list of strings');
  });
  const assets = props.assets ?? [];
  for (const asset of assets) {
    if (isAbsolute(asset) || asset.split(/[\\/]/).includes('..'))
      fail('assets', `"${asset}" must stay inside the workload directory`);
  }

  const loadBalancer = resolveLoadBalancer(props, trigger?.type === 'service', fail);
  const batch = resolveBatchJobOptions(props.batch, props.kind, fail);
  const command = [...(props.command ?? [])];
  const resolvedTrigger: ResolvedWorkloadTrigger | undefined =
    trigger === undefined
      ? undefined
      : trigger.type === 'schedule'
        ? resolveScheduleTrigger(trigger, command, fail)
        : Object.freeze({ type: 'service' as const, command: [...(trigger.command ?? command)] });
  let serviceConnect: Workload['serviceConnect'];
  if (props.kind === 'backend') {
    serviceConnect = { dnsName: props.serviceConnect?.dnsName ?? props.name };
    if (!NAME.test(serviceConnect.dnsName)) fail('serviceConnect.dnsName', 'must be a lower-case DNS label');
  } else if (props.serviceConnect) {
    fail('serviceConnect', `is for backend workloads; a ${props.kind} is reached another way`);
  }

  const deps = props.dependsOn ?? {};
  return Object.freeze({
    name: props.name,
    kind: props.kind,
    description: props.description ?? '',
    directory,
    entry,
    command: resolvedTrigger?.type === 'service' ? [...resolvedTrigger.command] : command,
    cpu,
    memory,
    port: props.port,
    healthCheck,
    ...counts,
    environment,
    secrets,
    dependsOn: {
      database: deps.database ?? false,
      queues: [...(deps.queues ?? [])],
      workloads: [...(deps.workloads ?? [])],
    },
    loadBalancer,
    serviceConnect,
    stopTimeoutSeconds,
    preDeploy: preDeploy.map((run) => [...run]),
    localSeed: localSeed.map((run) => [...run]),
    assets: [...assets],
    batch,
    trigger: resolvedTrigger,
    isService,
  });
}

/** The absolute path of a workload's entry module. */
export function entryPath(workload: Workload): string {
  return join(workload.directory, workload.entry);
}

type Fail = (field: string, problem: string) => never;

const DEFAULT_LISTENER_PORTS: Partial<Record<WorkloadKind, number>> = { webapp: 8080, webapi: 8081 };

function resolveLoadBalancer(props: WorkloadProps, serviceTrigger: boolean, fail: Fail): Workload['loadBalancer'] {
  const external = props.kind === 'webapp' || props.kind === 'webapi' || serviceTrigger;
  if (!external) {
    if (props.loadBalancer) fail('loadBalancer', `is for webapp and webapi workloads, not ${props.kind}`);
    return undefined;
  }
  if (!props.loadBalancer) fail('loadBalancer', `is required for a ${props.kind} workload`);
  const lb = props.loadBalancer as LoadBalancerOptions;
  const expected = props.kind === 'webapp' ? 'cognito' : 'jwt';
  if (lb.authentication !== 'cognito' && lb.authentication !== 'jwt') {
    fail('loadBalancer.authentication', `"${String(lb.authentication)}" is not one of cognito, jwt`);
  }
  if (lb.authentication !== expected) {
    fail('loadBalancer.authentication', `a ${props.kind} uses "${expected}", not "${lb.authentication}"`);
  }
  const localPort = lb.localPort ?? (DEFAULT_LISTENER_PORTS[props.kind] as number);
  if (!isIntegerIn(localPort, 1, 65535)) fail('loadBalancer.localPort', 'must be an integer from 1 to 65535');
  return { authentication: lb.authentication, localPort };
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function resolveDirectory(directory: URL | string | undefined, fail: Fail): string {
  if (directory instanceof URL) return fileURLToPath(directory).replace(/\/$/, '');
  if (typeof directory === 'string' && isAbsolute(directory)) return directory.replace(/\/$/, '');
  return fail('directory', "must be an absolute path or file URL; pass new URL('.', import.meta.url)");
}

function resolveHealthCheck(props: WorkloadProps, isService: boolean, fail: Fail): Workload['healthCheck'] {
  if (!isService || props.port === undefined) {
    if (props.healthCheck) fail('healthCheck', 'needs a service with a port');
    return undefined;
  }
  const hc = props.healthCheck ?? {};
  const resolved = {
    path: hc.path ?? '/health',
    intervalSeconds: hc.intervalSeconds ?? 30,
    timeoutSeconds: hc.timeoutSeconds ?? 5,
    retries: hc.retries ?? 3,
    startPeriodSeconds: hc.startPeriodSeconds ?? 0,
  };
  if (!resolved.path.startsWith('/')) fail('healthCheck.path', 'must start with "/"');
  const ranges: [keyof typeof resolved, number, number][] = [
    ['intervalSeconds', 5, 300],
    ['timeoutSeconds', 2, 60],
    ['retries', 1, 10],
    ['startPeriodSeconds', 0, 300],
  ];
  for (const [field, min, max] of ranges) {
    if (!isIntegerIn(resolved[field], min, max))
      fail(`healthCheck.${field}`, `must be an integer from ${min} to ${max}`);
  }
  if (resolved.timeoutSeconds >= resolved.intervalSeconds) {
    fail('healthCheck.timeoutSeconds', 'must be less than intervalSeconds');
  }
  return resolved;
}

function resolveCounts(
  props: WorkloadProps,
  isService: boolean,
  fail: Fail,
): Pick<Workload, 'desiredCount' | 'minCount' | 'maxCount'> {
  if (!isService) {
    for (const field of ['desiredCount', 'minCount', 'maxCount'] as const) {
      if (props[field] !== undefined)
        fail(field, `has no meaning for a ${props.kind} workload, which is not a service`);
    }
    return { desiredCount: 0, minCount: 0, maxCount: 0 };
  }
  const desiredCount = props.desiredCount ?? 1;
  const minCount = props.minCount ?? desiredCount;
  const maxCount = props.maxCount ?? Math.max(desiredCount, minCount);
  for (const [field, value] of Object.entries({ desiredCount, minCount, maxCount })) {
    if (!isIntegerIn(value, 0, 1000)) fail(field, 'must be an integer from 0 to 1000');
  }
  if (minCount > maxCount) fail('minCount', `${minCount} is greater than maxCount ${maxCount}`);
  if (desiredCount < minCount || desiredCount > maxCount) {
    fail('desiredCount', `${desiredCount} must lie between minCount ${minCount} and maxCount ${maxCount}`);
  }
  return { desiredCount, minCount, maxCount };
}

function checkEnvName(name: string, field: string, fail: Fail): void {
  if (!ENV_NAME.test(name)) fail(field, `"${name}" must be UPPER_SNAKE_CASE`);
  if ((RESERVED_ENVIRONMENT as readonly string[]).includes(name) || /^(AWS|ECS)_/.test(name)) {
    fail(field, `"${name}" is set by the platform (environment contract) and cannot be declared`);
  }
}

function resolveEnvironment(environment: Readonly<Record<string, string>>, fail: Fail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    checkEnvName(name, `environment.${name}`, fail);
    if (typeof value !== 'string') fail(`environment.${name}`, 'must be a string');
    out[name] = value;
  }
  return out;
}

function resolveSecrets(secrets: readonly string[], environment: Record<string, string>, fail: Fail): string[] {
  const seen = new Set<string>();
  secrets.forEach((name, i) => {
    checkEnvName(name, `secrets[${i}]`, fail);
    if (seen.has(name)) fail(`secrets[${i}]`, `"${name}" is listed twice`);
    if (name in environment) fail(`secrets[${i}]`, `"${name}" is also a plain environment variable`);
    seen.add(name);
  });
  return [...secrets];
}
