// Reads named outputs of a deployed CloudFormation stack (a workflow's or a batchjob's), or says how to deploy it.

import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { isStackMissing, regionOf } from './stack-lookup.js';
import { AwsCommandError, awsCall } from './aws-command-error.js';

export interface ReadDeployedOutputsOptions<K extends string> {
  readonly cloudformation: CloudFormationClient;
  /** The stack to read, from `stackName(system, environment, part)`. */
  readonly stackName: string;
  /** The environment, named in the "deploy it first" hint. */
  readonly environment: string;
  /** The outputs to read: our key → CloudFormation output key, e.g. WORKFLOW_STACK_OUTPUTS. */
  readonly keys: Readonly<Record<K, string>>;
  /** Which of `keys` must be present and non-empty. @default - every key */
  readonly required?: readonly NoInfer<K>[];
}

/**
 * Describes the stack and returns the values of `keys` (optional ones may be undefined). Throws AwsCommandError
 * STACK_NOT_FOUND or OUTPUT_MISSING with the deploy command to run, and translated SDK errors otherwise.
 */
export async function readDeployedOutputs<K extends string>(
  options: ReadDeployedOutputsOptions<K>,
): Promise<Record<K, string | undefined>> {
  const { cloudformation, stackName, environment, keys } = options;
  const required = options.required ?? (Object.keys(keys) as K[]);
  const stack = await describeStack(cloudformation, stackName, environment);
  if (!stack) {
    const region = await regionOf(cloudformation);
    throw new AwsCommandError(
      'STACK_NOT_FOUND',
      `stack ${stackName} does not exist in ${region}: deploy it first with \`hf deploy --env ${environment}\``,
      { stackName },
    );
  }
  const values = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue?.trim()]));
  const result = {} as Record<K, string | undefined>;
  for (const key of Object.keys(keys) as K[]) {
    const value = values.get(keys[key]) || undefined;
    if (value === undefined && required.includes(key)) {
      throw new AwsCommandError(
        'OUTPUT_MISSING',
        `stack ${stackName} (status ${stack.StackStatus ?? 'unknown'}) has no output "${keys[key]}"; it was ` +
          `deployed by an older or unfinished deploy: run \`hf deploy --env ${environment}\` again`,
        { stackName, output: keys[key] },
      );
    }
    result[key] = value;
  }
  return result;
}

/** The stack, or undefined when CloudFormation says it does not exist (a `ValidationError`, not a typed one). */
async function describeStack(
  cloudformation: CloudFormationClient,
  stackName: string,
  environment: string,
): Promise<Stack | undefined> {
  try {
    const result = await awsCall({ action: 'cloudformation:DescribeStacks', environment }, () =>
      cloudformation.send(new DescribeStacksCommand({ StackName: stackName })),
    );
    return result.Stacks?.[0];
  } catch (error) {
    const cause = error instanceof AwsCommandError ? error.cause : error;
    if (isStackMissing(cause)) return undefined;
    throw error;
  }
}
