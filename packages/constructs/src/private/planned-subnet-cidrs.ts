// An IIpAddresses that gives each VPC subnet the CIDR the network plan names, instead of CDK's sequential split.

import type * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Allocates the VPC's primary CIDR as given and each subnet the CIDR listed for its subnet group, in AZ order.
 * The caller validates the plan; this only maps requests to it.
 */
export class PlannedSubnetCidrs implements ec2.IIpAddresses {
  constructor(
    private readonly vpcCidr: string,
    /** Subnet group name → one CIDR per availability zone, in the VPC's AZ order. */
    private readonly plan: Readonly<Record<string, readonly string[]>>,
  ) {}

  allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: this.vpcCidr };
  }

  allocateSubnetsCidr(input: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    const used = new Map<string, number>();
    const allocatedSubnets = input.requestedSubnets.map((request) => {
      const group = request.configuration.name;
      const index = used.get(group) ?? 0;
      used.set(group, index + 1);
      const cidr = this.plan[group]?.[index];
      if (cidr === undefined) {
        throw new Error(`no planned CIDR for subnet group "${group}" in ${request.availabilityZone}`);
      }
      return { cidr };
    });
    return { allocatedSubnets };
  }
}
