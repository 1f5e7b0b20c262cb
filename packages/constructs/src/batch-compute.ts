// BatchCompute: the system's AWS Batch job queues, each on Fargate Spot first and Fargate on-demand after it.

import type { JobQueue } from '@hello-fargate/workload';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';

export interface BatchComputeProps {
  /** The system's job queues with their defaults resolved (`system.jobQueues`). */
  readonly jobQueues: readonly JobQueue[];
  readonly vpc: ec2.IVpc;
  /** Subnets of the job containers (the isolated ECS subnets); jobs never get a public IP. */
  readonly subnets: ec2.SubnetSelection;
}

/** One declared job queue as built. */
export interface BatchQueue {
  readonly declaration: JobQueue;
  readonly jobQueue: batch.JobQueue;
  /** In job queue order: FARGATE_SPOT then FARGATE for `spot-first`, FARGATE alone for `on-demand`. */
  readonly computeEnvironments: readonly batch.FargateComputeEnvironment[];
  /**
   * The job containers' security group (on Fargate it belongs to the compute environment, not to the job): no
   * ingress, HTTPS out. A job that uses the database is admitted with `database.allowFrom(securityGroup)`.
   */
  readonly securityGroup: ec2.SecurityGroup;
}

/**
 * Per declared job queue: a security group with the platform's task conventions (no ingress; HTTPS to the VPC
 * endpoints), managed Fargate compute environments in `subnets` capped at the queue's `maxvCpus` — `spot-first`
 * makes a FARGATE_SPOT one (order 1) and a FARGATE one (order 2), `on-demand` only the FARGATE one — and the job
 * queue with the declared priority. Compute environments use the AWS Batch service-linked role.
 *
 * Verified only by the synthesized template (no AWS here): the compute environment order. Batch places a job in the
 * first environment with room under its maxvCpus and in the next one otherwise; a Spot capacity shortage leaves jobs
 * RUNNABLE rather than moving them.
 *
 * **Cost**: nothing while idle; Fargate (Spot up to 70% cheaper) per running job's vCPU and memory.
 */
export class BatchCompute extends Construct {
  private readonly queues = new Map<string, BatchQueue>();

  constructor(scope: Construct, id: string, props: BatchComputeProps) {
    super(scope, id);
    for (const declaration of props.jobQueues) {
      if (this.queues.has(declaration.name)) {
        throw new ConstructValidationError(this, `job queue "${declaration.name}" is declared twice`);
      }
      this.queues.set(declaration.name, this.createQueue(declaration, props));
    }
  }

  /** The job queues, in declaration order. */
  get all(): readonly BatchQueue[] {
    return [...this.queues.values()];
  }

  /** The job queue declared as `name`; a ConstructValidationError naming the declared ones otherwise. */
  queue(name: string): BatchQueue {
    const found = this.queues.get(name);
    if (!found) {
      const known = [...this.queues.keys()].join(', ') || 'none';
      throw new ConstructValidationError(
        this,
        `no job queue "${name}" is declared (declared: ${known}); add it with defineJobQueue to the system's jobQueues`,
      );
    }
    return found;
  }

  private createQueue(declaration: JobQueue, props: BatchComputeProps): BatchQueue {
    const scope = new Construct(this, declaration.name);
    const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Batch jobs of queue ${declaration.name}: no ingress; HTTPS to AWS endpoints and PostgreSQL to the database only`,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to the VPC endpoints and the S3 gateway; the ECS subnets have no route to the internet',
    );
    const environment = (envId: string, spot: boolean) =>
      new batch.FargateComputeEnvironment(scope, envId, {
        vpc: props.vpc,
        vpcSubnets: props.subnets,
        securityGroups: [securityGroup],
        maxvCpus: declaration.maxvCpus,
        spot,
      });
    const computeEnvironments =
      declaration.capacity === 'spot-first'
        ? [environment('Spot', true), environment('OnDemand', false)]
        : [environment('OnDemand', false)];
    const jobQueue = new batch.JobQueue(scope, 'JobQueue', {
      priority: declaration.priority,
      computeEnvironments: computeEnvironments.map((computeEnvironment, i) => ({ computeEnvironment, order: i + 1 })),
    });
    return { declaration, jobQueue, computeEnvironments, securityGroup };
  }
}
