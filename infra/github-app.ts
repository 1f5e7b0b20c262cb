// The CDK app of the GitHub Actions deploy identity: one GithubOidcStack per AWS account, deployed once by hand.
//   npx cdk deploy --app "npx tsx infra/github-app.ts" -c repository=<owner>/<repo> --all   (docs/ci-cd.md)

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { System } from '@hello-fargate/workload';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { system as defaultSystem } from '../system.js';
import { ENVIRONMENT_NAMES, type EnvironmentConfig, loadEnvironment } from './config/index.js';
import { type GithubDeployTarget, GithubOidcStack } from './stacks/github-oidc-stack.js';

/**
 * The refs each environment deploys from, as .github/workflows/deploy.yml does: staging from main, prod from tags v*.
 * Keep them equal to the deployment branch and tag rules of the GitHub environments of the same names.
 */
export const GITHUB_DEPLOY_REFS: Readonly<Record<string, readonly string[]>> = {
  staging: ['refs/heads/main'],
  prod: ['refs/tags/v*'],
};

export interface GithubAppOptions {
  /** The GitHub repository, `owner/name`. @default - context `repository`, else `GITHUB_REPOSITORY` */
  readonly repository?: string;
  /** Where the cloud assembly is written. @default - `CDK_OUTDIR` under the CDK CLI, else a temporary directory */
  readonly outdir?: string;
  /** Environments to give deploy roles. @default - every configured environment */
  readonly environments?: readonly string[];
  /** The system. @default - the system of system.ts */
  readonly system?: System;
  /** Refs per environment. @default GITHUB_DEPLOY_REFS */
  readonly refs?: Readonly<Record<string, readonly string[]>>;
  /**
   * Create each account's GitHub OIDC provider; false when the accounts already have one (IAM allows one per URL).
   * @default - false when context `createProvider` is "false", else true
   */
  readonly createProvider?: boolean;
}

export interface GithubApp {
  readonly app: App;
  /** One stack per account, named `<system>-github-<environments of the account>`. */
  readonly stacks: readonly GithubOidcStack[];
}

/** Builds the app: the environments grouped by account, each account's stack with a role per environment. */
export function buildGithubApp(options: GithubAppOptions = {}): GithubApp {
  const system = options.system ?? defaultSystem;
  const refs = options.refs ?? GITHUB_DEPLOY_REFS;
  const app = new App({ outdir: options.outdir });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const repository =
    options.repository ?? (app.node.tryGetContext('repository') as string | undefined) ?? process.env.GITHUB_REPOSITORY;
  if (!repository) {
    throw new Error(
      'which GitHub repository may deploy? pass -c repository=<owner>/<repo> to cdk (or set GITHUB_REPOSITORY)',
    );
  }

  const createProvider = options.createProvider ?? String(app.node.tryGetContext('createProvider')) !== 'false';

  const byAccount = new Map<string, EnvironmentConfig[]>();
  for (const config of (options.environments ?? ENVIRONMENT_NAMES).map(loadEnvironment)) {
    byAccount.set(config.account, [...(byAccount.get(config.account) ?? []), config]);
  }
  const stacks = [...byAccount.values()].map((configs) => {
    const targets: GithubDeployTarget[] = configs.map((config) => {
      const environmentRefs = refs[config.name];
      if (!environmentRefs) {
        throw new Error(
          `environment "${config.name}" has no deploy refs; add it to GITHUB_DEPLOY_REFS in infra/github-app.ts`,
        );
      }
      return { config, refs: environmentRefs };
    });
    const [first] = configs as [EnvironmentConfig, ...EnvironmentConfig[]];
    const id = `${system.name}-github-${configs.map((c) => c.name).join('-')}`;
    return new GithubOidcStack(app, id, {
      stackName: id,
      env: { account: first.account, region: first.region },
      description: `${system.name}: GitHub OIDC provider and deploy roles of ${configs.map((c) => c.name).join(', ')}`,
      tags: { System: system.name },
      repository,
      system,
      targets,
      createProvider,
    });
  });
  return { app, stacks };
}

// Run as the app (`npx tsx infra/github-app.ts`, or by the CDK CLI); imported by the tests, it only exports.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { app, stacks } = buildGithubApp();
  const assembly = app.synth();
  if (!process.env.CDK_OUTDIR) {
    process.stdout.write(`synthesized ${stacks.map((s) => s.stackName).join(', ')} to ${assembly.directory}\n`);
  }
}
