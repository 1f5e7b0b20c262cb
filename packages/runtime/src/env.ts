// Reading the environment contract: the variables the platform gives every app, locally and in AWS.

import { ConfigError } from './config-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The value of a required variable; a ConfigError naming it when it is missing or empty. */
export function requireEnv(name: string, env: Env = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    const workload = env.HF_WORKLOAD ? ` (workload "${env.HF_WORKLOAD}")` : '';
    throw new ConfigError(
      name,
      `environment variable ${name} is not set${workload}; the platform provides it when the workload declares the dependency`,
    );
  }
  return value;
}

/** The value of an optional variable, or the fallback. */
export function optionalEnv(name: string, fallback: string, env: Env = process.env): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** An integer variable within a range, or the fallback when unset. */
export function intEnv(name: string, fallback: number, range: [number, number], env: Env = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
    throw new ConfigError(
      name,
      `environment variable ${name}="${raw}" must be an integer from ${range[0]} to ${range[1]}`,
    );
  }
  return value;
}
