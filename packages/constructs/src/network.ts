// Network: the VPC of the network plan — public, app and isolated ECS subnets, flow logs and VPC endpoints.

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import { allowCloudWatchLogs } from './private/allow-cloudwatch-logs.js';
import { cidrContains, cidrOverlaps, type Ipv4Cidr, parseCidr, slash24In } from './private/ipv4-cidr.js';
import { retentionDays } from './private/log-retention.js';
import { PlannedSubnetCidrs } from './private/planned-subnet-cidrs.js';

/** Subnet group names, as they appear in construct paths and `vpc.selectSubnets({ subnetGroupName })`. */
export const SUBNET_GROUPS = { public: 'Public', app: 'App', ecs: 'Ecs' } as const;

/** Interface endpoints created so tasks in the isolated ECS subnets reach AWS without the internet. */
const INTERFACE_ENDPOINTS = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
  Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
} as const;

export type InterfaceEndpointName = keyof typeof INTERFACE_ENDPOINTS;

export interface NetworkProps {
  /**
   * The availability zones, in order. Given explicitly so synth needs no context lookup; the plan uses two.
   */
  readonly availabilityZones: readonly string[];
  /**
   * Primary CIDR: public and app subnets (load balancers, NAT gateways, databases).
   * @default '10.0.0.0/16'
   */
  readonly vpcCidr?: string;
  /**
   * Secondary CIDR, only for the ECS subnets, so task ENIs do not use up the primary range.
   * @default '172.10.0.0/16'
   */
  readonly ecsCidr?: string;
  /**
   * One public subnet per AZ, inside `vpcCidr`.
   * @default - the plan's `x.y.10.0/24`, `x.y.20.0/24`, … of a /16 `vpcCidr`
   */
  readonly publicSubnetCidrs?: readonly string[];
  /**
   * One private app subnet per AZ (egress through NAT), inside `vpcCidr`.
   * @default - the plan's `x.y.1.0/24`, `x.y.2.0/24`, … of a /16 `vpcCidr`
   */
  readonly appSubnetCidrs?: readonly string[];
  /**
   * One isolated ECS subnet per AZ, inside `ecsCidr`.
   * @default - the plan's `x.y.1.0/24`, `x.y.2.0/24`, … of a /16 `ecsCidr`
   */
  readonly ecsSubnetCidrs?: readonly string[];
  /**
   * NAT gateways for the app subnets: one per AZ survives an AZ outage; one in total costs less.
   * @default - one per availability zone
   */
  readonly natGateways?: number;
  /**
   * Key that encrypts the flow log group.
   * @default - a new customer-managed key with yearly rotation, usable by CloudWatch Logs in this account
   */
  readonly flowLogKey?: kms.IKey;
  /**
   * Days flow log records are kept (a value CloudWatch Logs accepts).
   * @default 30
   */
  readonly flowLogRetentionDays?: number;
}

/** NetworkProps with every default resolved and checked. */
interface NetworkPlan {
  readonly availabilityZones: readonly string[];
  readonly vpcCidr: string;
  readonly ecsCidr: string;
  readonly publicSubnetCidrs: readonly string[];
  readonly appSubnetCidrs: readonly string[];
  readonly ecsSubnetCidrs: readonly string[];
  readonly natGateways: number;
  readonly flowLogRetentionDays: logs.RetentionDays;
}

/**
 * The network plan: a VPC whose primary CIDR holds public and app subnets and whose secondary CIDR holds the ECS
 * subnets. ECS subnets have no route outside the VPC; tasks reach ECR, CloudWatch Logs, Secrets Manager, SQS, ECS
 * and STS through interface endpoints, and S3 (ECR image layers) through a gateway endpoint.
 *
 * **Cost**: each NAT gateway and each interface endpoint (per AZ) bills hourly plus per GB.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** The secondary CIDR association; anything placed in the ECS subnets depends on it through them. */
  readonly ecsCidrBlock: ec2.CfnVPCCidrBlock;
  /** The isolated ECS subnets, one per AZ. */
  readonly ecsSubnetList: readonly ec2.PrivateSubnet[];
  /** Selects the isolated ECS subnets: where Fargate tasks run. */
  readonly ecsSubnets: ec2.SubnetSelection;
  /** Selects the private app subnets (NAT egress): databases and other primary-range resources. */
  readonly appSubnets: ec2.SubnetSelection;
  /** Selects the public subnets. */
  readonly publicSubnets: ec2.SubnetSelection;
  /** Admits HTTPS to the interface endpoints from both VPC CIDRs. */
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  readonly interfaceEndpoints: Readonly<Record<InterfaceEndpointName, ec2.InterfaceVpcEndpoint>>;
  readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  readonly flowLogGroup: logs.LogGroup;
  /** The primary and the secondary CIDR. */
  readonly cidrs: readonly [primary: string, ecs: string];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const plan = this.normalizePlan(props);
    this.cidrs = [plan.vpcCidr, plan.ecsCidr];

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: new PlannedSubnetCidrs(plan.vpcCidr, {
        [SUBNET_GROUPS.public]: plan.publicSubnetCidrs,
        [SUBNET_GROUPS.app]: plan.appSubnetCidrs,
      }),
      availabilityZones: [...plan.availabilityZones],
      natGateways: plan.natGateways,
      subnetConfiguration: [
        { name: SUBNET_GROUPS.public, subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: SUBNET_GROUPS.app, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    });
    this.publicSubnets = { subnetGroupName: SUBNET_GROUPS.public };
    this.appSubnets = { subnetGroupName: SUBNET_GROUPS.app };

    this.ecsCidrBlock = new ec2.CfnVPCCidrBlock(this, 'EcsCidrBlock', {
      vpcId: this.vpc.vpcId,
      cidrBlock: plan.ecsCidr,
    });
    this.ecsSubnetList = this.createEcsSubnets(plan);
    this.ecsSubnets = { subnets: [...this.ecsSubnetList] };

    this.flowLogGroup = this.createFlowLog(props, plan.flowLogRetentionDays);
    this.endpointSecurityGroup = this.createEndpointSecurityGroup(plan);
    this.interfaceEndpoints = this.createInterfaceEndpoints();
    // Gateway endpoints are free; the app subnets use it too so S3 traffic skips the NAT gateways.
    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.ecsSubnets, this.appSubnets],
    });
  }

  private normalizePlan(props: NetworkProps): NetworkPlan {
    const availabilityZones = props.availabilityZones;
    if (availabilityZones.length < 2) {
      throw new ConstructValidationError(
        this,
        `availabilityZones needs at least two zones, got ${availabilityZones.length}`,
      );
    }
    const vpcCidr = props.vpcCidr ?? '10.0.0.0/16';
    const ecsCidr = props.ecsCidr ?? '172.10.0.0/16';
    const vpcRange = this.cidr('vpcCidr', vpcCidr);
    const ecsRange = this.cidr('ecsCidr', ecsCidr);
    if (cidrOverlaps(vpcRange, ecsRange)) {
      throw new ConstructValidationError(this, `ecsCidr ${ecsCidr} overlaps vpcCidr ${vpcCidr}`);
    }
    const count = availabilityZones.length;
    const derive = (field: string, parent: string, range: Ipv4Cidr, thirdOctets: number[]) => {
      if (range.prefix !== 16) {
        throw new ConstructValidationError(this, `${field} has no default for a /${range.prefix} parent; set it`);
      }
      return thirdOctets.map((third) => slash24In(parent, third));
    };
    const zonesFrom = (start: number, step: number) => availabilityZones.map((_, i) => start + i * step);
    const publicSubnetCidrs =
      props.publicSubnetCidrs ?? derive('publicSubnetCidrs', vpcCidr, vpcRange, zonesFrom(10, 10));
    const appSubnetCidrs = props.appSubnetCidrs ?? derive('appSubnetCidrs', vpcCidr, vpcRange, zonesFrom(1, 1));
    const ecsSubnetCidrs = props.ecsSubnetCidrs ?? derive('ecsSubnetCidrs', ecsCidr, ecsRange, zonesFrom(1, 1));

    const seen: { field: string; cidr: string; range: Ipv4Cidr }[] = [];
    const checkSubnets = (field: string, cidrs: readonly string[], parentName: string, parent: Ipv4Cidr) => {
      if (cidrs.length !== count) {
        throw new ConstructValidationError(
          this,
          `${field} needs one CIDR per availability zone (${count}), got ${cidrs.length}`,
        );
      }
      for (const cidr of cidrs) {
        const range = this.cidr(field, cidr);
        if (!cidrContains(parent, range)) {
          throw new ConstructValidationError(this, `${field} ${cidr} is outside ${parentName}`);
        }
        const clash = seen.find((other) => cidrOverlaps(other.range, range));
        if (clash) throw new ConstructValidationError(this, `${field} ${cidr} overlaps ${clash.field} ${clash.cidr}`);
        seen.push({ field, cidr, range });
      }
    };
    checkSubnets('publicSubnetCidrs', publicSubnetCidrs, `vpcCidr ${vpcCidr}`, vpcRange);
    checkSubnets('appSubnetCidrs', appSubnetCidrs, `vpcCidr ${vpcCidr}`, vpcRange);
    checkSubnets('ecsSubnetCidrs', ecsSubnetCidrs, `ecsCidr ${ecsCidr}`, ecsRange);

    const natGateways = props.natGateways ?? count;
    if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > count) {
      throw new ConstructValidationError(this, `natGateways must be an integer from 1 to ${count}, got ${natGateways}`);
    }
    const flowLogRetentionDays = retentionDays(this, 'flowLogRetentionDays', props.flowLogRetentionDays ?? 30);
    return {
      availabilityZones,
      vpcCidr,
      ecsCidr,
      publicSubnetCidrs,
      appSubnetCidrs,
      ecsSubnetCidrs,
      natGateways,
      flowLogRetentionDays,
    };
  }

  private cidr(field: string, cidr: string): Ipv4Cidr {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new ConstructValidationError(this, `${field} "${cidr}" is not an IPv4 CIDR such as 10.0.0.0/16`);
    return parsed;
  }

  private createEcsSubnets(plan: NetworkPlan): ec2.PrivateSubnet[] {
    return plan.availabilityZones.map((availabilityZone, i) => {
      // A PrivateSubnet gets its own route table with only the VPC's local routes: no NAT, no internet gateway.
      const subnet = new ec2.PrivateSubnet(this, `${SUBNET_GROUPS.ecs}Subnet${i + 1}`, {
        vpcId: this.vpc.vpcId,
        availabilityZone,
        cidrBlock: plan.ecsSubnetCidrs[i] as string,
        mapPublicIpOnLaunch: false,
      });
      // The subnet's CIDR only exists once the secondary block is associated.
      subnet.node.addDependency(this.ecsCidrBlock);
      return subnet;
    });
  }

  private createFlowLog(props: NetworkProps, retention: logs.RetentionDays): logs.LogGroup {
    const key = props.flowLogKey ?? this.createFlowLogKey();
    const logGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      encryptionKey: key,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
      maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.TEN_MINUTES,
    });
    return logGroup;
  }

  private createFlowLogKey(): kms.Key {
    const key = new kms.Key(this, 'FlowLogKey', {
      description: `Encrypts the VPC flow log group of ${this.node.path}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
    });
    allowCloudWatchLogs(key);
    return key;
  }

  private createEndpointSecurityGroup(plan: NetworkPlan): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    for (const cidr of [plan.vpcCidr, plan.ecsCidr]) {
      sg.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), `HTTPS from ${cidr}`);
    }
    return sg;
  }

  private createInterfaceEndpoints(): Record<InterfaceEndpointName, ec2.InterfaceVpcEndpoint> {
    const endpoints = {} as Record<InterfaceEndpointName, ec2.InterfaceVpcEndpoint>;
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS) as [
      InterfaceEndpointName,
      ec2.InterfaceVpcEndpointAwsService,
    ][]) {
      endpoints[name] = this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        subnets: this.ecsSubnets,
        securityGroups: [this.endpointSecurityGroup],
        // Private DNS makes the SDKs' default endpoints resolve to these ENIs VPC-wide, app subnets included.
        privateDnsEnabled: true,
        open: false,
      });
    }
    return endpoints;
  }
}
