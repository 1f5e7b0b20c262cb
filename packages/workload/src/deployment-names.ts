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
