// Tests for .github/workflows: valid per action-validator's schema, and the CI and deploy properties we rely on.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../build-app.js';

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

interface Job {
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: unknown;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly container?: { image: string };
  readonly steps: Step[];
}

interface Workflow {
  readonly on: Record<string, { branches?: string[]; tags?: string[] } | null>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const read = (name: string) => readFileSync(join(REPO_ROOT, '.github', 'workflows', name), 'utf8');
const ci = { text: read('ci.yml'), workflow: parse(read('ci.yml')) as Workflow };
const deploy = { text: read('deploy.yml'), workflow: parse(read('deploy.yml')) as Workflow };
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = (job: Job) => job.steps.flatMap((step) => (step.run ? [step.run.trim()] : []));

describe('the GitHub workflows', () => {
  it('are valid workflows for action-validator (which does flag a broken one)', () => {
    expect(validateWorkflow(ci.text).errors).toEqual([]);
    expect(validateWorkflow(deploy.text).errors).toEqual([]);
    expect(validateWorkflow('on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n').errors).not.toEqual([]);
  });

  it('pin every action to at least a major version or a commit', () => {
    const uses = [...steps(ci.workflow), ...steps(deploy.workflow)].flatMap((step) => (step.uses ? [step.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
  });
});

describe('ci.yml', () => {
  const job = ci.workflow.jobs.check as Job;

  it('runs on pull requests and pushes, with a read-only token', () => {
    expect(Object.keys(ci.workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.workflow.permissions).toEqual({ contents: 'read' });
  });

  it('checks out, sets up Node 20 with the npm cache, installs postgresql and chromium, then npm ci and npm run check', () => {
    // GIVEN the job's steps in order
    const setupNode = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with).toMatchObject({ 'node-version': 20, cache: 'npm' });
    expect(job.steps.some((step) => step.uses?.startsWith('actions/checkout@'))).toBe(true);
    const commands = runs(job);
    const apt = commands.find((command) => command.includes('apt-get install')) ?? '';
    expect(apt).toMatch(/\bpostgresql\b/);
    expect(apt).toMatch(/\bchromium\b/);
    // THEN npm ci comes before npm run check, and both after the packages are installed
    const order = ['apt-get install', 'npm ci', 'npm run check'].map((text) =>
      commands.findIndex((command) => command.includes(text)),
    );
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('runs the tests in Debian bookworm on a pinned image, as developers do', () => {
    expect(job.container?.image).toMatch(/^node:20\.\d+\.\d+-bookworm(-slim)?@sha256:[0-9a-f]{64}$/);
  });
});

describe('deploy.yml', () => {
  const { workflow, text } = deploy;
  const staging = workflow.jobs.staging as Job;
  const prod = workflow.jobs.prod as Job;

  it('may ask for an OIDC token and only read the repository', () => {
    expect(workflow.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    for (const job of Object.values(workflow.jobs)) expect(job.permissions).toBeUndefined();
  });

  it('holds no long-lived AWS keys and no secrets at all', () => {
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|aws-access-key-id|aws-secret-access-key/i);
    expect(text).not.toMatch(/secrets\./);
  });

  it('runs on pushes to main and tags v* only (never for pull requests)', () => {
    expect(workflow.on).toEqual({ push: { branches: ['main'], tags: ['v*'] } });
  });

  it('deploys staging from main and prod only from tags, each in its GitHub environment', () => {
    expect(Object.keys(workflow.jobs).sort()).toEqual(['prod', 'staging']);
    expect(staging).toMatchObject({ if: "github.ref == 'refs/heads/main'", environment: 'staging' });
    expect(prod).toMatchObject({ if: "startsWith(github.ref, 'refs/tags/v')", environment: 'prod' });
  });

  it('lets one deploy per environment run at a time, never cancelling one half-way', () => {
    expect(staging.concurrency).toEqual({ group: 'deploy-staging', 'cancel-in-progress': false });
    expect(prod.concurrency).toEqual({ group: 'deploy-prod', 'cancel-in-progress': false });
  });

  it.each([
    ['staging', staging],
    ['prod', prod],
  ])('%s: assumes the role from the environment variable through OIDC, then npm ci and hf deploy', (env, job) => {
    // GIVEN the credentials step
    const credentials = job.steps.findIndex((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    const step = job.steps[credentials] as Step;
    // THEN the role comes from a repository/environment variable and no key inputs are given
    expect(step.with).toMatchObject({
      'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
      'aws-region': '${{ vars.AWS_REGION }}',
    });
    expect(Object.keys(step.with ?? {}).filter((input) => /key|secret|token/i.test(input))).toEqual([]);
    // and npm ci, then hf deploy for this environment, come after it
    const install = job.steps.findIndex((s) => s.run?.trim() === 'npm ci');
    const deployStep = job.steps.findIndex((s) => s.run?.trim() === `npx hf deploy --env ${env}`);
    expect(credentials).toBeGreaterThan(-1);
    expect(install).toBeGreaterThan(credentials);
    expect(deployStep).toBeGreaterThan(install);
    expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with).toMatchObject({
      'node-version': 20,
      cache: 'npm',
    });
  });
});
