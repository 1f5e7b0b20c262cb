// Checks `--env` against the project's typed environment config (infra/config) and returns what deploys need of it.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeployError } from './deploy-error.js';

/** What hf deploy, diff and destroy read of an environment's resolved config. */
export interface DeployEnvironmentConfig {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly terminationProtection: boolean;
}

interface EnvironmentConfigModule {
  loadEnvironment(name: string): DeployEnvironmentConfig;
}

/**
 * The environment's config from `<root>/infra/config` (config.global merged with config.<env>). An unknown or invalid
 * environment is a DeployError UNKNOWN_ENVIRONMENT listing the known ones, before anything is synthesized.
 */
export async function loadDeployEnvironment(root: string, environment: string): Promise<DeployEnvironmentConfig> {
  const configFile = join(root, 'infra', 'config', 'index.ts');
  let config: EnvironmentConfigModule;
  try {
    config = (await import(pathToFileURL(configFile).href)) as EnvironmentConfigModule;
  } catch (error) {
    throw new DeployError(
      'UNKNOWN_ENVIRONMENT',
      `cannot load the environment config ${configFile}: ${(error as Error).message}`,
    );
  }
  try {
    return config.loadEnvironment(environment);
  } catch (error) {
    throw new DeployError(
      'UNKNOWN_ENVIRONMENT',
      `--env ${environment}: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}
