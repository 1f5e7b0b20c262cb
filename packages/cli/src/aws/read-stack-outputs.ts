// Reads the outputs a task workload's CloudFormation stack exports, so RunTask uses what CDK deployed.

import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { isStackMissing, regionOf } from './stack-lookup.js';
import { TASK_STACK_OUTPUTS } from '@hello-fargate/workload';
import { RunTaskError } from './run-task-error.js';

/** What RunTask and the log follower need, read from the stack's outputs. */
export interface TaskStackOutputs {
  readonly clusterName: string;
  readonly taskDefinitionArn: string;
  readonly containerName: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly logGroupName: string;
  readonly logStreamPrefix: string;
}

export interface ReadStackOutputsOptions {
  readonly cloudformation: CloudFormationClient;
  /** The stack to read, from `stackName(system, environment, workload)`. */
  readonly stackName: string;
  /** The environment, named in the "deploy it first" hint. */
  readonly environment: string;
}

/** Describes the stack and returns its task outputs; throws STACK_NOT_FOUND or OUTPUT_MISSING with what to do. */
export async function readStackOutputs(options: ReadStackOutputsOptions): Promise<TaskStackOutputs> {
  const { cloudformation, stackName, environment } = options;
  const stack = await describeStack(options);
  if (!stack) {
    const region = await regionOf(cloudformation);
    throw new RunTaskError(
      'STACK_NOT_FOUND',
      `stack ${stackName} not found in ${region}: deploy it first with \`hf deploy --env ${environment}\``,
      { stackName },
    );
  }

  const values = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const missing = (output: string): never => {
    throw new RunTaskError(
      'OUTPUT_MISSING',
      `stack ${stackName} (status ${stack.StackStatus ?? 'unknown'}) has no output "${output}"; ` +
        `it was deployed by an older or unfinished deploy: run \`hf deploy --env ${environment}\` again`,
      { stackName, output },
    );
  };
  const read = (key: keyof typeof TASK_STACK_OUTPUTS): string =>
    values.get(TASK_STACK_OUTPUTS[key])?.trim() || missing(TASK_STACK_OUTPUTS[key]);
  const list = (key: 'subnetIds' | 'securityGroupIds'): string[] => {
    const ids = read(key)
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    return ids.length > 0 ? ids : missing(TASK_STACK_OUTPUTS[key]);
  };

  return {
    clusterName: read('clusterName'),
    taskDefinitionArn: read('taskDefinitionArn'),
    containerName: read('containerName'),
    subnetIds: list('subnetIds'),
    securityGroupIds: list('securityGroupIds'),
    logGroupName: read('logGroupName'),
    logStreamPrefix: read('logStreamPrefix'),
  };
}

/** The stack, or undefined when CloudFormation says it does not exist (a `ValidationError`, not a typed one). */
async function describeStack({ cloudformation, stackName }: ReadStackOutputsOptions): Promise<Stack | undefined> {
  try {
    const result = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    return result.Stacks?.[0];
  } catch (error) {
    if (isStackMissing(error)) return undefined;
    throw error;
  }
}
