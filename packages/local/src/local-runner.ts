// The local runner: the whole system on one machine — database, pre-deploy tasks, services, task runs — like ECS.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  queueUrlVariable,
  serviceUrlVariable,
  type System,
  type Workload,
  workflowDefinition,
} from '@hello-fargate/workload';
import { type BatchEndpoint, LocalBatch, startBatchEndpoint } from './batch/index.js';
import { batchJobDefinitions, batchJobQueues } from './batch-definitions.js';
import { type Bundle, bundleWorkload } from './bundle-workload.js';
import { type ConsoleServer, startConsoleServer } from './console/index.js';
import { type ControlServer, startControlServer } from './control-server.js';
import { formatLine } from './format-line.js';
import { type LocalDatabase, startLocalDatabase } from './local-database.js';
import { readLocalSecrets, secretsFor } from './local-secrets.js';
import { type MetadataServer, type MetadataTask, startMetadataServer } from './metadata-server.js';
import { freePort } from './ports.js';
import { type ServiceConnectProxy, startServiceConnectProxy } from './service-connect-proxy.js';
import { type SqsEndpoint, startSqsEndpoint } from './sqs/index.js';
import { LOCAL_REGION, startWebLayer, type WebLayer } from './web-layer.js';
import { type RestartPolicy, ServiceController, type ServiceSnapshot } from './service-controller.js';
import { type Clock, type Scheduler, startScheduler } from './scheduler/index.js';
import { newTaskId, TaskProcess, type TaskResult } from './task-process.js';
import {
  containerExitCode,
  localStateMachine,
  localWorkflowTargets,
  runTaskSyncHandler,
  sqsSendMessageHandler,
  workflowResources,
} from './workflow-resources.js';
import { type ExecutionRecord, type HistoryEvent, LocalWorkflows } from './workflows/index.js';

export interface LocalRunnerOptions {
  readonly system: System;
  /** The project root: holds `secrets.local.json` and, by default, the state folder. */
  readonly root: string;
  /** Folder for all runner state (database, bundles, logs, runner.json); git-ignored. @default `<root>/.hf` */
  readonly stateDir?: string;
  /** Use this PostgreSQL server instead of the embedded PGlite. @default process.env.DATABASE_URL */
  readonly databaseUrl?: string;
  /** Port of the embedded database; 0 picks a free one, and a busy port falls back to a free one. @default 0 */
  readonly databasePort?: number;
  /** Port of the control API (`hf status`, `hf run-task`); same fallback. @default 0 */
  readonly controlPort?: number;
  /** Where status and task output lines go. @default - written to stdout */
  readonly output?: (line: string) => void;
  /** How services are restarted. @default - ServiceController defaults */
  readonly restart?: RestartPolicy;
  /** Seconds between early health probes (until a task is first healthy). @default 0.5 */
  readonly earlyProbeSeconds?: number;
  /** Start services, or only the database and tasks (`hf run-task` without a running system). @default true */
  readonly services?: boolean;
  /** Port of the local SQS endpoint; 0 picks a free one, a busy port falls back to a free one. @default 0 */
  readonly sqsPort?: number;
  /** Listen on free ports instead of the declared load balancer ports (tests). @default false */
  readonly freeListenerPorts?: boolean;
  /** Run the pre-deploy tasks (migrations) before services start. @default true */
  readonly preDeploy?: boolean;
  /** Run the workloads' `localSeed` tasks (sample data) after the pre-deploy tasks. @default true */
  readonly seed?: boolean;
  /**
   * How long start-up waits for services to turn healthy before it reports which are not and carries on (they
   * keep being replaced, and give up on a crash loop). @default 60
   */
  readonly readyTimeoutSeconds?: number;
  /** Clock the scheduler reads and sets its timers with (tests pass a ManualClock). @default - the system clock */
  readonly clock?: Clock;
  /** Fire the declared schedules (workflows, scheduled tasks) while running. @default true */
  readonly schedules?: boolean;
  /** Port of the local AWS Batch API endpoint; 0 picks a free one, a busy port falls back to a free one. @default 0 */
  readonly batchPort?: number;
  /**
   * Most Batch containers running at once on this machine, on top of each queue's maxvCpus (a laptop has fewer
   * cores than a compute environment). @default 4 × the number of CPUs
   */
  readonly batchMaxConcurrentContainers?: number;
  /** Smallest attemptDurationSeconds accepted (AWS Batch: 60); tests lower it. @default 60 */
  readonly batchMinimumAttemptDurationSeconds?: number;
  /** Seconds between SIGTERM and SIGKILL when Batch stops a container at its timeout (AWS Batch: 30). @default 30 */
  readonly batchKillGraceSeconds?: number;
  /** Multiplies the workflows' Retry intervals (tests use a small value). @default 1 */
  readonly workflowRetryIntervalScale?: number;
  /** Port of the console (web UI, started with the services); 0 picks a free one, a busy port falls back. @default 0 */
  readonly consolePort?: number;
}

/** A workflow as `hf workflow list` and the console show it. */
export interface WorkflowSummary {
  readonly name: string;
  readonly description: string;
  readonly steps: readonly string[];
  readonly schedule?: {
    readonly expression: string;
    readonly timezone: string;
    readonly enabled: boolean;
    readonly next?: string;
  };
  readonly lastExecution?: ExecutionRecord;
}

/** A scheduled task (a scheduledjob with a schedule trigger) as the status shows it. */
export interface ScheduledTaskSummary {
  readonly workload: string;
  readonly expression: string;
  readonly timezone: string;
  readonly enabled: boolean;
  readonly next?: string;
  readonly lastFiredAt?: string;
  /** Invocations that could not start the task (what the Scheduler's DLQ receives in AWS). */
  readonly failedInvocations: number;
}

export interface RunTaskOptions {
  /** Container command override; @default the workload's declared command */
  readonly args?: readonly string[];
  /** Extra environment (ECS containerOverrides.environment). @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 'run-task' */
  readonly startedBy?: string;
  /** Receives the task's output lines as they come. @default - none beyond the runner's output */
  readonly onLine?: (line: string) => void;
  /** Seconds between SIGTERM and SIGKILL when it is stopped. @default - the workload's stopTimeoutSeconds */
  readonly stopTimeoutSeconds?: number;
}

export interface WorkloadStatus {
  readonly name: string;
  readonly kind: string;
  readonly state: string;
  readonly message: string;
  readonly service?: ServiceSnapshot;
  readonly lastRun?: TaskSummary;
}

export interface TaskSummary {
  readonly taskId: string;
  readonly workload: string;
  readonly startedBy: string;
  readonly status: string;
  readonly exitCode: number | null;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly startedAt?: string;
  readonly stoppedAt?: string;
  readonly logFile: string;
}

export interface RunnerStatus {
  readonly running: true;
  readonly system: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly stateDir: string;
  readonly endpoints: Record<string, string | null>;
  /** The declared queues and their DLQs, by name. */
  readonly queues: string[];
  /** Each backend's Service Connect stand-in, by workload name (what callers get as `<NAME>_URL`). */
  readonly serviceConnect: Record<string, string>;
  readonly database: { readonly kind: 'pglite' | 'external'; readonly url: string };
  readonly workloads: WorkloadStatus[];
  readonly tasks: TaskSummary[];
  /** Load balancer listener of each external workload, by workload name. */
  readonly listeners: Record<string, string>;
  readonly workflows: WorkflowSummary[];
  readonly scheduledTasks: ScheduledTaskSummary[];
  /** The local Batch: its job queues and each batchjob's declared queue (job definition → queue). */
  readonly batch?: { readonly jobQueues: string[]; readonly jobDefinitions: Record<string, string> };
}

/** Thrown when start-up cannot complete; the runner has already cleaned up. */
export class RunnerStartError extends Error {
  override readonly name = 'RunnerStartError';
}

const HISTORY = 100;

export class LocalRunner {
  readonly stateDir: string;
  readonly startedAt = new Date();
  private database: LocalDatabase | undefined;
  private databaseUrl = '';
  private metadata: MetadataServer | undefined;
  private control: ControlServer | undefined;
  private console: ConsoleServer | undefined;
  private readonly bundles = new Map<string, Bundle>();
  private readonly services = new Map<string, ServiceController>();
  private readonly proxies = new Map<string, ServiceConnectProxy>();
  private web: WebLayer | undefined;
  private sqs: SqsEndpoint | undefined;
  private sqsClient: SQSClient | undefined;
  private batchEngine: LocalBatch | undefined;
  private batchEndpoint: BatchEndpoint | undefined;
  private workflowEngine: LocalWorkflows | undefined;
  private scheduler: Scheduler | undefined;
  private readonly scheduledTasks = new Map<string, { lastFiredAt?: string; failedInvocations: number }>();
  private readonly oneShot = new Map<string, { task: TaskProcess; workload: Workload }>();
  private readonly history: TaskSummary[] = [];
  private secrets: Record<string, string> = {};
  private stopping: Promise<void> | undefined;
  private readonly out: (line: string) => void;

  private constructor(private readonly options: LocalRunnerOptions) {
    this.stateDir = options.stateDir ?? join(options.root, '.hf');
    this.out = options.output ?? ((line) => process.stdout.write(`${line}\n`));
  }

  get secretsFile(): string {
    return join(this.options.root, 'secrets.local.json');
  }

  /** Starts the runner; on any failure everything started so far is stopped and a RunnerStartError is thrown. */
  static async start(options: LocalRunnerOptions): Promise<LocalRunner> {
    const runner = new LocalRunner(options);
    try {
      await runner.boot();
      return runner;
    } catch (error) {
      await runner.stop().catch(() => undefined);
      if (error instanceof RunnerStartError) throw error;
      throw new RunnerStartError((error as Error).message, { cause: error });
    }
  }

  private async boot(): Promise<void> {
    const { system } = this.options;
    this.claimStateDir();
    this.secrets = readLocalSecrets(this.secretsFile);
    for (const workload of system.workloads) secretsFor(workload, this.secrets, this.secretsFile);

    const external = this.options.databaseUrl ?? process.env.DATABASE_URL;
    if (external) {
      this.databaseUrl = external;
      this.out(`database   ${redact(external)} (DATABASE_URL)`);
    } else {
      const started = Date.now();
      this.database = await startLocalDatabase({
        dataDir: join(this.stateDir, 'pgdata'),
        port: await freePort(this.options.databasePort ?? 0),
      });
      this.databaseUrl = this.database.url;
      this.out(
        `database   ${this.database.url} (PGlite, data in ${join(this.stateDir, 'pgdata')}, ${Date.now() - started} ms)`,
      );
    }

    const bundleStart = Date.now();
    await Promise.all(
      system.workloads.map(async (workload) => {
        const bundle = await bundleWorkload(workload, { outDir: join(this.stateDir, 'build', workload.name) });
        this.bundles.set(workload.name, bundle);
      }),
    );
    this.out(`bundled    ${system.workloads.length} workload(s) in ${Date.now() - bundleStart} ms`);

    this.metadata = await startMetadataServer((id) => this.findTask(id));
    this.control = await startControlServer(this, await freePort(this.options.controlPort ?? 0));
    await this.startServiceConnect();
    await this.startQueues();
    await this.startBatch();
    this.startWorkflows();
    if (this.options.services ?? true) await this.startWeb();
    if (this.options.services ?? true) {
      this.console = await startConsoleServer({
        port: this.options.consolePort ?? 0,
        sources: {
          status: () => this.status(),
          runningTasks: () =>
            [...this.oneShot.values()].map(({ task }) => ({
              taskId: task.id,
              workload: task.workload,
              startedBy: task.startedBy,
              status: task.status,
              exitCode: null,
              ...(task.startedAt ? { startedAt: task.startedAt.toISOString() } : {}),
              logFile: join(this.stateDir, 'logs', task.workload, `${task.id}.log`),
            })),
          workflows: this.workflowEngine,
          batch: this.batchEngine,
          queues: () =>
            this.sqs && {
              url: this.sqs.url,
              queues: this.options.system.queues.map((q) => ({ name: q.name, dlqName: q.dlqName })),
              stats: (name) => (this.sqs as SqsEndpoint).stats(name),
            },
          listeners: () => this.web?.listeners ?? new Map(),
          startWorkflow: (name, input, startedBy) => this.startWorkflow(name, input, startedBy),
          logsDir: join(this.stateDir, 'logs'),
        },
      });
      this.out(`console    ${this.console.url}`);
    }
    this.writeRunnerFile();

    if (this.options.preDeploy ?? true) await this.runPreDeploy();
    if (this.options.services ?? true) await this.startServices();
    if ((this.options.services ?? true) && (this.options.schedules ?? true)) this.startSchedules();
  }

  /** The local Batch engine (tests and the console). */
  get batch(): LocalBatch | undefined {
    return this.batchEngine;
  }

  /** The local Step Functions executor (tests and the console). */
  get workflows(): LocalWorkflows | undefined {
    return this.workflowEngine;
  }

  /** Starts an execution of a workflow now (`hf workflow run-now`). */
  startWorkflow(name: string, input: unknown, startedBy = 'run-now'): ExecutionRecord {
    this.options.system.workflow(name);
    if (!this.workflowEngine) throw new Error('workflows are not running');
    const execution = this.workflowEngine.startExecution(name, input, { startedBy });
    return this.workflowEngine.describeExecution(execution.executionArn) as ExecutionRecord;
  }

  /** An execution and its history, or undefined when there is none with that ARN. */
  execution(arn: string): { execution: ExecutionRecord; history: HistoryEvent[] } | undefined {
    const execution = this.workflowEngine?.describeExecution(arn);
    if (!execution || !this.workflowEngine) return undefined;
    return { execution, history: this.workflowEngine.history(arn) };
  }

  /** The executions of a workflow, newest first. */
  executions(name: string): ExecutionRecord[] {
    this.options.system.workflow(name);
    return this.workflowEngine?.listExecutions(name) ?? [];
  }

  private workflowSummaries(): WorkflowSummary[] {
    const next = new Map((this.scheduler?.nextFireTimes() ?? []).map((n) => [n.name, n.next]));
    return this.options.system.workflows.map((workflow) => {
      const last = this.workflowEngine?.listExecutions(workflow.name)[0];
      const at = next.get(`workflow:${workflow.name}`);
      return {
        name: workflow.name,
        description: workflow.description,
        steps: workflow.steps.map((s) => s.name),
        ...(workflow.schedule
          ? {
              schedule: {
                expression: workflow.schedule.expression,
                timezone: workflow.schedule.timezone,
                enabled: workflow.schedule.enabled,
                ...(at ? { next: at.toISOString() } : {}),
              },
            }
          : {}),
        ...(last ? { lastExecution: last } : {}),
      };
    });
  }

  private scheduledTaskSummaries(): ScheduledTaskSummary[] {
    const next = new Map((this.scheduler?.nextFireTimes() ?? []).map((n) => [n.name, n.next]));
    return this.options.system.workloads.flatMap((workload) => {
      const trigger = workload.trigger;
      if (trigger?.type !== 'schedule') return [];
      const state = this.scheduledTasks.get(workload.name);
      const at = next.get(`task:${workload.name}`);
      return [
        {
          workload: workload.name,
          expression: trigger.expression,
          timezone: trigger.timezone,
          enabled: trigger.enabled,
          ...(at ? { next: at.toISOString() } : {}),
          ...(state?.lastFiredAt ? { lastFiredAt: state.lastFiredAt } : {}),
          failedInvocations: state?.failedInvocations ?? 0,
        },
      ];
    });
  }

  /** The local AWS Batch and its API endpoint, when the system declares job queues. */
  private async startBatch(): Promise<void> {
    const { system } = this.options;
    if (system.jobQueues.length === 0) return;
    this.batchEngine = new LocalBatch({
      region: LOCAL_REGION,
      jobQueues: batchJobQueues(system),
      jobDefinitions: batchJobDefinitions(system),
      stateDir: this.stateDir,
      killGraceSeconds: this.options.batchKillGraceSeconds ?? 30,
      minimumAttemptDurationSeconds: this.options.batchMinimumAttemptDurationSeconds ?? 60,
      maxConcurrentContainers: this.options.batchMaxConcurrentContainers ?? 4 * availableParallelism(),
      runContainer: (spec) => {
        const task = this.startTask(spec.definition.name, {
          args: spec.command,
          environment: { ...spec.environment, AWS_REGION: LOCAL_REGION },
          startedBy: `batch:${spec.jobId}`,
          stopTimeoutSeconds: spec.killGraceSeconds,
        });
        return {
          started: task.then((t) => t.started),
          result: task.then(async (t) => {
            const result = await t.stopped;
            return {
              exitCode: containerExitCode(result) ?? null,
              ...(result.exitCode === null
                ? { reason: result.signal ? `killed by ${result.signal}` : result.stoppedReason }
                : {}),
            };
          }),
          stop: (reason) => {
            void task.then(
              (t) => t.stop(reason),
              () => undefined,
            );
          },
        };
      },
    });
    this.batchEngine.on('change', (change) => {
      if (change.arrayJobId !== undefined) return;
      const reason = change.statusReason ? ` (${change.statusReason})` : '';
      if (change.status === 'SUBMITTED' || change.status === 'SUCCEEDED' || change.status === 'FAILED') {
        this.out(`batch      ${change.jobName} ${change.jobId} ${change.status}${reason}`);
      }
    });
    const preferred = this.options.batchPort ?? 0;
    const start = (port: number) => startBatchEndpoint({ batch: this.batchEngine as LocalBatch, port });
    this.batchEndpoint = await start(preferred).catch((error: NodeJS.ErrnoException) => {
      if (preferred !== 0 && error.code === 'EADDRINUSE') return start(0);
      throw error;
    });
    this.out(
      `batch      ${this.batchEndpoint.url} (job queues ${system.jobQueues.map((q) => `${q.name} maxvCpus ${q.maxvCpus}`).join(', ')}; \`hf batch submit\`)`,
    );
  }

  /** The workflows' state machines, generated from the declarations exactly as CDK deploys them. */
  private startWorkflows(): void {
    const { system } = this.options;
    if (system.workflows.length === 0) return;
    const targets = localWorkflowTargets(system, (name) => this.sqs?.queueUrl(name));
    this.workflowEngine = new LocalWorkflows({
      workflows: system.workflows.map((workflow) => ({
        name: workflow.name,
        definition: localStateMachine(workflowDefinition(workflow, targets(workflow.notifyQueue))),
      })),
      resources: workflowResources(
        runTaskSyncHandler({
          system,
          startTask: (workload, run) => this.startTask(workload, run),
          stateTimeoutSeconds: (name, state) =>
            system.workflows.find((w) => w.name === name)?.steps.find((step) => `Run ${step.name}` === state)
              ?.timeoutSeconds,
        }),
        sqsSendMessageHandler(() => this.sqsClient),
      ),
      stateDir: this.stateDir,
      region: LOCAL_REGION,
      retryIntervalScale: this.options.workflowRetryIntervalScale ?? 1,
      output: (line) => this.out(`workflow   ${line}`),
    });
    this.out(`workflows  ${system.workflows.map((w) => w.name).join(', ')} (\`hf workflow run-now <name>\`)`);
  }

  /** Fires workflow schedules and scheduled tasks from now on (missed fire times are not made up). */
  private startSchedules(): void {
    const { system } = this.options;
    const entries = [
      ...system.workflows.flatMap((workflow) => {
        const schedule = workflow.schedule;
        if (!schedule?.enabled) return [];
        return [
          {
            name: `workflow:${workflow.name}`,
            schedule: schedule.schedule,
            fire: (scheduledTime: Date) => {
              this.startWorkflow(
                workflow.name,
                // as <aws.scheduler.scheduled-time> renders it: ISO 8601 in UTC, to the second
                { ...schedule.input, scheduledTime: scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z') },
                `schedule:${workflow.name}`,
              );
            },
          },
        ];
      }),
      ...system.workloads.flatMap((workload) => {
        const trigger = workload.trigger;
        if (trigger?.type !== 'schedule' || !trigger.enabled) return [];
        return [
          {
            name: `task:${workload.name}`,
            schedule: trigger.schedule,
            fire: async (scheduledTime: Date) => {
              const state = this.scheduledTasks.get(workload.name) ?? { failedInvocations: 0 };
              this.scheduledTasks.set(workload.name, { ...state, lastFiredAt: scheduledTime.toISOString() });
              try {
                await this.startTask(workload.name, { args: trigger.command, startedBy: `schedule:${workload.name}` });
              } catch (error) {
                // In AWS a RunTask the Scheduler cannot make goes to the schedule's DLQ after its retries.
                this.scheduledTasks.set(workload.name, {
                  lastFiredAt: scheduledTime.toISOString(),
                  failedInvocations: state.failedInvocations + 1,
                });
                throw error;
              }
            },
          },
        ];
      }),
    ];
    if (entries.length === 0) return;
    this.scheduler = startScheduler(entries, {
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      onError: (name, error) => this.out(`schedule   ${name} failed to start: ${(error as Error).message}`),
    });
    for (const { name, next } of this.scheduler.nextFireTimes()) {
      this.out(`schedule   ${name} next at ${next ? next.toISOString() : 'never'}`);
    }
  }

  /** Runs one task of a workload like ECS RunTask and resolves when it has stopped. */
  async runTask(name: string, options: RunTaskOptions = {}): Promise<TaskResult> {
    const task = await this.startTask(name, options);
    return task.stopped;
  }

  /** Starts one task of a workload like ECS RunTask; it is tracked (status, history) until it stops. */
  async startTask(name: string, options: RunTaskOptions = {}): Promise<TaskProcess> {
    const workload = this.options.system.workload(name);
    if (workload.isService && workload.port !== undefined && options.args === undefined) {
      throw new Error(`workload "${name}" is a ${workload.kind} service; run-task needs a command for it`);
    }
    const task = await this.launch(workload, {
      args: options.args ?? workload.command,
      startedBy: options.startedBy ?? 'run-task',
      environment: options.environment ?? {},
      ...(options.onLine ? { onLine: options.onLine } : {}),
      ...(options.stopTimeoutSeconds !== undefined ? { stopTimeoutSeconds: options.stopTimeoutSeconds } : {}),
    });
    this.oneShot.set(task.id, { task, workload });
    void task.stopped.then((result) => {
      this.oneShot.delete(task.id);
      this.remember(task, result);
    });
    return task;
  }

  /** The listener URL of the (first) workload of that kind. */
  private listenerUrl(kind: 'webapp' | 'webapi'): string | null {
    const workload = this.options.system.workloads.find((w) => w.kind === kind);
    return (workload && this.web?.listeners.get(workload.name)?.url) ?? null;
  }

  status(): RunnerStatus {
    const workloads: WorkloadStatus[] = this.options.system.workloads.map((workload) => {
      const service = this.services.get(workload.name);
      if (service) {
        const snapshot = service.snapshot();
        return {
          name: workload.name,
          kind: workload.kind,
          state: snapshot.state,
          message: snapshot.message,
          service: snapshot,
        };
      }
      const running = [...this.oneShot.values()].find((t) => t.workload.name === workload.name);
      const lastRun = this.history.find((t) => t.workload === workload.name);
      const state = running ? 'RUNNING' : !lastRun ? 'IDLE' : lastRun.exitCode === 0 ? 'SUCCEEDED' : 'FAILED';
      return {
        name: workload.name,
        kind: workload.kind,
        state,
        message: lastRun && lastRun.exitCode !== 0 ? (lastRun.stoppedReason ?? '') : '',
        ...(lastRun ? { lastRun } : {}),
      };
    });
    return {
      running: true,
      system: this.options.system.name,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      stateDir: this.stateDir,
      endpoints: {
        control: this.control?.url ?? null,
        console: this.console?.url ?? null,
        webapp: this.listenerUrl('webapp'),
        webapi: this.listenerUrl('webapi'),
        identityIssuer: this.web?.identity.issuer ?? null,
        sqs: this.sqs?.url ?? null,
        batch: this.batchEndpoint?.url ?? null,
        database: this.databaseUrl,
        metadata: this.metadata?.url ?? null,
      },
      queues: this.options.system.queues.flatMap((q) => [q.name, q.dlqName]),
      serviceConnect: Object.fromEntries([...this.proxies].map(([name, proxy]) => [name, proxy.url])),
      database: { kind: this.database ? 'pglite' : 'external', url: this.databaseUrl },
      workloads,
      tasks: [...this.history],
      listeners: Object.fromEntries([...(this.web?.listeners ?? new Map())].map(([name, l]) => [name, l.url])),
      workflows: this.workflowSummaries(),
      scheduledTasks: this.scheduledTaskSummaries(),
      ...(this.batchEngine
        ? {
            batch: {
              jobQueues: this.options.system.jobQueues.map((q) => q.name),
              jobDefinitions: Object.fromEntries(
                this.options.system.workloads.flatMap((w) => (w.batch ? [[w.name, w.batch.jobQueue]] : [])),
              ),
            },
          }
        : {}),
    };
  }

  /** Stops services (SIGTERM, SIGKILL after each stopTimeout), running tasks, servers and the database. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.scheduler?.stop();
    await this.console?.close();
    await this.workflowEngine?.close();
    await this.batchEngine?.close();
    await this.batchEndpoint?.close();
    await Promise.all([
      ...[...this.services.values()].map((s) => s.stop()),
      ...[...this.oneShot.values()].map(({ task }) => task.stop('Runner shutting down')),
    ]);
    await this.web?.close();
    await this.sqs?.close();
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
    await this.control?.close();
    await this.metadata?.close();
    await this.database?.stop();
    rmSync(join(this.stateDir, 'runner.json'), { force: true });
  }

  private claimStateDir(): void {
    mkdirSync(this.stateDir, { recursive: true });
    const file = join(this.stateDir, 'runner.json');
    if (!existsSync(file)) return;
    let previous: { pid?: number; taskPids?: number[] } = {};
    try {
      previous = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // Unreadable leftovers: nothing to clean up.
    }
    if (previous.pid !== undefined && isAlive(previous.pid)) {
      throw new RunnerStartError(
        `a local runner is already running (pid ${previous.pid}) with state in ${this.stateDir}; ` +
          'stop it (Ctrl-C in its terminal) or use `hf status` to see it',
      );
    }
    // A runner that was killed outright leaves its tasks behind (they run in their own process groups): end them.
    const leftovers = (previous.taskPids ?? []).filter(isAlive);
    for (const pid of leftovers) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (leftovers.length > 0) {
      this.out(`cleanup    ended ${leftovers.length} task(s) left running by a runner that did not stop cleanly`);
    }
  }

  private writeRunnerFile(): void {
    const taskPids = [...this.allTasks()].map((t) => t.pid).filter((pid): pid is number => pid !== undefined);
    const state = { pid: process.pid, startedAt: this.startedAt.toISOString(), control: this.control?.url, taskPids };
    writeFileSync(join(this.stateDir, 'runner.json'), `${JSON.stringify(state, null, 2)}\n`);
  }

  private *allTasks(): Iterable<TaskProcess> {
    for (const { task } of this.oneShot.values()) yield task;
    for (const service of this.services.values()) yield* service.currentTasks;
  }

  /** preDeploy runs of every workload, then their local seeds; any failure stops start-up before services. */
  private async runPreDeploy(): Promise<void> {
    const runs = this.options.system.workloads.flatMap((workload) => [
      ...workload.preDeploy.map((args) => ({ workload, args, label: 'pre-deploy' })),
      ...((this.options.seed ?? true) ? workload.localSeed.map((args) => ({ workload, args, label: 'seed' })) : []),
    ]);
    for (const { workload, args, label } of runs) {
      this.out(`${label.padEnd(10)} ${workload.name} ${args.join(' ')}`);
      const result = await this.runTask(workload.name, { args, startedBy: label });
      if (result.exitCode !== 0) {
        throw new RunnerStartError(
          `${label} task "${workload.name} ${args.join(' ')}" failed (${describeExit(result)}); ` +
            `services were not started. Log: ${result.logFile}`,
        );
      }
    }
  }

  /** The SQS-compatible endpoint with every declared queue and its DLQ, when the system declares queues. */
  private async startQueues(): Promise<void> {
    const { queues } = this.options.system;
    if (queues.length === 0) return;
    const preferred = this.options.sqsPort ?? 0;
    const start = (port: number) =>
      startSqsEndpoint({ dataDir: join(this.stateDir, 'sqs'), port, region: LOCAL_REGION });
    this.sqs = await start(preferred).catch((error: NodeJS.ErrnoException) => {
      if (preferred !== 0 && error.code === 'EADDRINUSE') return start(0);
      throw error;
    });
    await this.sqs.createQueues(queues);
    this.sqsClient = new SQSClient({
      endpoint: this.sqs.url,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    this.out(
      `sqs        ${this.sqs.url} (${queues.map((q) => `${q.name} + ${q.dlqName}`).join(', ')}; durable in ${join(this.stateDir, 'sqs')})`,
    );
  }

  /** The identity provider and the load balancer listeners, when the system has a webapp or webapi. */
  private async startWeb(): Promise<void> {
    this.web = await startWebLayer({
      system: this.options.system,
      root: this.options.root,
      stateDir: this.stateDir,
      freeListenerPorts: this.options.freeListenerPorts ?? false,
      targetsOf: (name) => this.serviceTargets(name).map((t) => ({ id: t.id, url: `http://127.0.0.1:${t.port}` })),
    });
    if (!this.web) return;
    this.out(
      `identity   ${this.web.identity.issuer} (local Cognito stand-in; users and clients in local/identity.json)`,
    );
    for (const [name, listener] of this.web.listeners) this.out(`listener   ${name} at ${listener.url}`);
  }

  /** A service's running replicas that are not unhealthy: what Service Connect and load balancers send to. */
  private serviceTargets(name: string): { id: string; port: number }[] {
    return (this.services.get(name)?.currentTasks ?? [])
      .filter((t) => t.status === 'RUNNING' && t.health !== 'UNHEALTHY' && t.port !== undefined)
      .map((t) => ({ id: t.id, port: t.port as number }));
  }

  /** One balancing endpoint per backend, over its running replicas that are not unhealthy. */
  private async startServiceConnect(): Promise<void> {
    for (const workload of this.options.system.workloads) {
      if (!workload.serviceConnect || workload.port === undefined) continue;
      const proxy = await startServiceConnectProxy({
        name: workload.name,
        targets: () => this.serviceTargets(workload.name),
      });
      this.proxies.set(workload.name, proxy);
      this.out(
        `service    ${workload.name} reachable at ${proxy.url} (Service Connect alias ${workload.serviceConnect.dnsName})`,
      );
    }
  }

  private async startServices(): Promise<void> {
    const services = this.options.system.workloads.filter((w) => w.isService && w.desiredCount > 0);
    for (const workload of services) {
      const controller = new ServiceController({
        workload,
        launch: () =>
          this.launch(workload, { args: workload.command, startedBy: `service:${workload.name}`, environment: {} }),
        report: (message) => this.out(`service    ${message}`),
        ...(this.options.restart ? { restart: this.options.restart } : {}),
        ...(this.options.earlyProbeSeconds !== undefined ? { earlyProbeSeconds: this.options.earlyProbeSeconds } : {}),
      });
      this.services.set(workload.name, controller);
    }
    await Promise.all([...this.services.values()].map((s) => s.start()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, (this.options.readyTimeoutSeconds ?? 60) * 1000);
    });
    await Promise.race([Promise.all([...this.services.values()].map((s) => s.whenReady())), deadline]);
    clearTimeout(timer);
    for (const service of this.services.values()) {
      const s = service.snapshot();
      if (s.state === 'STARTING') {
        this.out(
          `service    ${s.name} is not healthy yet (${s.healthyCount}/${s.desiredCount}); carrying on, see \`hf status\``,
        );
      }
    }
  }

  /** A service's controller, for tests and the console. */
  service(name: string): ServiceController | undefined {
    return this.services.get(name);
  }

  private async launch(
    workload: Workload,
    run: {
      args: readonly string[];
      startedBy: string;
      environment: Readonly<Record<string, string>>;
      onLine?: (line: string) => void;
      stopTimeoutSeconds?: number;
    },
  ): Promise<TaskProcess> {
    const bundle = this.bundles.get(workload.name);
    if (!bundle) throw new Error(`workload "${workload.name}" was not bundled`);
    const port = workload.isService && workload.port !== undefined ? await freePort(0) : undefined;
    const id = newTaskId();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
      ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
      NODE_ENV: 'development',
      HF_WORKLOAD: workload.name,
      STOP_TIMEOUT_SECONDS: String(workload.stopTimeoutSeconds),
      ECS_CONTAINER_METADATA_URI_V4: `${this.metadata?.url}/v4/${id}`,
      ...(workload.dependsOn.database ? { DATABASE_URL: this.databaseUrl } : {}),
      ...(port !== undefined ? { PORT: String(port) } : {}),
      ...Object.fromEntries(
        workload.dependsOn.workloads.map((dep) => [serviceUrlVariable(dep), this.proxies.get(dep)?.url ?? '']),
      ),
      ...(this.web?.environmentFor(workload) ?? {}),
      ...this.queueEnvironment(workload),
      ...workload.environment,
      ...secretsFor(workload, this.secrets, this.secretsFile),
      ...run.environment,
    };
    const task = TaskProcess.start({
      id,
      workload: workload.name,
      command: [process.execPath, '--enable-source-maps', bundle.entryFile, ...run.args],
      env,
      cwd: join(this.stateDir, 'build', workload.name),
      stopTimeoutSeconds: run.stopTimeoutSeconds ?? workload.stopTimeoutSeconds,
      logFile: join(this.stateDir, 'logs', workload.name, `${id}.log`),
      startedBy: run.startedBy,
      ...(port !== undefined ? { port } : {}),
      onLine: (line) => {
        const formatted = formatLine(line);
        this.out(formatted);
        run.onLine?.(formatted);
      },
    });
    if (this.control && !this.stopping) {
      this.writeRunnerFile();
      void task.stopped.then(() => {
        if (!this.stopping) this.writeRunnerFile();
      });
    }
    return task;
  }

  /**
   * The SQS part of the contract: `<NAME>_QUEUE_URL` per declared queue, the endpoint in `AWS_ENDPOINT_URL_SQS` (read
   * by the SDK itself), a region, and placeholder credentials the SDK signs with (the local endpoint ignores them).
   */
  private queueEnvironment(workload: Workload): Record<string, string> {
    if (!this.sqs || workload.dependsOn.queues.length === 0) return {};
    const sqs = this.sqs;
    return {
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ...Object.fromEntries(workload.dependsOn.queues.map((name) => [queueUrlVariable(name), sqs.queueUrl(name)])),
    };
  }

  private findTask(id: string): MetadataTask | undefined {
    const single = this.oneShot.get(id);
    if (single) return single;
    for (const service of this.services.values()) {
      const task = service.currentTasks.find((t) => t.id === id);
      if (task) return { task, workload: service.workload };
    }
    return undefined;
  }

  private remember(task: TaskProcess, result: TaskResult): void {
    this.history.unshift({
      taskId: result.taskId,
      workload: result.workload,
      startedBy: task.startedBy,
      status: 'STOPPED',
      exitCode: result.exitCode,
      stopCode: result.stopCode,
      stoppedReason: result.stoppedReason,
      startedAt: result.startedAt.toISOString(),
      stoppedAt: result.stoppedAt.toISOString(),
      logFile: result.logFile,
    });
    if (this.history.length > HISTORY) this.history.pop();
  }
}

export function describeExit(
  result: Pick<TaskResult, 'exitCode' | 'stoppedReason'> & { signal: string | null },
): string {
  if (result.exitCode !== null) return `exit code ${result.exitCode}`;
  if (result.signal) return `killed by ${result.signal}`;
  return result.stoppedReason;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
