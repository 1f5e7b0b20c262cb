// Names shared by the CDK app and the commands that talk to a deployed environment, so neither guesses the other's.

/** CloudFormation stack name of a system-wide stack (network, platform, database) or of one workload. */
export function stackName(system: string, environment: string, part: string): string {
  return `${system}-${environment}-${part}`;
}

/** CloudFormation output keys a task workload's stack exports for `hf run-task --env` and `hf deploy`. */
export const TASK_STACK_OUTPUTS = {
  clusterName: 'ClusterName',
  taskDefinitionArn: 'TaskDefinitionArn',
  containerName: 'ContainerName',
  /** Comma-separated subnet ids (the private ECS subnets). */
  subnetIds: 'SubnetIds',
  /** Comma-separated security group ids. */
  securityGroupIds: 'SecurityGroupIds',
  logGroupName: 'LogGroupName',
  /** awslogs stream prefix; a task's stream is `<prefix>/<container>/<task id>`. */
  logStreamPrefix: 'LogStreamPrefix',
} as const;

/** The stack name part of a workflow's stack: `wf-<workflow>` (the stack is `<system>-<env>-wf-<workflow>`). */
export function workflowStackPart(workflow: string): string {
  return `wf-${workflow}`;
}

/** CloudFormation output keys of a workflow's stack, for `hf workflow … --env`. */
export const WORKFLOW_STACK_OUTPUTS = {
  stateMachineArn: 'StateMachineArn',
  stateMachineName: 'StateMachineName',
  /** Present when the workflow has a schedule. */
  scheduleName: 'ScheduleName',
  logGroupName: 'LogGroupName',
} as const;

/** CloudFormation output keys of a batchjob's stack, for `hf batch … --env`. */
export const BATCH_JOB_STACK_OUTPUTS = {
  jobQueueArn: 'JobQueueArn',
  jobQueueName: 'JobQueueName',
  jobDefinitionArn: 'JobDefinitionArn',
  jobDefinitionName: 'JobDefinitionName',
  logGroupName: 'LogGroupName',
  /** awslogs stream prefix; a job's stream is `<prefix>/default/<ECS task id>`. */
  logStreamPrefix: 'LogStreamPrefix',
  /** The queue that keeps a `Batch Job State Change` event per failed job (parent and array children). */
  failedJobsQueueUrl: 'FailedJobsQueueUrl',
} as const;
