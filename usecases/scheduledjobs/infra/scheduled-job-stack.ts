// A scheduledjob's stack with its trigger switch: a schedule that runs the task, or an always-on service behind an ALB.

import { OneOffTask, ScheduledTask, WebApi } from '@hello-fargate/constructs';
import { Stack } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { workloadDockerfile } from '../../../infra/stacks/workload-dockerfile.js';
import { webDomain } from '../../../infra/web-domain.js';
import { backendsFor, prepareWorkloadStack, type WorkloadStackProps } from '../../../infra/workload-stack-props.js';

/**
 * Construct id of what owns the task definition in both modes (`Job/TaskDefinition`): its logical id does not change
 * when the trigger does, so switching updates the task definition (a new revision of the same family) and replaces
 * only the trigger's resources.
 */
export const JOB_CONSTRUCT_ID = 'Job';

/**
 * The trigger switch of seed 001, in one stack class, chosen by the declaration's `trigger.type`:
 *
 * - `schedule`: the task (`OneOffTask`, built with the trigger's command, in the isolated ECS subnets) and a
 *   `ScheduledTask` (EventBridge Scheduler → RunTask, retry policy, DLQ, alarm). `hf run-task` can run it too
 *   (TASK_STACK_OUTPUTS).
 * - `service`: a `WebApi`: the same task definition id as an ECS service behind an internet-facing ALB that validates
 *   Cognito access tokens (jwt-validation), at `https://<workload>.<dns zone>`.
 *
 * Switching is one ordinary deploy: CloudFormation creates the new trigger's resources, updates the task definition
 * and deletes the old trigger's resources. Nothing here is exported to (imported by) another stack in either mode,
 * and no trigger resource has a fixed name the other mode also uses, so no delete has to wait for another stack and
 * no create collides with a name still in use — the two-phase apply (`trigger_type=none` first) is never needed.
 */
export class ScheduledJobStack extends Stack {
  readonly mode: 'schedule' | 'service';
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** Schedule mode. */
  readonly task?: OneOffTask;
  readonly scheduledTask?: ScheduledTask;
  /** Service mode. */
  readonly webApi?: WebApi;

  constructor(scope: Construct, id: string, props: WorkloadStackProps) {
    super(scope, id, props);
    const { workload, network, platform, config, system } = props;
    const trigger = workload.trigger;
    if (workload.kind !== 'scheduledjob' || !trigger) {
      throw new Error(
        `workload "${workload.name}" (${workload.kind}) has no trigger; ScheduledJobStack deploys a scheduledjob ` +
          'with trigger { type: "schedule" } or { type: "service" } (steps of a workflow need no stack)',
      );
    }
    this.mode = trigger.type;
    const common = prepareWorkloadStack(this, props);
    const dockerfile = workloadDockerfile(workload, props.buildContext);

    if (trigger.type === 'schedule') {
      this.task = new OneOffTask(this, JOB_CONSTRUCT_ID, {
        ...common,
        // The scheduled runs (and `hf run-task` without a command) run the trigger's command.
        workload: { ...workload, command: [...trigger.command] },
        subnets: network.ecsSubnets,
        dockerfile,
      });
      this.taskDefinition = this.task.taskDefinition;
      this.scheduledTask = new ScheduledTask(this, 'Schedule', {
        workload,
        taskDefinition: this.task.taskDefinition,
        cluster: platform.cluster,
        subnets: network.ecsSubnets,
        securityGroups: [this.task.securityGroup],
        encryptionKey: platform.encryptionKey,
        alarmTopic: props.alarmTopic,
      });
    } else {
      this.webApi = new WebApi(this, JOB_CONSTRUCT_ID, {
        ...common,
        namespace: platform.namespace,
        // The NAT (app) subnets: the app fetches the user pool's JWKS from the internet (see WebApiStack).
        subnets: network.appSubnets,
        loadBalancerSubnets: network.publicSubnets,
        backends: backendsFor(props),
        resourceServers: system.resourceServers,
        ...webDomain(this, config, workload),
        deletionProtection: config.loadBalancerDeletionProtection,
        domainPrefix: `${system.name}-${config.name}-${workload.name}`,
        dockerfile,
      });
      this.taskDefinition = this.webApi.taskDefinition;
    }
  }
}
