// Loads an environment's config: config.global merged with config.<env>, checked, by environment name.

import type { EnvironmentConfig, EnvironmentOverrides, GlobalConfig } from './environment-config.js';
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
  return resolveEnvironment(overrides);
}

/**
 * One environment's overrides merged with `global` (the environment winning) and checked; an EnvironmentConfigError
 * naming the environment and the field when it cannot be deployed.
 */
export function resolveEnvironment(
  overrides: EnvironmentOverrides,
  global: GlobalConfig = globalConfig,
): EnvironmentConfig {
  const config: EnvironmentConfig = {
    name: overrides.name,
    account: overrides.account,
    region: overrides.region,
    availabilityZones: overrides.availabilityZones,
    natGateways: overrides.natGateways,
    terminationProtection: overrides.terminationProtection,
    vpcCidr: overrides.vpcCidr ?? global.vpcCidr,
    ecsCidr: overrides.ecsCidr ?? global.ecsCidr,
    logRetentionDays: overrides.logRetentionDays ?? global.logRetentionDays,
    database: { ...global.database, ...overrides.database },
    loadBalancerDeletionProtection: overrides.loadBalancerDeletionProtection ?? global.loadBalancerDeletionProtection,
    dns: overrides.dns,
    tags: { ...global.tags, ...overrides.tags, Environment: overrides.name },
    alarmEmails: overrides.alarmEmails ?? global.alarmEmails ?? [],
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
  config.alarmEmails.forEach((email, i) => {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      fail(`alarmEmails[${i}]`, `"${email}" is not an email address (name@domain); fix it in infra/config/`);
    }
  });
  if (new Set(config.availabilityZones).size !== config.availabilityZones.length) {
    fail('availabilityZones', 'lists the same zone twice');
  }
}
