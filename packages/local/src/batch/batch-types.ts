// Public types of the local AWS Batch: options, job definitions, the container contract, requests and AWS-shaped answers.

/** Job states in lifecycle order, as AWS Batch names them. */
export const JOB_STATUSES = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface KeyValuePair {
  readonly name: string;
  readonly value: string;
}

/** One evaluateOnExit rule: the first rule whose given conditions all match a failed attempt decides. */
export interface EvaluateOnExit {
  /** `RETRY` or `EXIT`, case-insensitive. */
  readonly action: string;
  /** Exit code pattern: digits, may end with `*`. @default - any exit code */
  readonly onExitCode?: string;
  /** Pattern for the container's `reason`. @default - any reason */
  readonly onReason?: string;
  /** Pattern for the attempt's status reason (e.g. `Job attempt duration exceeded timeout`). @default - any */
  readonly onStatusReason?: string;
}

export interface RetryStrategy {
  /** Attempts per job (per child for arrays), 1–10. @default 1 */
  readonly attempts?: number;
  /** At most 5 rules; no rule matching means RETRY while attempts remain. @default - none */
  readonly evaluateOnExit?: readonly EvaluateOnExit[];
}

export interface JobTimeout {
  /** Seconds an attempt may run from its startedAt; AWS requires at least 60. @default - no timeout */
  readonly attemptDurationSeconds?: number;
}

/** A registered job definition (always revision 1 locally unless given). */
export interface JobDefinitionSpec {
  readonly name: string;
  /** @default 1 */
  readonly revision?: number;
  /** vCPUs of each job (e.g. 0.25); counted against the queue's maxvCpus. */
  readonly vcpus: number;
  /** MiB of memory of each job. */
  readonly memory: number;
  /** Command of the container. */
  readonly command: readonly string[];
  /** Environment of the container. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default { attempts: 1 } */
  readonly retryStrategy?: RetryStrategy;
  /** @default - no timeout */
  readonly timeout?: JobTimeout;
  /** Image shown by DescribeJobDefinitions and DescribeJobs. @default 'local' */
  readonly image?: string;
}

/** A job queue with its own Fargate compute environment. */
export interface JobQueueSpec {
  readonly name: string;
  /** vCPUs the compute environment may use at once: STARTING + RUNNING jobs never exceed it. */
  readonly maxvCpus: number;
  /** Higher runs first when `maxConcurrentContainers` is the limit. @default 1 */
  readonly priority?: number;
}

/** What `runContainer` is asked to run: one attempt of one job (or array child). */
export interface ContainerSpec {
  /** The job id (`<parentId>:<index>` for an array child). */
  readonly jobId: string;
  readonly jobName: string;
  /** Queue name. */
  readonly jobQueue: string;
  /** Attempt number, from 1. */
  readonly attempt: number;
  /** Index of an array child. @default - not an array child */
  readonly arrayIndex?: number;
  readonly definition: JobDefinitionSpec;
  /** Command after overrides. */
  readonly command: readonly string[];
  /** Definition environment + overrides + the `AWS_BATCH_*` variables. */
  readonly environment: Readonly<Record<string, string>>;
  readonly vcpus: number;
  readonly memory: number;
  /** Seconds between SIGTERM and SIGKILL when the runner stops the container. */
  readonly killGraceSeconds: number;
  /** The attempt's timeout, enforced by LocalBatch through `stop`. @default - none */
  readonly attemptDurationSeconds?: number;
}

/** How a container ended: exitCode null means killed by a signal or never started. */
export interface ContainerResult {
  readonly exitCode: number | null;
  /** The container's reason (AWS `container.reason`, matched by `onReason`). @default - none */
  readonly reason?: string;
}

/** A started container, as `runContainer` returns it. */
export interface ContainerRun {
  /** @default - none */
  readonly taskArn?: string;
  /** @default - none */
  readonly logStreamName?: string;
  /** Resolves once the container runs (STARTING → RUNNING); rejecting is ignored (result reports). @default - at once */
  readonly started?: Promise<void>;
  /** Settles when the container has exited; a rejection counts as a container that failed to start. */
  readonly result: Promise<ContainerResult>;
  /** Asks the container to stop (SIGTERM, then SIGKILL after killGraceSeconds); `result` settles afterwards. */
  stop(reason: string): void;
}

export interface JobDependency {
  /** The job waited for; omitted for `SEQUENTIAL`, which orders the array job's own children. */
  readonly jobId?: string;
  /** `N_TO_N` (child i waits for child i) or `SEQUENTIAL`. @default - the whole job is waited for */
  readonly type?: string;
}

export interface ContainerOverrides {
  /** @default - the definition's command */
  readonly command?: readonly string[];
  /** Added to (and replacing) the definition's variables. @default - none */
  readonly environment?: readonly KeyValuePair[];
}

export interface SubmitJobInput {
  readonly jobName: string;
  /** Queue name or ARN. */
  readonly jobQueue: string;
  /** Definition name, `name:revision` or ARN. */
  readonly jobDefinition: string;
  /** @default - not an array job */
  readonly arrayProperties?: { readonly size?: number };
  /** At most 20. @default - none */
  readonly dependsOn?: readonly JobDependency[];
  /** @default - none */
  readonly containerOverrides?: ContainerOverrides;
  /** Overrides the definition's. @default - the definition's */
  readonly retryStrategy?: RetryStrategy;
  /** Overrides the definition's. @default - the definition's */
  readonly timeout?: JobTimeout;
  /** Accepted and ignored (no Ref:: substitution locally). @default - none */
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface SubmitJobOutput {
  readonly jobArn: string;
  readonly jobName: string;
  readonly jobId: string;
}

/** A dependency inside `submitJobGraph`: another job of the graph by name, or an existing job by id. */
export interface GraphDependency {
  /** Name of another job of the same graph. @default - see jobId */
  readonly job?: string;
  /** Id of an already submitted job. @default - see job */
  readonly jobId?: string;
  /** @default - the whole job is waited for */
  readonly type?: string;
}

export interface GraphJobInput extends Omit<SubmitJobInput, 'dependsOn'> {
  readonly dependsOn?: readonly GraphDependency[];
}

export interface AttemptDetail {
  container: { exitCode?: number; reason?: string; taskArn?: string; logStreamName?: string };
  startedAt?: number;
  stoppedAt?: number;
  statusReason?: string;
}

export type StatusSummary = Record<JobStatus, number>;

/** DescribeJobs' JobDetail, with AWS's member names; times are epoch ms. */
export interface JobDetail {
  readonly jobArn: string;
  readonly jobName: string;
  readonly jobId: string;
  /** Queue ARN. */
  readonly jobQueue: string;
  readonly status: JobStatus;
  readonly statusReason?: string;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly stoppedAt?: number;
  readonly attempts: readonly AttemptDetail[];
  readonly dependsOn: readonly JobDependency[];
  /** Definition ARN. */
  readonly jobDefinition: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly container: {
    readonly image: string;
    readonly command: readonly string[];
    readonly environment: readonly KeyValuePair[];
    readonly resourceRequirements: readonly { readonly type: 'VCPU' | 'MEMORY'; readonly value: string }[];
    readonly exitCode?: number;
    readonly reason?: string;
    readonly taskArn?: string;
    readonly logStreamName?: string;
  };
  readonly arrayProperties?: {
    readonly statusSummary?: StatusSummary;
    readonly size?: number;
    readonly index?: number;
  };
  readonly retryStrategy: { readonly attempts: number; readonly evaluateOnExit?: readonly EvaluateOnExit[] };
  readonly timeout?: { readonly attemptDurationSeconds: number };
  readonly platformCapabilities: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly propagateTags: boolean;
}

/** ListJobs' JobSummary. */
export interface JobSummary {
  readonly jobArn: string;
  readonly jobId: string;
  readonly jobName: string;
  readonly createdAt: number;
  readonly status: JobStatus;
  readonly statusReason?: string;
  readonly startedAt?: number;
  readonly stoppedAt?: number;
  readonly container?: { readonly exitCode?: number; readonly reason?: string };
  readonly arrayProperties?: { readonly size?: number; readonly index?: number };
  readonly jobDefinition: string;
}

export interface ListJobsFilter {
  /** `JOB_NAME`, `JOB_DEFINITION` (patterns may end in `*`), `BEFORE_CREATED_AT`, `AFTER_CREATED_AT` (epoch ms). */
  readonly name: string;
  readonly values: readonly string[];
}

export interface ListJobsInput {
  /** Lists the queue's top-level jobs (name or ARN). Give exactly one of jobQueue and arrayJobId. */
  readonly jobQueue?: string;
  /** Lists the children of this array job, by index. */
  readonly arrayJobId?: string;
  /** Ignored when filters are given (as in AWS). @default 'RUNNING' */
  readonly jobStatus?: string;
  /** 1–1000. @default 100 */
  readonly maxResults?: number;
  /** From a previous page. @default - first page */
  readonly nextToken?: string;
  /** @default - none */
  readonly filters?: readonly ListJobsFilter[];
}

export interface ListJobsOutput {
  readonly jobSummaryList: readonly JobSummary[];
  readonly nextToken?: string;
}

/** One state transition, emitted as the `change` event. */
export interface JobChange {
  readonly jobId: string;
  readonly jobName: string;
  /** Queue name. */
  readonly jobQueue: string;
  readonly status: JobStatus;
  /** @default - none for a new job */
  readonly previousStatus?: JobStatus;
  readonly statusReason?: string;
  /** Parent id of an array child. */
  readonly arrayJobId?: string;
  readonly arrayIndex?: number;
  /** The attempt starting or running for STARTING/RUNNING; otherwise attempts made so far (0 before the first). */
  readonly attempt: number;
  /** Epoch ms. */
  readonly at: number;
}
