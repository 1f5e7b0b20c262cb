// BackendService: a private Fargate service reached by other workloads through ECS Service Connect only.

import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { createWorkloadService, exposeWorkloadService } from './private/workload-service.js';
import type { ServiceConnectBackend, WorkloadServiceProps } from './workload-service-props.js';

/** BackendService takes exactly the shared service props; the Service Connect alias comes from the declaration. */
export type BackendServiceProps = WorkloadServiceProps;

/**
 * A backend workload as an ECS service with no load balancer: it serves its port under the Service Connect alias
 * `http://<serviceConnect.dnsName>:<port>` in the platform namespace, and its security group admits that port only
 * from the security groups let in with `allowFrom` (callers pass it in their `backends`).
 *
 * The service: desired/min/max counts from the declaration with CPU target tracking, the first task on FARGATE and
 * the rest on FARGATE_SPOT (see SPOT_WITH_ON_DEMAND_BASE), deployment circuit breaker with rollback, container health
 * check `node -e fetch(…)` on the declared path, no public IP. The task is the one OneOffTask builds (non-root,
 * read-only root filesystem with `/tmp`, PG* for `dependsOn.database`, ECS secrets) plus `PORT` and the URLs of the
 * backends it calls.
 *
 * **Cost**: Fargate vCPU/GB-hours per task (Spot ones up to 70% less); Service Connect's proxy uses part of the task's
 * cpu and memory.
 */
export class BackendService extends Construct implements ServiceConnectBackend, ec2.IConnectable {
  readonly workloadName: string;
  /** The Service Connect client alias host name. */
  readonly dnsName: string;
  readonly port!: number;
  /** `http://<dnsName>:<port>`. */
  readonly url: string;
  readonly service!: ecs.FargateService;
  readonly taskDefinition!: ecs.FargateTaskDefinition;
  readonly container!: ecs.ContainerDefinition;
  readonly securityGroup!: ec2.SecurityGroup;
  /** The tasks' security group with the service port as default port: `connections.allowFrom(peer)` admits it. */
  readonly connections!: ec2.Connections;
  readonly logGroup!: logs.ILogGroup;
  /** The role the app's code runs as: no permissions unless granted. */
  readonly taskRole!: iam.IRole;
  readonly executionRole!: iam.IRole;
  readonly scaling!: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: BackendServiceProps) {
    super(scope, id);
    const { workload } = props;
    this.workloadName = workload.name;
    this.dnsName = workload.serviceConnect?.dnsName ?? workload.name;
    const built = createWorkloadService(this, props, {
      kind: 'backend',
      constructName: 'BackendService',
      serviceConnectDnsName: this.dnsName,
      ingressDescription: 'callers let in with allowFrom',
    });
    exposeWorkloadService(
      this,
      built,
      new ec2.Connections({ securityGroups: [built.securityGroup], defaultPort: ec2.Port.tcp(built.port) }),
    );
    this.url = `http://${this.dnsName}:${this.port}`;
  }

  /**
   * Admits the service port from `client`. The rules (ingress on this group, egress on the client's) are created
   * beside the client when it lives in another stack, so a backend's stack never depends on its callers.
   */
  allowFrom(client: ec2.IConnectable): void {
    client.connections.allowTo(this, ec2.Port.tcp(this.port), `${this.workloadName} ${this.port} (Service Connect)`);
  }
}
