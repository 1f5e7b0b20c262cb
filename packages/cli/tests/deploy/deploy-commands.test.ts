// hf deploy, diff and destroy as the CLI calls them: the real infra/config and system.ts, a stub toolkit, mocked AWS.

import { fileURLToPath } from 'node:url';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli-error.js';
import { deployCommand } from '../../src/commands/deploy.js';
import { destroyCommand } from '../../src/commands/destroy.js';
import { diffCommand } from '../../src/commands/diff.js';
import type { Confirmation } from '../../src/deploy/confirmation.js';
import { exitedTask, fakeAws } from '../aws/fake-aws.js';
import { recordingOutput, stack, StubToolkit } from './stub-toolkit.js';

/** The repository root: its system.ts and infra/config are the real ones. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function cliError(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

/** A terminal (or not) that answers the confirmation question with `answer`, remembering what it was asked. */
function answering(answer: string, interactive = true): Confirmation & { asked: string[] } {
  const asked: string[] = [];
  return {
    interactive,
    asked,
    ask: async (question) => {
      asked.push(question);
      return answer;
    },
  };
}

describe('hf deploy', () => {
  it('refuses an environment infra/config does not define, listing the known ones, before synthesizing', async () => {
    const toolkit = new StubToolkit();
    const error = await cliError(
      deployCommand({
        root: ROOT,
        environment: 'qa',
        toolkit,
        clients: fakeAws().clients,
        output: recordingOutput().output,
        signal: new AbortController().signal,
      }),
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('unknown environment "qa"');
    expect(error.message).toContain('staging, prod');
    expect(toolkit.calls).toEqual([]);
  });

  it('exits non-zero with the migration failure when the migration exits non-zero', async () => {
    const toolkit = new StubToolkit();
    const fake = fakeAws();
    fake.describeTasks({ task: exitedTask(1) });
    const error = await cliError(
      deployCommand({
        root: ROOT,
        environment: 'staging',
        toolkit,
        clients: fake.clients,
        output: recordingOutput().output,
        signal: new AbortController().signal,
        migrationPollIntervalMs: 1,
      }),
    );
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/pre-deploy run "oneoff migrate" \(task \w+\) failed with exit code 1/);
    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(toolkit.deployed).not.toContain(stack('backend'));
  });
});

describe('hf diff', () => {
  it('prints the toolkit diff of every staging stack and exits 0 when there are differences', async () => {
    const toolkit = new StubToolkit([], {
      diff: { text: 'Stack hello-fargate-staging-backend\n[~] AWS::ECS::TaskDefinition', hasChanges: true },
    });
    const { output, printed } = recordingOutput();
    expect(await diffCommand({ root: ROOT, environment: 'staging', toolkit, output })).toBe(0);
    const diffed = toolkit.calls.find((c) => c.action === 'diff')?.stacks ?? [];
    expect(diffed).toHaveLength(14);
    expect(diffed.every((s) => s.startsWith('hello-fargate-staging-'))).toBe(true);
    expect(printed[0]).toContain('[~] AWS::ECS::TaskDefinition');
    expect(printed.at(-1)).toContain('differences found');
  });

  it('says "no differences" and exits 0 when nothing differs', async () => {
    const { output, printed } = recordingOutput();
    expect(await diffCommand({ root: ROOT, environment: 'staging', toolkit: new StubToolkit(), output })).toBe(0);
    expect(printed).toEqual(['staging: no differences']);
  });
});

describe('hf destroy', () => {
  const KEPT = ['network', 'platform', 'database'].map((p) => stack(p));

  it('destroys, once the environment name is typed, every stack but the database and what it stands on, dependents first', async () => {
    const toolkit = new StubToolkit();
    const confirmation = answering('staging');
    const { output, printed } = recordingOutput();
    expect(await destroyCommand({ root: ROOT, environment: 'staging', toolkit, output, confirmation })).toBe(0);

    expect(confirmation.asked).toEqual(['type the environment name (staging) to destroy it: ']);
    const destroyed = toolkit.calls.find((c) => c.action === 'destroy')?.stacks ?? [];
    expect(destroyed).toHaveLength(11);
    expect(destroyed.some((s) => KEPT.includes(s))).toBe(false);
    // each stack goes before the stacks it depends on
    expect(destroyed.indexOf(stack('webapi'))).toBeLessThan(destroyed.indexOf(stack('backend')));
    expect(destroyed.indexOf(stack('backend'))).toBeLessThan(destroyed.indexOf(stack('queues')));
    expect(destroyed.indexOf(stack('rescore-orders'))).toBeLessThan(destroyed.indexOf(stack('batch-queues')));
    expect(printed.at(-1)).toContain(`kept 3: ${KEPT.join(', ')}`);
  });

  it('destroys nothing when the answer is not the environment name', async () => {
    const toolkit = new StubToolkit();
    const error = await cliError(
      destroyCommand({
        root: ROOT,
        environment: 'staging',
        toolkit,
        output: recordingOutput().output,
        confirmation: answering('yes'),
      }),
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('"yes" is not "staging": nothing was destroyed.');
    expect(toolkit.calls.map((c) => c.action)).toEqual(['synth']);
  });

  it('refuses without --yes when stdin is not a terminal, and destroys with --yes without asking', async () => {
    const refused = new StubToolkit();
    const error = await cliError(
      destroyCommand({
        root: ROOT,
        environment: 'staging',
        toolkit: refused,
        output: recordingOutput().output,
        confirmation: answering('staging', false),
      }),
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('pass --yes');
    expect(refused.calls).toEqual([]);

    const confirmation = answering('', false);
    const toolkit = new StubToolkit();
    await destroyCommand({
      root: ROOT,
      environment: 'staging',
      toolkit,
      output: recordingOutput().output,
      confirmation,
      yes: true,
    });
    expect(confirmation.asked).toEqual([]);
    expect(toolkit.calls.map((c) => c.action)).toEqual(['synth', 'destroy']);
  });

  it('with --including-data also destroys the database, then the platform and network last, and says a snapshot stays', async () => {
    const toolkit = new StubToolkit();
    const { output, printed } = recordingOutput();
    await destroyCommand({
      root: ROOT,
      environment: 'staging',
      toolkit,
      output,
      confirmation: answering('staging'),
      includingData: true,
    });
    const destroyed = toolkit.calls.find((c) => c.action === 'destroy')?.stacks ?? [];
    expect(destroyed).toHaveLength(14);
    expect(destroyed.slice(-3)).toEqual([stack('database'), stack('platform'), stack('network')]);
    expect(printed.join('\n')).toContain('final snapshot');
  });

  it('refuses an environment whose config has terminationProtection', async () => {
    const toolkit = new StubToolkit();
    const error = await cliError(
      destroyCommand({
        root: ROOT,
        environment: 'prod',
        toolkit,
        output: recordingOutput().output,
        confirmation: answering('prod'),
        yes: true,
      }),
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('environment prod has terminationProtection: true in infra/config/prod.ts');
    expect(toolkit.calls).toEqual([]);
  });
});
