// Checks `--env` against the project's typed environment config (infra/config) and returns the region to call.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from '../cli-error.js';

interface EnvironmentConfigModule {
  loadEnvironment(name: string): { name: string; region: string };
}

/**
 * The environment's region from `<root>/infra/config`; `AWS_REGION` in `env` overrides it, as for
 * `hf run-task --env`. An unknown environment is refused (exit code 2) whether or not AWS_REGION is set, before
 * any AWS call, with the config's list of known environments.
 */
export async function loadEnvironmentRegion(
  root: string,
  environment: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const configFile = join(root, 'infra', 'config', 'index.ts');
  let config: EnvironmentConfigModule;
  try {
    config = (await import(pathToFileURL(configFile).href)) as EnvironmentConfigModule;
  } catch (error) {
    throw new CliError(`cannot load the environment config ${configFile}: ${(error as Error).message}`, 2);
  }
  let region: string;
  try {
    region = config.loadEnvironment(environment).region;
  } catch (error) {
    throw new CliError(`--env ${environment}: ${(error as Error).message}`, 2);
  }
  return env.AWS_REGION || region;
}
