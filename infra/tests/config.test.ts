// Tests for the environment config: global + per-environment merge, and clear failures for unknown names.

import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, EnvironmentConfigError, loadEnvironment } from '../config/index.js';

describe('loadEnvironment', () => {
  it('knows staging and prod', () => {
    // THEN
    expect(ENVIRONMENT_NAMES).toEqual(['staging', 'prod']);
  });

  it('merges config.global with the environment, the environment winning', () => {
    // WHEN
    const staging = loadEnvironment('staging');
    // THEN
    expect(staging).toMatchObject({
      name: 'staging',
      vpcCidr: '10.0.0.0/16',
      ecsCidr: '172.10.0.0/16',
      logRetentionDays: 14,
      database: { minCapacity: 0.5, maxCapacity: 2, deletionProtection: false },
      tags: { System: 'hello-fargate', ManagedBy: 'aws-cdk', Environment: 'staging' },
    });
  });

  it('names two availability zones of the region, so synth needs no lookup', () => {
    // WHEN
    for (const name of ENVIRONMENT_NAMES) {
      const config = loadEnvironment(name);
      // THEN
      expect(config.availabilityZones).toHaveLength(2);
      for (const az of config.availabilityZones) expect(az.startsWith(config.region)).toBe(true);
      expect(config.account).toMatch(/^\d{12}$/);
    }
  });

  it('protects the production database and keeps its logs a year', () => {
    // WHEN
    const prod = loadEnvironment('prod');
    // THEN
    expect(prod.database.deletionProtection).toBe(true);
    expect(prod.terminationProtection).toBe(true);
    expect(prod.natGateways).toBe(2);
    expect(prod.logRetentionDays).toBe(365);
  });

  it('fails for an unknown environment, naming it and listing the known ones', () => {
    // WHEN / THEN
    expect(() => loadEnvironment('nope')).toThrow(EnvironmentConfigError);
    expect(() => loadEnvironment('nope')).toThrow('unknown environment "nope"; known environments: staging, prod');
  });
});
