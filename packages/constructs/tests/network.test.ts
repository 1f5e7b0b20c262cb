// Tests for Network: the network plan's CIDRs, isolated ECS subnets, endpoints and flow logs.

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConstructValidationError, Network, type NetworkProps } from '../src/index.js';

const env = { account: '111111111111', region: 'eu-west-1' };
const availabilityZones = ['eu-west-1a', 'eu-west-1b'];

function networkStack(props: Partial<NetworkProps> = {}): { stack: Stack; network: Network } {
  const stack = new Stack(new App(), 'NetworkTest', { env });
  const network = new Network(stack, 'Network', { availabilityZones, ...props });
  return { stack, network };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

describe('Network', () => {
  let template: Template;
  let resources: Resources;
  let network: Network;
  let stack: Stack;

  beforeAll(() => {
    // GIVEN a network with every default
    ({ stack, network } = networkStack());
    // WHEN it is synthesized
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Resources;
  });

  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  const ecsSubnetIds = () => network.ecsSubnetList.map((subnet) => logicalId(subnet));
  const ecsRouteTableIds = () =>
    Object.entries(resources)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::EC2::SubnetRouteTableAssociation' &&
          ecsSubnetIds().includes((r.Properties.SubnetId as { Ref: string }).Ref),
      )
      .map(([, r]) => (r.Properties.RouteTableId as { Ref: string }).Ref);

  it('uses 10.0.0.0/16 as the primary CIDR and associates 172.10.0.0/16 as the secondary one', () => {
    // THEN
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    template.hasResourceProperties('AWS::EC2::VPCCidrBlock', { CidrBlock: '172.10.0.0/16' });
  });

  it('gives public and app subnets the CIDRs of the network plan', () => {
    // THEN
    const cidrs = Object.values(resources)
      .filter((r) => r.Type === 'AWS::EC2::Subnet')
      .map((r) => r.Properties.CidrBlock);
    expect(cidrs).toEqual(expect.arrayContaining(['10.0.10.0/24', '10.0.20.0/24', '10.0.1.0/24', '10.0.2.0/24']));
    template.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true }, 0);
  });

  it('creates one ECS subnet per AZ in the secondary CIDR, after the CIDR block is associated', () => {
    // THEN
    const cidrBlockId = stack.getLogicalId(network.ecsCidrBlock);
    const subnets = ecsSubnetIds().map((id) => resources[id]);
    expect(subnets.map((s) => [s?.Properties.CidrBlock, s?.Properties.AvailabilityZone])).toEqual([
      ['172.10.1.0/24', 'eu-west-1a'],
      ['172.10.2.0/24', 'eu-west-1b'],
    ]);
    for (const subnet of subnets) {
      expect(subnet?.DependsOn).toContain(cidrBlockId);
      expect(subnet?.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  it('gives the ECS subnets route tables with no route out of the VPC', () => {
    // THEN
    const routeTables = ecsRouteTableIds();
    expect(routeTables).toHaveLength(2);
    const routesOfEcsTables = Object.values(resources).filter(
      (r) => r.Type === 'AWS::EC2::Route' && routeTables.includes((r.Properties.RouteTableId as { Ref: string }).Ref),
    );
    expect(routesOfEcsTables).toEqual([]);
  });

  it('routes the app subnets to a NAT gateway in each AZ by default', () => {
    // THEN
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.resourcePropertiesCountIs(
      'AWS::EC2::Route',
      { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: Match.anyValue() },
      2,
    );
  });

  it('shares one NAT gateway when natGateways is 1', () => {
    // GIVEN
    const { stack: single } = networkStack({ natGateways: 1 });
    // THEN
    Template.fromStack(single).resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('creates the seven interface endpoints in the ECS subnets with private DNS', () => {
    // THEN
    const services = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sqs', 'ecs', 'sts'];
    const endpoints = Object.values(resources).filter(
      (r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Interface',
    );
    expect(endpoints).toHaveLength(7);
    for (const service of services) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.eu-west-1.${service}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SubnetIds: ecsSubnetIds().map((id) => ({ Ref: id })),
      });
    }
  });

  it('admits only HTTPS from both VPC CIDRs to the endpoints', () => {
    // THEN
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('VPC interface endpoints'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
        Match.objectLike({ CidrIp: '172.10.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      ],
    });
  });

  it('attaches the S3 gateway endpoint to the ECS subnets route tables', () => {
    // THEN
    const gateway = Object.values(resources).find(
      (r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Gateway',
    );
    expect(JSON.stringify(gateway?.Properties.ServiceName)).toContain('.s3');
    const attached = ((gateway?.Properties.RouteTableIds ?? []) as { Ref: string }[]).map((ref) => ref.Ref);
    expect(attached).toEqual(expect.arrayContaining(ecsRouteTableIds()));
  });

  it('sends all flow logs to a KMS-encrypted log group with retention, under a rotating key', () => {
    // THEN
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }),
      RetentionInDays: 30,
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('rejects a single availability zone, naming the construct', () => {
    // WHEN / THEN
    expect(() => networkStack({ availabilityZones: ['eu-west-1a'] })).toThrow(ConstructValidationError);
    expect(() => networkStack({ availabilityZones: ['eu-west-1a'] })).toThrow(/NetworkTest\/Network: .*two zones/);
  });

  it('rejects an ECS subnet outside the ECS CIDR', () => {
    // WHEN / THEN
    expect(() => networkStack({ ecsSubnetCidrs: ['172.10.1.0/24', '10.0.3.0/24'] })).toThrow(
      /ecsSubnetCidrs 10\.0\.3\.0\/24 is outside ecsCidr/,
    );
  });

  it('rejects more NAT gateways than availability zones', () => {
    // WHEN / THEN
    expect(() => networkStack({ natGateways: 3 })).toThrow(/natGateways must be an integer from 1 to 2/);
  });
});
