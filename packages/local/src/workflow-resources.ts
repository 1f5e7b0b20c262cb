// The Task resources of local workflows: ECS RunTask `.sync` on the runner's tasks, SQS SendMessage on the local queues.

import { constants } from 'node:os';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { RUN_TASK_SYNC, SQS_SEND_MESSAGE, type System, type WorkflowTargets } from '@hello-fargate/workload';
import type { TaskProcess, TaskResult } from './task-process.js';
import type { ResourceHandler } from './workflows/index.js';

/** Region and account of local ARNs (AWS-shaped so SDKs and verifiers accept them). */
export const LOCAL_ARN_PREFIX = 'arn:aws:ecs:us-east-1:000000000000';

/** Where the generated state machines point locally: the runner's cluster, one task definition per workload. */
export function localWorkflowTargets(
  system: System,
  queueUrl: (name: string) => string | undefined,
): (notifyQueue: string | undefined) => WorkflowTargets {
  return (notifyQueue) => {
    const url = notifyQueue === undefined ? undefined : queueUrl(notifyQueue);
    return {
      cluster: `${LOCAL_ARN_PREFIX}:cluster/${system.name}-local`,
      taskDefinition: (workload) => `${LOCAL_ARN_PREFIX}:task-definition/${workload}:1`,
      subnets: ['subnet-local'],
      securityGroups: ['sg-local'],
      ...(url !== undefined ? { notifyQueueUrl: url } : {}),
    };
  };
}

/**
 * The definition the local interpreter runs. aws-local-stepfunctions 3.0.0 removes every backslash from the string an
 * intrinsic function returns, which corrupts `States.JsonToString` of any text with a quote in it. So in Task
 * parameters `"X.$": "States.JsonToString($.path)"` becomes `"X.$": "$.path"`, and the local handlers turn a
 * non-string value into its JSON text: the same string Step Functions would have passed.
 */
export function localStateMachine<T extends object>(definition: T): T {
  const rewrite = (value: unknown, inTask: boolean): unknown => {
    if (Array.isArray(value)) return value.map((v) => rewrite(v, inTask));
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    const task = inTask || record.Type === 'Task';
    return Object.fromEntries(
      Object.entries(record).map(([key, v]) => {
        const match = typeof v === 'string' ? /^States\.JsonToString\((\$[^,()]*)\)$/.exec(v) : null;
        if (task && key.endsWith('.$') && match) return [key, match[1]];
        return [key, rewrite(v, task)];
      }),
    );
  };
  return rewrite(definition, false) as T;
}

/** A value as the text Step Functions puts in a string field (`States.JsonToString` for non-strings). */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An error whose name Step Functions' Retry and Catch match. */
function stepError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

interface RunTaskParameters {
  readonly Cluster?: string;
  readonly TaskDefinition?: string;
  readonly Overrides?: {
    readonly ContainerOverrides?: readonly {
      readonly Name?: string;
      readonly Command?: readonly string[];
      readonly Environment?: readonly { readonly Name: string; readonly Value: unknown }[];
    }[];
  };
}

export interface RunTaskSyncOptions {
  readonly system: System;
  /** Starts a task of a workload like ECS RunTask (the runner's startTask). */
  readonly startTask: (
    workload: string,
    run: { args?: readonly string[]; environment: Record<string, string>; startedBy: string },
  ) => Promise<TaskProcess>;
  /**
   * The TimeoutSeconds of a Task state: when it passes, the state fails with States.Timeout and, as Step Functions
   * does for `.sync`, the task is stopped rather than left running beside the retry. @default - never stopped
   */
  readonly stateTimeoutSeconds?: (workflow: string, stateName: string) => number | undefined;
}

/**
 * `arn:aws:states:::ecs:runTask.sync`: runs the task and answers, once it stopped, with the DescribeTasks `Task`
 * (TaskArn, LastStatus, StopCode, StoppedReason, Containers[].ExitCode). A non-zero exit is not an error here, as with
 * the real integration: the generated state machine checks ExitCode itself.
 */
export function runTaskSyncHandler(options: RunTaskSyncOptions): ResourceHandler {
  return async (parameters, ctx) => {
    const p = (parameters ?? {}) as RunTaskParameters;
    const match = /task-definition\/([^:/]+)(?::\d+)?$/.exec(p.TaskDefinition ?? '');
    const name = match?.[1];
    const workload = options.system.workloads.find((w) => w.name === name);
    if (!workload) {
      throw stepError(
        'ECS.InvalidParameterException',
        `TaskDefinition "${p.TaskDefinition ?? ''}" is not a task definition of this system`,
      );
    }
    const override = p.Overrides?.ContainerOverrides?.[0];
    const environment = Object.fromEntries((override?.Environment ?? []).map((e) => [e.Name, asText(e.Value)]));
    const task = await options.startTask(workload.name, {
      ...(override?.Command ? { args: override.Command } : {}),
      environment,
      startedBy: `workflow:${ctx.workflow}`,
    });
    const stop = () => void task.stop('Execution stopped: the workflow execution was stopped or timed out');
    if (ctx.signal.aborted) stop();
    else ctx.signal.addEventListener('abort', stop, { once: true });
    const timeout = options.stateTimeoutSeconds?.(ctx.workflow, ctx.stateName);
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => void task.stop(`State ${ctx.stateName} timed out after ${timeout} s`), timeout * 1000);
    timer?.unref();
    const result = await task.stopped;
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', stop);
    return describedTask(
      p.Cluster ?? `${LOCAL_ARN_PREFIX}:cluster/local`,
      p.TaskDefinition ?? '',
      workload.name,
      task,
      result,
    );
  };
}

/**
 * The exit code ECS and Batch report for a container: its own, or 128 + the signal that killed it (137 for SIGKILL,
 * 143 for SIGTERM), as Docker reports it; undefined for a container that never ran.
 */
export function containerExitCode(result: Pick<TaskResult, 'exitCode' | 'signal'>): number | undefined {
  if (result.exitCode !== null) return result.exitCode;
  const number = result.signal ? constants.signals[result.signal] : undefined;
  return number === undefined ? undefined : 128 + number;
}

/** The DescribeTasks `Task` of a stopped local task, as `.sync` returns it. */
export function describedTask(
  cluster: string,
  taskDefinition: string,
  container: string,
  task: TaskProcess,
  result: TaskResult,
): Record<string, unknown> {
  const clusterName = cluster.split('/').pop() ?? 'local';
  const taskArn = `${LOCAL_ARN_PREFIX}:task/${clusterName}/${result.taskId}`;
  return {
    TaskArn: taskArn,
    ClusterArn: cluster,
    TaskDefinitionArn: taskDefinition,
    LaunchType: 'FARGATE',
    LastStatus: 'STOPPED',
    DesiredStatus: 'STOPPED',
    StartedBy: task.startedBy,
    StopCode: result.stopCode,
    StoppedReason: result.stoppedReason,
    CreatedAt: task.createdAt.toISOString(),
    StartedAt: result.startedAt.toISOString(),
    StoppedAt: result.stoppedAt.toISOString(),
    Containers: [
      {
        Name: container,
        TaskArn: taskArn,
        LastStatus: 'STOPPED',
        ...(containerExitCode(result) !== undefined ? { ExitCode: containerExitCode(result) } : {}),
        ...(result.signal ? { Reason: `killed by ${result.signal}` } : {}),
      },
    ],
  };
}

/** `arn:aws:states:::sqs:sendMessage` through the local SQS endpoint, with the real SQS protocol. */
export function sqsSendMessageHandler(client: () => SQSClient | undefined): ResourceHandler {
  return async (parameters) => {
    const p = (parameters ?? {}) as { QueueUrl?: string; MessageBody?: unknown; DelaySeconds?: number };
    const sqs = client();
    if (!sqs) throw stepError('SQS.QueueDoesNotExist', 'the system declares no queues, so there is no SQS endpoint');
    const body = asText(p.MessageBody);
    try {
      const out = await sqs.send(
        new SendMessageCommand({
          QueueUrl: p.QueueUrl,
          MessageBody: body,
          ...(p.DelaySeconds !== undefined ? { DelaySeconds: p.DelaySeconds } : {}),
        }),
      );
      return { MessageId: out.MessageId, MD5OfMessageBody: out.MD5OfMessageBody };
    } catch (error) {
      throw stepError(`SQS.${(error as Error).name}`, (error as Error).message);
    }
  };
}

/** Handlers by Resource ARN for every Task state the generated definitions use. */
export function workflowResources(
  runTask: ResourceHandler,
  sendMessage: ResourceHandler,
): Record<string, ResourceHandler> {
  return { [RUN_TASK_SYNC]: runTask, [SQS_SEND_MESSAGE]: sendMessage };
}
