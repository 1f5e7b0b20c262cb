// The environment a container gets in AWS for `dependsOn.database`: libpq-style PG* variables, password as a secret.

import type { DatabaseAccess } from './database.js';

/**
 * Variable names a container receives when its workload declares `dependsOn: { database: true }`.
 *
 * ECS can inject one JSON key of a Secrets Manager secret per variable, but cannot assemble a URL from several, and a
 * `DATABASE_URL` holding the password in plain environment would show in DescribeTaskDefinition. So containers get
 * the standard libpq variables (node-postgres reads them natively) and the runtime builds `DATABASE_URL` from them:
 * `postgres://${PGUSER}:${PGPASSWORD}@${PGHOST}:${PGPORT}/${PGDATABASE}` (user and password URL-encoded).
 */
export const DATABASE_ENVIRONMENT = {
  /** Writer endpoint host name (plain environment). */
  host: 'PGHOST',
  /** Port, `5432` (plain environment). */
  port: 'PGPORT',
  /** Database name, `app` by default (plain environment). */
  database: 'PGDATABASE',
  /** `verify-full` (plain environment): TLS with the server certificate checked against the RDS CA bundle. */
  sslMode: 'PGSSLMODE',
  /** User name: ECS secret from the secret's JSON key `username`. */
  user: 'PGUSER',
  /** Password: ECS secret from the secret's JSON key `password`; rotation changes it for tasks started later. */
  password: 'PGPASSWORD',
} as const;

/** Every variable name in DATABASE_ENVIRONMENT. */
export const DATABASE_ENVIRONMENT_NAMES: readonly string[] = Object.values(DATABASE_ENVIRONMENT);

/** The plain (non-secret) part: host, port, database name and TLS mode. `PGUSER`/`PGPASSWORD` are ECS secrets. */
export function databaseEnvironment(database: DatabaseAccess): Record<string, string> {
  return {
    [DATABASE_ENVIRONMENT.host]: database.hostname,
    [DATABASE_ENVIRONMENT.port]: String(database.port),
    [DATABASE_ENVIRONMENT.database]: database.databaseName,
    [DATABASE_ENVIRONMENT.sslMode]: 'verify-full',
  };
}
