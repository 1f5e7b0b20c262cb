// The `--env` command layer: environment and name checks before any AWS call, error messages, Ctrl-C wiring.

import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SubmitJobCommand } from '@aws-sdk/client-batch';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { interruptOnSigint } from '../../src/aws/interrupt-on-sigint.js';
import { loadEnvironmentRegion } from '../../src/aws/load-environment-region.js';
import { CliError } from '../../src/cli-error.js';
import { batchOnAwsCommand } from '../../src/commands/batch-aws.js';
import { workflowOnAwsCommand } from '../../src/commands/workflow-aws.js';
import {
  BATCH_OUTPUTS,
  BATCH_STACK,
  fakeBatch,
  fakeCloudFormation,
  fakeSfn,
  HistoryBuilder,
  job,
  recordingOutput,
  WORKFLOW,
  WORKFLOW_OUTPUTS,
  WORKFLOW_STACK,
} from './fake-workflow-batch-aws.js';

/** The repository root: its system.ts and infra/config are the real ones. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function fakes() {
  const events = new HistoryBuilder().add('ExecutionStarted').add('ExecutionSucceeded').events;
  const { sfn, mock: sfnMock } = fakeSfn(events, [{ status: 'SUCCEEDED', visibleEvents: 2 }]);
  const { batch, mock: batchMock } = fakeBatch([job('SUCCEEDED')]);
  const { cloudformation, mock: cloudformationMock } = fakeCloudFormation({
    [WORKFLOW_STACK]: WORKFLOW_OUTPUTS,
    [BATCH_STACK]: BATCH_OUTPUTS,
  });
  const recorded = recordingOutput();
  return {
    sfnMock,
    batchMock,
    cloudformationMock,
    ...recorded,
    workflowClients: { sfn, cloudformation },
    batchClients: { batch, cloudformation },
    signal: new AbortController().signal,
  };
}

async function cliError(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('loadEnvironmentRegion', () => {
  it("returns the configured environment's region, which AWS_REGION overrides", async () => {
    expect(await loadEnvironmentRegion(ROOT, 'staging', {})).toBe('eu-west-1');
    expect(await loadEnvironmentRegion(ROOT, 'staging', { AWS_REGION: 'us-east-2' })).toBe('us-east-2');
  });

  it('refuses an unknown environment, listing the known ones, even when AWS_REGION is set', async () => {
    const error = await cliError(loadEnvironmentRegion(ROOT, 'qa', { AWS_REGION: 'us-east-2' }));

    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^--env qa: unknown environment "qa"; known environments: staging, prod/);
  });
});

describe('workflowOnAwsCommand', () => {
  it('runs the workflow in the environment and exits with its result', async () => {
    const fake = fakes();

    const code = await workflowOnAwsCommand({
      root: ROOT,
      environment: 'staging',
      action: 'run-now',
      args: [WORKFLOW],
      input: '{"day":"2025-02-28"}',
      clients: fake.workflowClients,
      output: fake.output,
      signal: fake.signal,
    });

    expect(code).toBe(0);
    const input = fake.sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(input?.input).toBe('{"day":"2025-02-28"}');
    expect(fake.lines.at(-1)).toBe(`${input?.name} SUCCEEDED in 1.0s`);
  });

  it('refuses an unknown environment or workflow before any AWS call', async () => {
    const fake = fakes();
    const base = { root: ROOT, action: 'run-now', clients: fake.workflowClients, output: fake.output };

    const badEnv = await cliError(workflowOnAwsCommand({ ...base, environment: 'qa', args: [WORKFLOW] }));
    const badName = await cliError(workflowOnAwsCommand({ ...base, environment: 'staging', args: ['nightly'] }));

    expect([badEnv.exitCode, badName.exitCode]).toEqual([2, 2]);
    expect(badName.message).toContain('no such workflow');
    expect(fake.cloudformationMock.calls()).toHaveLength(0);
    expect(fake.sfnMock.calls()).toHaveLength(0);
  });

  it('turns a missing stack into a CliError that says to deploy, exit code 1', async () => {
    const fake = fakes();

    const error = await cliError(
      workflowOnAwsCommand({
        root: ROOT,
        environment: 'prod',
        action: 'history',
        args: [WORKFLOW],
        clients: fake.workflowClients,
        output: fake.output,
      }),
    );

    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('deploy it first with `hf deploy --env prod`');
  });

  it('has no --env form of list', async () => {
    const error = await cliError(
      workflowOnAwsCommand({ root: ROOT, environment: 'staging', action: 'list', args: [] }),
    );

    expect(error.exitCode).toBe(2);
  });
});

describe('batchOnAwsCommand', () => {
  it('submits a batchjob workload of the system to its stack and follows it', async () => {
    const fake = fakes();

    const code = await batchOnAwsCommand({
      root: ROOT,
      environment: 'staging',
      action: 'submit',
      args: ['rescore-orders'],
      arraySize: 3,
      clients: fake.batchClients,
      output: fake.output,
      signal: fake.signal,
    });

    expect(code).toBe(0);
    expect(fake.batchMock.commandCalls(SubmitJobCommand)[0]?.args[0].input.arrayProperties).toEqual({ size: 3 });
  });

  it('refuses a bad array size, a workload that is not a batchjob and --queue before any AWS call', async () => {
    const fake = fakes();
    const base = {
      root: ROOT,
      environment: 'staging',
      action: 'submit',
      clients: fake.batchClients,
      output: fake.output,
    };

    const badSize = await cliError(batchOnAwsCommand({ ...base, args: ['rescore-orders'], arraySize: 10_001 }));
    const notBatch = await cliError(batchOnAwsCommand({ ...base, args: ['oneoff'] }));
    const queue = await cliError(batchOnAwsCommand({ ...base, args: ['rescore-orders'], queue: 'other' }));

    expect([badSize.exitCode, notBatch.exitCode, queue.exitCode]).toEqual([2, 2, 2]);
    expect(badSize.message).toContain('from 2 to 10,000');
    expect(notBatch.message).toBe(
      '"oneoff" is not a batchjob workload of system "hello-fargate" (batchjobs: rescore-orders)',
    );
    expect(fake.cloudformationMock.calls()).toHaveLength(0);
    expect(fake.batchMock.calls()).toHaveLength(0);
  });
});

describe('interruptOnSigint', () => {
  it('aborts on the first Ctrl-C, exits 130 on the second, and lets go of the process when disposed', () => {
    const emitter = new EventEmitter();
    const written: string[] = [];
    const exits: number[] = [];
    const target = Object.assign(emitter, {
      stderr: { write: (text: string) => written.push(text) },
      exit: (code?: number) => {
        exits.push(code ?? 0);
        return undefined as never;
      },
    });

    const interrupt = interruptOnSigint(
      'no longer following',
      target as unknown as Parameters<typeof interruptOnSigint>[1],
    );
    emitter.emit('SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    expect(written).toEqual(['hf: interrupted: no longer following (Ctrl-C again to quit at once)…\n']);
    expect(exits).toEqual([]);
    emitter.emit('SIGINT');
    expect(exits).toEqual([130]);

    const again = interruptOnSigint('x', target as unknown as Parameters<typeof interruptOnSigint>[1]);
    again.dispose();
    expect(emitter.listenerCount('SIGINT')).toBe(0);
  });
});
