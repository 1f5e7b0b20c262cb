// Loads an environment's config: config.global merged with config.<env>, checked, by environment name.

import type { EnvironmentConfig, EnvironmentOverrides } from './environment-config.js';
import { globalConfig } from './global.js';
import { prod } from './prod.js';
import { staging } from './staging.js';

export type {
  DatabaseConfig,
  DnsConfig,
  EnvironmentConfig,
  EnvironmentOverrides,
  GlobalConfig,
} from './environment-config.js';

const ENVIRONMENTS: readonly EnvironmentOverrides[] = [staging, prod];

/** Names of every configured environment, in deploy order. */
export const ENVIRONMENT_NAMES: readonly string[] = ENVIRONMENTS.map((env) => env.name);

/** An environment name that is not configured, or a config that cannot be deployed. */
export class EnvironmentConfigError extends Error {
  override readonly name = 'EnvironmentConfigError';
  readonly code = 'HF_INVALID_ENVIRONMENT';
}

/** The resolved config of environment `name`; an EnvironmentConfigError listing the known ones when there is none. */
export function loadEnvironment(name: string): EnvironmentConfig {
  const overrides = ENVIRONMENTS.find((env) => env.name === name);
  if (!overrides) {
    throw new EnvironmentConfigError(
      `unknown environment "${name}"; known environments: ${ENVIRONMENT_NAMES.join(', ')} (add infra/config/${name}.ts and list it in infra/config/index.ts)`,
    );
  }
  const config: EnvironmentConfig = {
    name: overrides.name,
    account: overrides.account,
    region: overrides.region,
    availabilityZones: overrides.availabilityZones,
    natGateways: overrides.natGateways,
    terminationProtection: overrides.terminationProtection,
    vpcCidr: overrides.vpcCidr ?? globalConfig.vpcCidr,
    ecsCidr: overrides.ecsCidr ?? globalConfig.ecsCidr,
    logRetentionDays: overrides.logRetentionDays ?? globalConfig.logRetentionDays,
    database: { ...globalConfig.database, ...overrides.database },
    loadBalancerDeletionProtection:
      overrides.loadBalancerDeletionProtection ?? globalConfig.loadBalancerDeletionProtection,
    dns: overrides.dns,
    tags: { ...globalConfig.tags, ...overrides.tags, Environment: overrides.name },
  };
  check(config);
  return config;
}

function check(config: EnvironmentConfig): void {
  const fail = (field: string, problem: string): never => {
    throw new EnvironmentConfigError(`environment "${config.name}", field "${field}": ${problem}`);
  };
  if (!/^[a-z][a-z0-9]{0,15}$/.test(config.name)) fail('name', 'must be lower-case letters and digits, at most 16');
  if (!/^\d{12}$/.test(config.account)) fail('account', `"${config.account}" is not a 12-digit AWS account id`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(config.region)) fail('region', `"${config.region}" is not an AWS region`);
  config.availabilityZones.forEach((az, i) => {
    if (!az.startsWith(config.region)) fail(`availabilityZones[${i}]`, `"${az}" is not in ${config.region}`);
  });
  if (config.dns && !/^Z[A-Z0-9]{1,31}$/.test(config.dns.hostedZoneId)) {
    fail('dns.hostedZoneId', `"${config.dns.hostedZoneId}" is not a Route 53 hosted zone id (Z…)`);
  }
  if (new Set(config.availabilityZones).size !== config.availabilityZones.length) {
    fail('availabilityZones', 'lists the same zone twice');
  }
}
