// CdkCliToolkit: the CDK CLI arguments it passes, the assembly it reads, and how it parses the CLI's output.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdkCliToolkit } from '../../src/deploy/cdk-cli-toolkit.js';
import type { ToolkitEvent } from '../../src/deploy/cdk-toolkit.js';
import { parseCdkLine } from '../../src/deploy/parse-cdk-line.js';

/** A real two-stack cloud assembly, synthesized once: what `cdk synth --output` leaves behind. */
let assembly: string;
beforeAll(() => {
  assembly = mkdtempSync(join(tmpdir(), 'hf-toolkit-'));
  const app = new App({ outdir: assembly });
  const network = new Stack(app, 'NetworkId', { stackName: 'demo-staging-network' });
  const service = new Stack(app, 'ServiceId', { stackName: 'demo-staging-service', terminationProtection: true });
  // One resource each: CloudFormation refuses an empty template.
  for (const stack of [network, service]) new CfnWaitConditionHandle(stack, 'Placeholder');
  service.addStackDependency(network);
  app.synth();
});
afterAll(() => rmSync(assembly, { recursive: true, force: true }));

/** A CLI stand-in: `synth` succeeds (the assembly is already there); other commands print `lines` and exit. */
function fakeCli(lines: readonly string[] = [], exitCode = 0) {
  const calls: string[][] = [];
  const run = async (args: readonly string[], onLine: (line: string) => void) => {
    calls.push([...args]);
    if (args[0] === 'synth') return 0;
    lines.forEach(onLine);
    return exitCode;
  };
  return { calls, outdir: assembly, toolkit: new CdkCliToolkit({ root: '/project', outdir: assembly, run }) };
}

describe('CdkCliToolkit', () => {
  it('synthesizes infra/app.ts once and reads stack names and stack dependencies (not assets) from the assembly', async () => {
    const { calls, outdir, toolkit } = fakeCli();
    const stacks = await toolkit.synth();
    expect(calls).toEqual([['synth', '--app', 'npx tsx infra/app.ts', '--output', outdir, '--quiet', '--no-notices']]);
    expect(stacks).toEqual([
      { name: 'demo-staging-network', dependencies: [], terminationProtection: false },
      { name: 'demo-staging-service', dependencies: ['demo-staging-network'], terminationProtection: true },
    ]);
  });

  it('deploys exactly the named stacks from the synthesized assembly, without approval prompts, reporting events', async () => {
    const { calls, outdir, toolkit } = fakeCli([
      'demo-staging-service: deploying... [1/1]',
      'demo-staging-service | 1/4 | 10:15:02 AM | UPDATE_COMPLETE      | AWS::ECS::Service | Service/Service (Service1A2B3C)',
      ' ✅  demo-staging-service',
    ]);
    await toolkit.synth();
    const events: ToolkitEvent[] = [];
    await toolkit.deploy(['demo-staging-service'], { onEvent: (e) => events.push(e) });
    expect(calls[1]).toEqual([
      'deploy',
      '--app',
      outdir,
      '--require-approval',
      'never',
      '--progress',
      'events',
      '--exclusively',
      '--concurrency',
      '1',
      'ServiceId',
      '--no-notices',
    ]);
    expect(events.map((e) => e.type)).toEqual(['stack-start', 'resource', 'stack-done']);
  });

  it('rejects with the last lines the CLI printed when it exits non-zero', async () => {
    const { toolkit } = fakeCli(
      ['demo-staging-service: deploying... [1/1]', ' ❌  demo-staging-service failed: Error: boom'],
      1,
    );
    await toolkit.synth();
    await expect(toolkit.destroy(['demo-staging-service'], { onEvent: () => {} })).rejects.toThrow(
      /cdk destroy exited with code 1:\n.*deploying\.\.\. \[1\/1\]\n.*failed: Error: boom/,
    );
  });

  it('tells a diff with differences from one without', async () => {
    const changed = fakeCli([
      'Stack demo-staging-service',
      '[~] AWS::ECS::TaskDefinition Task',
      '✨  Number of stacks with differences: 1',
    ]);
    expect((await changed.toolkit.diff(['demo-staging-service'])).hasChanges).toBe(true);
    expect(changed.calls.map((c) => c[0])).toEqual(['synth', 'diff']);
    const same = fakeCli([
      'Stack demo-staging-service',
      'There were no differences',
      '✨  Number of stacks with differences: 0',
    ]);
    const diff = await same.toolkit.diff(['demo-staging-service']);
    expect(diff).toEqual({ hasChanges: false, text: expect.stringContaining('There were no differences') });
  });
});

describe('parseCdkLine', () => {
  it('reads CloudFormation events with and without the progress column, colours removed', () => {
    expect(
      parseCdkLine(
        'app-staging-db | 3/12 | 10:15:02 AM | \u001b[31mCREATE_FAILED\u001b[39m        | AWS::RDS::DBCluster | Database/Cluster (DatabaseCluster5B53A178) Resource handler returned message: "quota"',
      ),
    ).toEqual({
      type: 'resource',
      stack: 'app-staging-db',
      status: 'CREATE_FAILED',
      resourceType: 'AWS::RDS::DBCluster',
      resource: 'Database/Cluster',
      reason: 'Resource handler returned message: "quota"',
    });
    expect(parseCdkLine('app-staging-db | 10:20:00 AM | DELETE_COMPLETE | AWS::EC2::VPC | Vpc')).toMatchObject({
      type: 'resource',
      status: 'DELETE_COMPLETE',
      resource: 'Vpc',
    });
  });

  it('reads stack starts, completions, failures and asset publishing', () => {
    expect(parseCdkLine('app-staging-web: destroying... [2/5]')).toEqual({
      type: 'stack-start',
      stack: 'app-staging-web',
    });
    expect(parseCdkLine(' ✅  app-staging-web (no changes)')).toEqual({
      type: 'stack-done',
      stack: 'app-staging-web',
      noChanges: true,
    });
    expect(parseCdkLine('✅  app-staging-web: destroyed')).toEqual({ type: 'stack-done', stack: 'app-staging-web' });
    expect(parseCdkLine(' ❌  app-staging-web failed: ValidationError: nope')).toMatchObject({
      type: 'error',
      stack: 'app-staging-web',
    });
    expect(parseCdkLine('[50%] success: Published 3f2a…:111111111111-eu-west-1')).toEqual({
      type: 'asset',
      text: '[50%] success: Published 3f2a…:111111111111-eu-west-1',
    });
    expect(parseCdkLine('Outputs:')).toEqual({ type: 'message', text: 'Outputs:' });
  });
});
