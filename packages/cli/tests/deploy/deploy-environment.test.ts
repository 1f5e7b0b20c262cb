// hf deploy's orchestration with a stub CDK toolkit and mocked ECS, CloudWatch Logs and CloudFormation clients.

import { RunTaskCommand, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { DeployError } from '../../src/deploy/deploy-error.js';
import { deployEnvironment, type DeployEnvironmentOptions } from '../../src/deploy/deploy-environment.js';
import { system } from '../../../../system.js';
import { exitedTask, fakeAws, TASK_ID, task } from '../aws/fake-aws.js';
import { recordingOutput, stack, StubToolkit, type StubToolkitOptions } from './stub-toolkit.js';

const FOUNDATION = ['network', 'platform', 'database', 'queues', 'batch-queues'].map((p) => stack(p));
const SERVICES = [
  'backend',
  'webapi',
  'webapp',
  'main-job',
  'background-job',
  'order-stats',
  'rescore-orders',
  'wf-daily-sales-report',
].map((p) => stack(p));

/** A deploy of staging whose RunTask calls land on the same timeline as the toolkit's calls. */
function setUp(toolkitOptions: StubToolkitOptions = {}) {
  const timeline: string[] = [];
  const toolkit = new StubToolkit(timeline, toolkitOptions);
  const fake = fakeAws();
  fake.ecsMock.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => {
    timeline.push(`RunTask ${input.overrides?.containerOverrides?.[0]?.command?.join(' ') ?? ''}`);
    return { tasks: [task('PROVISIONING')], failures: [] };
  });
  const recorded = recordingOutput();
  const deploy = (options: Partial<DeployEnvironmentOptions> = {}) =>
    deployEnvironment({
      system,
      environment: 'staging',
      toolkit,
      clients: fake.clients,
      output: recorded.output,
      migrationPollIntervalMs: 1,
      ...options,
    });
  return { timeline, toolkit, fake, deploy, ...recorded };
}

async function deployError(promise: Promise<unknown>): Promise<DeployError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeployError);
  return error as DeployError;
}

describe('deployEnvironment', () => {
  it('deploys the foundation and oneoff stacks, runs the migration, and only then the workload and workflow stacks', async () => {
    // GIVEN a migration that exits 0
    const { timeline, toolkit, fake, deploy, printed } = setUp();
    fake.describeTasks({ task: task('RUNNING'), logs: ['migrated 3 files'] }, { task: exitedTask(0) });

    // WHEN staging is deployed
    const result = await deploy();

    // THEN synth, phase 1 (dependencies first), the migration, then phase 3, in that order
    expect(timeline.filter((t) => !t.startsWith('stack '))).toEqual([
      'synth',
      `deploy ${[...FOUNDATION, stack('oneoff')].join(',')}`,
      'RunTask migrate',
      `deploy ${SERVICES.join(',')}`,
    ]);
    // no prod stack is touched
    expect(toolkit.deployed.some((s) => s.includes('-prod-'))).toBe(false);
    // the migration's logs, the phases and a summary with durations are printed
    expect(printed).toContain('    oneoff | migrated 3 files');
    expect(printed.some((l) => /^phase 2\/3: pre-deploy runs \(oneoff migrate\)$/.test(l))).toBe(true);
    expect(printed.some((l) => /^deployed staging in \d+\.\d s$/.test(l))).toBe(true);
    expect(printed.some((l) => l.includes(stack('webapi')) && l.includes('deployed'))).toBe(true);
    expect(result.phases.map((p) => p.stacks.length + p.migrations.length)).toEqual([6, 1, 8]);
  });

  it('stops before any service stack when the migration exits non-zero, naming the task, exit code and log stream', async () => {
    // GIVEN a migration that exits 3
    const { toolkit, fake, deploy, printed } = setUp();
    fake.describeTasks({ task: exitedTask(3), logs: ['error: relation "orders" already exists'] });

    // WHEN staging is deployed
    const error = await deployError(deploy());

    // THEN the deploy fails with what failed and where its logs are, and phase 3 never ran
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toContain('"oneoff migrate"');
    expect(error.message).toContain('exit code 3');
    expect(error.message).toContain(`stream hf/oneoff/${TASK_ID}`);
    expect(error.message).toContain('No workload or workflow stack was updated');
    expect(error.details).toMatchObject({ task: 'oneoff migrate', exitCode: 3, logStream: `hf/oneoff/${TASK_ID}` });
    expect(toolkit.deployed).toEqual([...FOUNDATION, stack('oneoff')]);
    expect(printed).toContain('    oneoff | error: relation "orders" already exists');
    expect(printed.some((l) => l.startsWith('deploy of staging FAILED after'))).toBe(true);
  });

  it('stops before any service stack when the migration task cannot start', async () => {
    // GIVEN ECS has no capacity for the task
    const { toolkit, fake, deploy } = setUp();
    fake.ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI' }] });

    // WHEN staging is deployed
    const error = await deployError(deploy());

    // THEN it says the run did not start and why, and nothing after phase 1 was deployed
    expect(error.code).toBe('MIGRATION_NOT_STARTED');
    expect(error.message).toContain('"oneoff migrate"');
    expect(error.message).toContain('RESOURCE:ENI');
    expect(toolkit.deployed).not.toContain(stack('backend'));
    expect(toolkit.calls.filter((c) => c.action === 'deploy')).toHaveLength(1);
  });

  it('deploys only the named workloads and what they depend on, still migrating first', async () => {
    // GIVEN a migration that exits 0
    const { timeline, fake, deploy } = setUp();
    fake.describeTasks({ task: exitedTask(0) });

    // WHEN only webapi is deployed
    await deploy({ workloads: ['webapi'] });

    // THEN its foundation (no batch queues), the oneoff stack, the migration, then backend before webapi
    expect(timeline.filter((t) => !t.startsWith('stack '))).toEqual([
      'synth',
      `deploy ${['network', 'platform', 'database', 'queues', 'oneoff'].map((p) => stack(p)).join(',')}`,
      'RunTask migrate',
      `deploy ${stack('backend')},${stack('webapi')}`,
    ]);
  });

  it('refuses a name that is not a workload or workflow, or has no stack of its own, before deploying anything', async () => {
    const { toolkit, deploy } = setUp();

    const unknown = await deployError(deploy({ workloads: ['webshop'] }));
    expect(unknown.code).toBe('UNKNOWN_WORKLOAD');
    expect(unknown.message).toContain('"webshop" is neither a workload nor a workflow');
    expect(unknown.message).toContain('daily-sales-report');

    const step = await deployError(deploy({ workloads: ['sales-report'] }));
    expect(step.message).toContain('workload "sales-report" has no stack of its own');
    expect(toolkit.deployed).toEqual([]);
  });

  it('names the stack whose deployment failed and the ones not deployed after it', async () => {
    // GIVEN CloudFormation fails the backend stack
    const { timeline, fake, deploy } = setUp({ failOn: stack('backend') });
    fake.describeTasks({ task: exitedTask(0) });

    // WHEN staging is deployed
    const error = await deployError(deploy());

    // THEN
    expect(error.code).toBe('CDK_FAILED');
    expect(error.details.stack).toBe(stack('backend'));
    expect(error.message).toContain(`deploying ${stack('backend')} failed`);
    expect(error.message).toContain(`not deployed: ${stack('webapi')}`);
    expect(timeline).toContain(`stack ${stack('backend')}`);
    expect(timeline).not.toContain(`stack ${stack('webapi')}`);
  });
});
