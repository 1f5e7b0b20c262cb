// Tests for the CDK app with a workflow and a batch job: their stacks, names, dependencies, outputs and cdk-nag.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_JOB_STACK_OUTPUTS } from '@hello-fargate/constructs';
import { defineSystem, stackName } from '@hello-fargate/workload';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchJobQueue, rescoreOrders } from '../../usecases/batchjobs/workload.js';
import { dailySalesReport, reportEventsQueue, salesReport } from '../../usecases/scheduledjobs/workload.js';
import { type BuiltApp, buildApp, hasOwnStack } from '../build-app.js';
import { WORKFLOW_STACK_OUTPUTS } from '../stacks/workflow-stack.js';

const system = defineSystem({
  name: 'hello-fargate',
  workloads: [salesReport, rescoreOrders],
  queues: [reportEventsQueue],
  jobQueues: [batchJobQueue],
  workflows: [dailySalesReport],
});

describe('the CDK app with a workflow and a batch job', () => {
  let built: BuiltApp;
  let assembly: CloudAssembly;
  const name = (part: string) => stackName('hello-fargate', 'staging', part);
  const template = (part: string) =>
    assembly.getStackByName(name(part)).template as {
      Resources: Record<string, { Type: string; Properties: never }>;
      Outputs: object;
    };
  const dependencies = (part: string) => assembly.getStackByName(name(part)).dependencies.map((d) => d.id);
  const imageSources = (part: string) =>
    Object.values(
      (
        JSON.parse(readFileSync(join(assembly.directory, `${name(part)}.assets.json`), 'utf8')) as {
          dockerImages: object;
        }
      ).dockerImages,
    ).map((asset) => (asset as { source: { dockerFile: string; platform: string } }).source);

  beforeAll(() => {
    // GIVEN the daily-sales-report workflow and the rescore-orders batch job, WHEN the app is built for staging
    built = buildApp({ system, environments: ['staging'], outdir: mkdtempSync(join(tmpdir(), 'hf-cdk-wf-')) });
    assembly = built.app.synth();
  });

  it('builds the batch queues stack, the batch job’s stack and one stack per workflow, and none for a step-only job', () => {
    // THEN
    expect(hasOwnStack(salesReport)).toBe(false);
    expect(built.environments[0]?.stacks.map((s) => s.stackName)).toEqual(
      ['network', 'platform', 'database', 'queues', 'batch-queues', 'rescore-orders', 'wf-daily-sales-report'].map(
        name,
      ),
    );
  });

  it('orders the deploys: batch queues after the database, jobs and workflows after what they use', () => {
    // THEN
    expect(dependencies('batch-queues')).toEqual(
      expect.arrayContaining([name('network'), name('platform'), name('database')]),
    );
    expect(dependencies('rescore-orders')).toEqual(expect.arrayContaining([name('batch-queues'), name('database')]));
    expect(dependencies('wf-daily-sales-report')).toEqual(
      expect.arrayContaining([name('queues'), name('database'), name('platform')]),
    );
    // The platform stack (the key's) depends on none of them: no grant edited the key policy.
    expect(dependencies('platform')).toEqual([name('network'), expect.stringContaining('assets')]);
  });

  it('puts the step tasks, the state machine and the Berlin-time schedule in the workflow stack', () => {
    // THEN
    const resources = Object.values(template('wf-daily-sales-report').Resources);
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    expect(count('AWS::ECS::TaskDefinition')).toBe(1);
    expect(count('AWS::StepFunctions::StateMachine')).toBe(1);
    expect(resources.find((r) => r.Type === 'AWS::Scheduler::Schedule')?.Properties).toMatchObject({
      ScheduleExpression: 'cron(30 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
    expect(Object.keys(template('wf-daily-sales-report').Outputs).sort()).toEqual(
      Object.values(WORKFLOW_STACK_OUTPUTS).sort(),
    );
  });

  it('outputs what the CLI needs to submit and follow batch jobs', () => {
    // THEN
    expect(Object.keys(template('rescore-orders').Outputs).sort()).toEqual(
      Object.values(BATCH_JOB_STACK_OUTPUTS).sort(),
    );
  });

  it('builds each image from its workload’s Dockerfile for linux/amd64', () => {
    // THEN
    expect(imageSources('wf-daily-sales-report')).toEqual([
      expect.objectContaining({
        dockerFile: 'usecases/scheduledjobs/Dockerfile.sales-report',
        platform: 'linux/amd64',
      }),
    ]);
    expect(imageSources('rescore-orders')).toEqual([
      expect.objectContaining({ dockerFile: 'usecases/batchjobs/Dockerfile', platform: 'linux/amd64' }),
    ]);
  });

  it('passes cdk-nag AwsSolutions with no finding in any stack', () => {
    // THEN
    for (const stack of built.environments.flatMap((env) => env.stacks)) {
      const findings = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => ({
        rule: v.ruleName,
        at: v.violatingResources.map((r) => r.constructPath),
      }));
      expect({ stack: stack.stackName, findings }).toEqual({ stack: stack.stackName, findings: [] });
    }
  });
});
