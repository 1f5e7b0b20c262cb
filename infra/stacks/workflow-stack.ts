// A workflow's stack: its step task definitions, the Step Functions state machine and the schedule that starts it.

import {
  type Database,
  type Network,
  type Platform,
  type Queues,
  ScheduledWorkflow,
  WorkloadSecrets,
} from '@hello-fargate/constructs';
import { type System, type Workflow, WORKFLOW_STACK_OUTPUTS } from '@hello-fargate/workload';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/index.js';
import { workloadDockerfile } from './workload-dockerfile.js';

/** CloudFormation output keys of a workflow's stack, for the CLI (`hf workflow run-now --env`, `history`). */
export { WORKFLOW_STACK_OUTPUTS };

export interface WorkflowStackProps extends StackProps {
  readonly system: System;
  readonly config: EnvironmentConfig;
  readonly workflow: Workflow;
  readonly network: Network;
  readonly platform: Platform;
  readonly database: Database;
  /** The system's queues, present when it declares any (the notifyQueue and the steps' queues are among them). */
  readonly queues?: Queues;
  /** Absolute path of the repository root: the Docker build context. */
  readonly buildContext: string;
  /** The topic the workflow's alarms notify when they fire and when they recover: the platform's `alarmTopic`. */
  readonly alarmTopic: sns.ITopic;
}

/**
 * The `ScheduledWorkflow` of one workflow, in the isolated ECS subnets. The step workloads' task definitions live
 * here (a scheduledjob that is only a step has no stack of its own), and so do their secrets, named
 * `<system>/<env>/<workflow>/<workload>/<NAME>` so they never clash with a workload stack's own.
 */
export class WorkflowStack extends Stack {
  readonly workflow: ScheduledWorkflow;

  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    super(scope, id, props);
    const { system, config, platform, network, workflow } = props;
    const workloads = [...new Set(workflow.steps.map((s) => s.workload))].map((name) => system.workload(name));
    const usesQueues = workflow.notifyQueue !== undefined || workloads.some((w) => w.dependsOn.queues.length > 0);
    // Declared before any grant, so KMS grants stay in this stack's IAM policies instead of the key's policy.
    for (const shared of [network, platform, props.database]) this.addStackDependency(Stack.of(shared));
    if (usesQueues && props.queues) this.addStackDependency(Stack.of(props.queues));

    const secrets: Record<string, Readonly<Record<string, secretsmanager.ISecret>>> = {};
    for (const workload of workloads.filter((w) => w.secrets.length > 0)) {
      secrets[workload.name] = new WorkloadSecrets(this, `Secrets${workload.name}`, {
        workload,
        namePrefix: `${system.name}/${config.name}/${workflow.name}/${workload.name}`,
        encryptionKey: platform.encryptionKey,
      }).secrets;
    }
    this.workflow = new ScheduledWorkflow(this, 'Workflow', {
      workflow,
      workloads,
      cluster: platform.cluster,
      vpc: network.vpc,
      subnets: network.ecsSubnets,
      database: workloads.some((w) => w.dependsOn.database) ? props.database : undefined,
      secrets,
      queues: usesQueues ? props.queues : undefined,
      encryptionKey: platform.encryptionKey,
      logRetentionDays: config.logRetentionDays,
      buildContext: props.buildContext,
      dockerfile: (workload) => workloadDockerfile(workload, props.buildContext),
      alarmTopic: props.alarmTopic,
    });

    const { stateMachine, schedule, logGroup } = this.workflow;
    const outputs: [keyof typeof WORKFLOW_STACK_OUTPUTS, string, string][] = [
      ['stateMachineArn', stateMachine.stateMachineArn, 'State machine to start (StartExecution)'],
      ['stateMachineName', stateMachine.stateMachineName, 'Name of the state machine'],
      ['logGroupName', logGroup.logGroupName, 'Log group of the state machine'],
    ];
    if (schedule)
      outputs.push(['scheduleName', schedule.scheduleName, 'EventBridge Scheduler schedule (default group)']);
    for (const [key, value, description] of outputs) {
      new CfnOutput(this, WORKFLOW_STACK_OUTPUTS[key], { value, description }).overrideLogicalId(
        WORKFLOW_STACK_OUTPUTS[key],
      );
    }
  }
}
