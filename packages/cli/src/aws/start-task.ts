// Starts the workload's task with RunTask on on-demand Fargate, in the stack's private subnets, with no public IP.

import {
  type ECSClient,
  RunTaskCommand,
  type RunTaskCommandInput,
  type RunTaskCommandOutput,
  type Task,
} from '@aws-sdk/client-ecs';
import type { TaskStackOutputs } from './read-stack-outputs.js';
import { RunTaskError } from './run-task-error.js';

/** The task's `startedBy`, so `aws ecs list-tasks --started-by 'hf run-task'` finds runs made by this command. */
export const STARTED_BY = 'hf run-task';

export interface StartTaskOptions {
  readonly ecs: ECSClient;
  readonly outputs: TaskStackOutputs;
  /** The container command override; empty runs the task definition's own command. */
  readonly args: readonly string[];
}

/** The RunTask input for a run; kept apart from the call so it reads as one plain object. */
export function runTaskInput({ outputs, args }: Omit<StartTaskOptions, 'ecs'>): RunTaskCommandInput {
  return {
    cluster: outputs.clusterName,
    taskDefinition: outputs.taskDefinitionArn,
    // On-demand Fargate, not Spot: a migration interrupted half-way is worse than one that costs a little more.
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [...outputs.subnetIds],
        securityGroups: [...outputs.securityGroupIds],
        assignPublicIp: 'DISABLED',
      },
    },
    ...(args.length > 0
      ? { overrides: { containerOverrides: [{ name: outputs.containerName, command: [...args] }] } }
      : {}),
    startedBy: STARTED_BY,
    enableExecuteCommand: false,
    propagateTags: 'TASK_DEFINITION',
    // No clientToken: the SDK fills this idempotency token itself and reuses it on retries, so a retried call
    // cannot start a second task.
  };
}

/** Calls RunTask and returns the started task; throws RUN_TASK_FAILED with ECS's reasons when none started. */
export async function startTask(options: StartTaskOptions): Promise<Task & { taskArn: string }> {
  const { ecs, outputs } = options;
  let response: RunTaskCommandOutput;
  try {
    response = await ecs.send(new RunTaskCommand(runTaskInput(options)));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new RunTaskError(
      'RUN_TASK_FAILED',
      `RunTask on cluster ${outputs.clusterName} was refused: ${name}: ${message}${hintFor(name)}`,
      { reasons: [name] },
      { cause: error },
    );
  }

  const failures = response.failures ?? [];
  const task = response.tasks?.[0];
  if (failures.length > 0 || !task?.taskArn) {
    const reasons = failures.map((f) => [f.reason, f.detail].filter(Boolean).join(': ') || 'unknown reason');
    const why = reasons.length > 0 ? reasons.join('; ') : 'ECS returned neither a task nor a failure';
    throw new RunTaskError(
      'RUN_TASK_FAILED',
      `RunTask on cluster ${outputs.clusterName} started no task: ${why}${hintFor(failures[0]?.reason ?? '')}`,
      { reasons, ...(task?.taskArn ? { taskArn: task.taskArn } : {}) },
    );
  }
  return { ...task, taskArn: task.taskArn };
}

function hintFor(reason: string): string {
  if (reason.startsWith('RESOURCE:')) {
    return ' (no Fargate capacity or account quota (vCPU, ENI) left for this task; try again, then check Service Quotas)';
  }
  if (reason === 'AccessDeniedException') return ' (see docs/run-task-aws.md for the IAM permissions needed)';
  if (reason === 'ClusterNotFoundException') return ' (the stack is out of date; run `hf deploy` again)';
  return '';
}
