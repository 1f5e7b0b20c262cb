// Tests for GithubOidcStack and the GitHub app: the OIDC provider, the deploy roles' exact trust, least privilege, cdk-nag.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { system } from '../../system.js';
import { loadEnvironment } from '../config/index.js';
import { buildGithubApp, GITHUB_DEPLOY_REFS } from '../github-app.js';
import { GithubOidcStack, type GithubOidcStackProps } from '../stacks/github-oidc-stack.js';

const REPOSITORY = 'octo-org/hello-fargate';
const staging = loadEnvironment('staging');
const ACCOUNT = staging.account;
const REGION = staging.region;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function stagingStack(overrides: Partial<GithubOidcStackProps> = {}) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'hf-github-')) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new GithubOidcStack(app, 'Github', {
    env: { account: ACCOUNT, region: REGION },
    repository: REPOSITORY,
    system,
    targets: [{ config: staging, refs: ['refs/heads/main'] }],
    ...overrides,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The deploy role's policy statements, with `Fn::Join` ARNs rendered as `arn:aws:…`. */
function statements(template: Template): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(1);
  const render = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(render);
    if (value && typeof value === 'object' && 'Fn::Join' in value) {
      const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      return parts.map((part) => (typeof part === 'string' ? part : 'aws')).join(separator);
    }
    return value;
  };
  const document = (policies[0] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
    .PolicyDocument;
  return document.Statement.map((statement) => ({
    ...statement,
    Resource: render(statement.Resource),
    Condition: statement.Condition
      ? Object.fromEntries(
          Object.entries(statement.Condition).map(([operator, keys]) => [
            operator,
            Object.fromEntries(Object.entries(keys).map(([key, value]) => [key, render(value)])),
          ]),
        )
      : undefined,
  }));
}

describe('GithubOidcStack', () => {
  // GIVEN the staging deploy role from main (synthesized once: the first synth of a process is the slow one)
  let staged: ReturnType<typeof stagingStack>;
  beforeAll(() => {
    staged = stagingStack();
  });

  it("creates the account's GitHub OIDC provider for the sts.amazonaws.com audience", () => {
    const { template } = staged;
    // THEN
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('trusts only the OIDC token of the repository for the environment or its refs, with the STS audience', () => {
    const { template } = staged;
    // THEN: exactly one trust statement with exactly these conditions
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as {
      Properties: {
        RoleName: string;
        MaxSessionDuration: number;
        AssumeRolePolicyDocument: { Statement: Statement[] };
      };
    }[];
    expect(roles).toHaveLength(1);
    const role = (roles[0] as (typeof roles)[number]).Properties;
    expect(role.RoleName).toBe('hello-fargate-staging-github-deploy');
    expect(role.MaxSessionDuration).toBe(7200);
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: { Ref: expect.any(String) } },
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: {
            'token.actions.githubusercontent.com:sub': [
              'repo:octo-org/hello-fargate:environment:staging',
              'repo:octo-org/hello-fargate:ref:refs/heads/main',
            ],
          },
        },
      },
    ]);
    const principal = (role.AssumeRolePolicyDocument.Statement[0] as unknown as { Principal: { Federated: unknown } })
      .Principal.Federated as { Ref: string };
    expect(template.findResources('AWS::IAM::OIDCProvider')[principal.Ref]).toBeDefined();
  });

  it('grants no wildcard action and no "*" resource; each ARN is in the environment account', () => {
    const { template } = staged;
    for (const statement of statements(template)) {
      expect(statement.Effect).toBe('Allow');
      for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
      for (const resource of [statement.Resource].flat() as string[]) {
        expect(resource).not.toBe('*');
        expect(resource).toMatch(new RegExp(`^arn:aws:[a-z]+:(${REGION})?:${ACCOUNT}:`));
      }
    }
  });

  it("may assume the environment's four CDK bootstrap roles, read its stacks and run its migrations, nothing more", () => {
    const { template } = staged;
    const arn = (service: string, resource: string, region = REGION) =>
      `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
    const cluster = arn('ecs', 'cluster/hello-fargate-staging');
    expect(statements(template)).toEqual([
      {
        Sid: 'AssumeCdkBootstrapRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Resource: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((kind) =>
          arn('iam', `role/cdk-hnb659fds-${kind}-role-${ACCOUNT}-${REGION}`, ''),
        ),
        Condition: undefined,
      },
      {
        Sid: 'ReadEnvironmentStacks',
        Effect: 'Allow',
        Action: 'cloudformation:DescribeStacks',
        Resource: arn('cloudformation', 'stack/hello-fargate-staging-*/*'),
        Condition: undefined,
      },
      {
        Sid: 'RunPreDeployTasks',
        Effect: 'Allow',
        Action: 'ecs:RunTask',
        Resource: arn('ecs', 'task-definition/hello-fargate-staging-oneoff:*'),
        Condition: { ArnEquals: { 'ecs:cluster': cluster } },
      },
      {
        Sid: 'FollowPreDeployTasks',
        Effect: 'Allow',
        Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
        Resource: arn('ecs', 'task/hello-fargate-staging/*'),
        Condition: { ArnEquals: { 'ecs:cluster': cluster } },
      },
      {
        Sid: 'PassPreDeployTaskRoles',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: arn('iam', 'role/hello-fargate-staging-oneoff-*', ''),
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      {
        Sid: 'ReadPreDeployTaskLogs',
        Effect: 'Allow',
        Action: 'logs:GetLogEvents',
        Resource: arn('logs', 'log-group:hello-fargate-staging-oneoff-*:log-stream:*'),
        Condition: undefined,
      },
    ]);
  });

  it('uses the bootstrap qualifier it is given', () => {
    const { template } = stagingStack({ bootstrapQualifier: 'hf2024' });
    const assume = statements(template).find((s) => s.Sid === 'AssumeCdkBootstrapRoles');
    expect(assume?.Resource).toContain(`arn:aws:iam::${ACCOUNT}:role/cdk-hf2024-deploy-role-${ACCOUNT}-${REGION}`);
  });

  it("trusts the account's existing provider when told not to create one", () => {
    const { template } = stagingStack({ createProvider: false });
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: {
              Federated: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    `:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
                  ],
                ],
              },
            },
          }),
        ],
      },
    });
  });

  it('outputs each role ARN for the GitHub environment variable', () => {
    const { template } = staged;
    template.hasOutput('*', {
      Description: Match.stringLikeRegexp('AWS_DEPLOY_ROLE_ARN of GitHub environment staging'),
    });
  });

  it('passes cdk-nag AwsSolutions, acknowledging each wildcard resource with its own reason', () => {
    const { stack } = staged;
    // THEN
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it.each([
    [{ repository: 'not a repo' }, /repository "not a repo" is not owner\/name/],
    [{ targets: [] }, /targets is empty/],
    [
      { targets: [{ config: loadEnvironment('prod'), refs: ['refs/tags/v*'] }] },
      /"prod" is in account 222222222222, this stack in 111111111111/,
    ],
    [{ targets: [{ config: staging, refs: ['main'] }] }, /refs \["main"\] must be refs\/heads\/… or refs\/tags\/…/],
    [{ env: undefined }, /the stack has no account/],
  ] as [Partial<GithubOidcStackProps>, RegExp][])(
    'rejects bad props with a message saying what to do: %#',
    (props, message) => {
      expect(() => stagingStack(props)).toThrow(message);
    },
  );
});

describe('the GitHub app (infra/github-app.ts)', () => {
  it('gives each account its stack and each environment a role trusting its deploy refs', () => {
    // GIVEN / WHEN
    const { stacks } = buildGithubApp({ repository: REPOSITORY, outdir: mkdtempSync(join(tmpdir(), 'hf-github-')) });
    // THEN: staging and prod are in different accounts
    expect(stacks.map((s) => [s.stackName, s.account, [...s.roles.keys()]])).toEqual([
      ['hello-fargate-github-staging', '111111111111', ['staging']],
      ['hello-fargate-github-prod', '222222222222', ['prod']],
    ]);
    const prodTrust = Template.fromStack(stacks[1] as GithubOidcStack).findResources('AWS::IAM::Role');
    expect(JSON.stringify(prodTrust)).toContain('"repo:octo-org/hello-fargate:ref:refs/tags/v*"');
    expect(JSON.stringify(prodTrust)).not.toContain('refs/heads/main');
    expect(GITHUB_DEPLOY_REFS).toEqual({ staging: ['refs/heads/main'], prod: ['refs/tags/v*'] });
  });

  it("trusts the accounts' existing providers when told createProvider false", () => {
    const { stacks } = buildGithubApp({
      repository: REPOSITORY,
      environments: ['staging'],
      createProvider: false,
      outdir: mkdtempSync(join(tmpdir(), 'hf-github-')),
    });
    Template.fromStack(stacks[0] as GithubOidcStack).resourceCountIs('AWS::IAM::OIDCProvider', 0);
  });

  it('refuses to build without a repository, saying how to pass it', () => {
    const saved = process.env.GITHUB_REPOSITORY;
    delete process.env.GITHUB_REPOSITORY;
    try {
      expect(() => buildGithubApp()).toThrow(/pass -c repository=<owner>\/<repo>/);
    } finally {
      if (saved !== undefined) process.env.GITHUB_REPOSITORY = saved;
    }
  });
});
