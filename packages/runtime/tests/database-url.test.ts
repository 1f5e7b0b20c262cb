import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config-error.js';
import { databaseUrlFromEnv } from '../src/database.js';

describe('databaseUrlFromEnv', () => {
  it('uses DATABASE_URL when the platform sets it (local runner)', () => {
    expect(databaseUrlFromEnv({ DATABASE_URL: 'postgres://a@h:1/d', PGHOST: 'other' })).toBe('postgres://a@h:1/d');
  });

  it('composes the URL from the PG* variables ECS injects in AWS, encoding the credentials', () => {
    const url = databaseUrlFromEnv({
      PGHOST: 'db.cluster-x.eu-west-1.rds.amazonaws.com',
      PGPORT: '5432',
      PGDATABASE: 'app',
      PGUSER: 'app_user',
      PGPASSWORD: 'p@ss:w/rd?',
      PGSSLMODE: 'verify-full',
    });
    expect(url).toBe(
      'postgres://app_user:p%40ss%3Aw%2Frd%3F@db.cluster-x.eu-west-1.rds.amazonaws.com:5432/app?sslmode=verify-full',
    );
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.password)).toBe('p@ss:w/rd?');
  });

  it('says what is missing when neither is set', () => {
    expect(() => databaseUrlFromEnv({ HF_WORKLOAD: 'oneoff' })).toThrow(ConfigError);
    expect(() => databaseUrlFromEnv({ HF_WORKLOAD: 'oneoff' })).toThrow(
      'environment variable DATABASE_URL is not set (workload "oneoff"), nor PGHOST',
    );
  });
});
