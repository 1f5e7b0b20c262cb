// One AWS account's GitHub Actions deploy identity: the GitHub OIDC provider and a least-privilege role per environment.

import { ConstructValidationError } from '@hello-fargate/constructs';
import { type System, stackName } from '@hello-fargate/workload';
import { CfnOutput, DefaultStackSynthesizer, Duration, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/index.js';

/** GitHub's OIDC issuer: the host of `iss` in every Actions token, and the prefix of its IAM condition keys. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
/** The `aud` that aws-actions/configure-aws-credentials asks GitHub for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';
/** The CDK bootstrap roles `cdk deploy` assumes: `cdk-<qualifier>-<kind>-role-<account>-<region>`. */
export const CDK_BOOTSTRAP_ROLE_KINDS = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

/** One environment the account hosts, and who may deploy it. */
export interface GithubDeployTarget {
  /** The environment (its name, account and region); the role can deploy this environment and nothing else. */
  readonly config: Pick<EnvironmentConfig, 'name' | 'account' | 'region'>;
  /**
   * Git refs (IAM `StringLike` patterns) whose workflow runs may assume the role from a job without a GitHub
   * environment, e.g. `refs/heads/main` or `refs/tags/v*`. A job with `environment: <name>` is trusted through the
   * environment claim instead; restrict that environment's deployment branches and tags in GitHub to the same refs.
   */
  readonly refs: readonly string[];
}

export interface GithubOidcStackProps extends StackProps {
  /** The GitHub repository whose workflows may deploy, `owner/name` as in `github.repository`. */
  readonly repository: string;
  /** The system: its name prefixes the environment's stacks, and its preDeploy workloads are the tasks the role runs. */
  readonly system: System;
  /** The environments of this account (at least one), each getting its own role. */
  readonly targets: readonly GithubDeployTarget[];
  /**
   * Create the account's GitHub OIDC provider. IAM allows one provider per issuer URL and account: pass false when
   * the account already has one (created by hand or by another stack), and the roles trust that one.
   * @default true
   */
  readonly createProvider?: boolean;
  /**
   * Qualifier of the account's CDK bootstrap (`cdk bootstrap --qualifier`).
   * @default - the CDK default, `hnb659fds`
   */
  readonly bootstrapQualifier?: string;
  /**
   * Longest session a workflow may ask for (`role-duration-seconds`). A first deploy of every stack (Aurora, load
   * balancers) takes longer than the 1-hour default of IAM.
   * @default Duration.hours(2)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * The GitHub OIDC provider of one account and, for each environment it hosts, a role `<system>-<env>-github-deploy`
 * that a workflow of `repository` assumes with `aws-actions/configure-aws-credentials` (no stored keys).
 *
 * Trust: the token's `aud` is `sts.amazonaws.com` and its `sub` is `repo:<repository>:environment:<env>` or
 * `repo:<repository>:ref:<ref>` for one of the target's refs; nothing else.
 *
 * Permissions, and only these: assume the environment's four CDK bootstrap roles (CloudFormation, the asset bucket
 * and the image repository are reached through them), read the environment's stacks, and run its preDeploy tasks
 * (migrations) the way `hf deploy` does: RunTask of those task definition families in the environment's cluster,
 * PassRole of their task and execution roles to ECS, DescribeTasks and StopTask there, and read their logs.
 */
export class GithubOidcStack extends Stack {
  readonly provider: iam.IOidcProvider;
  /** Environment name → its deploy role. */
  readonly roles: ReadonlyMap<string, iam.Role>;

  constructor(scope: Construct, id: string, props: GithubOidcStackProps) {
    super(scope, id, props);
    const settings = this.normalizeProps(props);
    this.provider = settings.createProvider
      ? new iam.OidcProviderNative(this, 'GithubProvider', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
        })
      : iam.OidcProviderNative.fromOidcProviderArn(
          this,
          'GithubProvider',
          `arn:${this.partition}:iam::${this.account}:oidc-provider/${GITHUB_OIDC_ISSUER}`,
        );
    const roles = new Map<string, iam.Role>();
    for (const target of props.targets) roles.set(target.config.name, this.createDeployRole(props, settings, target));
    this.roles = roles;
  }

  private normalizeProps(props: GithubOidcStackProps) {
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(props.repository)) {
      throw new ConstructValidationError(
        this,
        `repository "${props.repository}" is not owner/name; pass it as GitHub shows it, e.g. octo-org/hello-fargate`,
      );
    }
    if (Token.isUnresolved(this.account)) {
      throw new ConstructValidationError(
        this,
        'the stack has no account; pass env: { account, region } of the environments',
      );
    }
    if (props.targets.length === 0) {
      throw new ConstructValidationError(this, 'targets is empty; pass at least one environment of this account');
    }
    for (const { config, refs } of props.targets) {
      if (config.account !== this.account) {
        throw new ConstructValidationError(
          this,
          `environment "${config.name}" is in account ${config.account}, this stack in ${this.account}; ` +
            'give each account its own GithubOidcStack',
        );
      }
      const bad = refs.filter((ref) => !ref.startsWith('refs/heads/') && !ref.startsWith('refs/tags/'));
      if (refs.length === 0 || bad.length > 0) {
        throw new ConstructValidationError(
          this,
          `environment "${config.name}": refs ${JSON.stringify(refs)} must be refs/heads/… or refs/tags/… patterns, at least one`,
        );
      }
    }
    return {
      createProvider: props.createProvider ?? true,
      bootstrapQualifier: props.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER,
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(2),
    };
  }

  private createDeployRole(
    props: GithubOidcStackProps,
    settings: ReturnType<GithubOidcStack['normalizeProps']>,
    { config, refs }: GithubDeployTarget,
  ): iam.Role {
    const { system, repository } = props;
    const prefix = `${system.name}-${config.name}`;
    const role = new iam.Role(this, `DeployRole-${config.name}`, {
      roleName: `${prefix}-github-deploy`,
      description: `GitHub Actions of ${repository} deploying ${prefix}: CDK bootstrap roles and preDeploy tasks only`,
      maxSessionDuration: settings.maxSessionDuration,
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: { [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE },
        StringLike: {
          [`${GITHUB_OIDC_ISSUER}:sub`]: [
            `repo:${repository}:environment:${config.name}`,
            ...refs.map((ref) => `repo:${repository}:ref:${ref}`),
          ],
        },
      }),
    });

    const { account, region } = config;
    /** ARN in this account; `partition` is the stack's, or `<AWS::Partition>` as cdk-nag names it in findings. */
    const arn = (service: string, inRegion: string, resource: string, partition: string = this.partition) =>
      `arn:${partition}:${service}:${inRegion}:${account}:${resource}`;
    /** Adds a statement; each resource with a wildcard is acknowledged to cdk-nag (AwsSolutions-IAM5) with `why`. */
    const allow = (
      sid: string,
      actions: string[],
      resources: [service: string, inRegion: string, resource: string][],
      why = '',
      conditions?: Record<string, Record<string, string>>,
    ) => {
      role.addToPolicy(
        new iam.PolicyStatement({ sid, actions, resources: resources.map((r) => arn(...r)), conditions }),
      );
      for (const resource of resources.filter(([, , name]) => name.includes('*'))) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${arn(...resource, '<AWS::Partition>')}]`,
          reason: `${sid}: ${why}`,
        });
      }
    };

    allow(
      'AssumeCdkBootstrapRoles',
      ['sts:AssumeRole', 'sts:TagSession'],
      CDK_BOOTSTRAP_ROLE_KINDS.map((kind) => [
        'iam',
        '',
        `role/cdk-${settings.bootstrapQualifier}-${kind}-role-${account}-${region}`,
      ]),
    );
    allow(
      'ReadEnvironmentStacks',
      ['cloudformation:DescribeStacks'],
      [['cloudformation', region, `stack/${prefix}-*/*`]],
      `the stacks of ${prefix} only (${prefix}-<part>); the trailing /* is the stack id CloudFormation generates.`,
    );

    const cluster = arn('ecs', region, `cluster/${prefix}`);
    // A preDeploy workload's stack is `<system>-<env>-<workload>`: its task definition family, and the prefix
    // CloudFormation gives the generated names of its roles and log group.
    const stacks = system.workloads
      .filter((workload) => workload.preDeploy.length > 0)
      .map((workload) => stackName(system.name, config.name, workload.name));
    if (stacks.length > 0) {
      allow(
        'RunPreDeployTasks',
        ['ecs:RunTask'],
        stacks.map((stack) => ['ecs', region, `task-definition/${stack}:*`]),
        'any revision of the preDeploy task definition family (hf deploy runs the latest), in this cluster only.',
        { ArnEquals: { 'ecs:cluster': cluster } },
      );
      allow(
        'FollowPreDeployTasks',
        ['ecs:DescribeTasks', 'ecs:StopTask'],
        [['ecs', region, `task/${prefix}/*`]],
        `task ids are known only once RunTask answers; limited to the tasks of cluster ${prefix}.`,
        { ArnEquals: { 'ecs:cluster': cluster } },
      );
      allow(
        'PassPreDeployTaskRoles',
        ['iam:PassRole'],
        stacks.map((stack) => ['iam', '', `role/${stack}-*`]),
        'the task and execution roles CloudFormation named <stack>-<id>-<suffix>, passed to ECS tasks only.',
        { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      );
      allow(
        'ReadPreDeployTaskLogs',
        ['logs:GetLogEvents'],
        stacks.map((stack) => ['logs', region, `log-group:${stack}-*:log-stream:*`]),
        "the preDeploy stack's own log group (generated name <stack>-LogGroup<id>-<suffix>); one stream per task.",
      );
    }

    new CfnOutput(this, `DeployRoleArn-${config.name}`, {
      description: `Set as variable AWS_DEPLOY_ROLE_ARN of GitHub environment ${config.name} (docs/ci-cd.md)`,
      value: role.roleArn,
    });
    return role;
  }
}
