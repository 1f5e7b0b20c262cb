// The host name and hosted zone of a web workload in an environment: `<workload>.<dns.zoneName>`.

import type { Workload } from '@hello-fargate/workload';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from './config/index.js';

/** The workload's domain in the environment's zone; a clear error when the environment has no `dns`. */
export function webDomain(
  scope: Construct,
  config: EnvironmentConfig,
  workload: Workload,
): { domainName: string; hostedZone: route53.IHostedZone } {
  if (!config.dns) {
    throw new Error(
      `workload "${workload.name}" (${workload.kind}) needs a host name, but environment "${config.name}" has no ` +
        `dns; set dns: { zoneName, hostedZoneId } in infra/config/${config.name}.ts`,
    );
  }
  // Imported by attributes, not looked up, so synth stays offline.
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(scope, 'HostedZone', {
    hostedZoneId: config.dns.hostedZoneId,
    zoneName: config.dns.zoneName,
  });
  return { domainName: `${workload.name}.${config.dns.zoneName}`, hostedZone };
}
