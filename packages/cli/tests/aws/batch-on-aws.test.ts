// submitBatchJobOnAws, describeBatchJobOnAws and listBatchJobsOnAws against stubbed Batch and CloudFormation clients.

import { DescribeJobsCommand, ListJobsCommand, SubmitJobCommand, TerminateJobCommand } from '@aws-sdk/client-batch';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { AwsCommandError } from '../../src/aws/aws-command-error.js';
import {
  describeBatchJobOnAws,
  listBatchJobsOnAws,
  parseDependency,
  type SubmitBatchJobOnAwsOptions,
  submitBatchJobOnAws,
} from '../../src/aws/batch-on-aws.js';
import {
  awsError,
  BATCH_LOG_GROUP,
  BATCH_OUTPUTS,
  BATCH_STACK,
  BATCH_WORKLOAD,
  fakeBatch,
  fakeCloudFormation,
  job,
  JOB_DEFINITION_ARN,
  JOB_ID,
  JOB_QUEUE_ARN,
  recordingOutput,
  recordingStream,
  START,
} from './fake-workflow-batch-aws.js';

function setup(
  details: Parameters<typeof fakeBatch>[0] = [job('SUCCEEDED')],
  onAnswer: Record<number, () => void> = {},
) {
  const { batch, mock: batchMock } = fakeBatch(details, onAnswer);
  const { cloudformation, mock: cloudformationMock } = fakeCloudFormation({ [BATCH_STACK]: BATCH_OUTPUTS });
  const recorded = recordingOutput();
  const bar = recordingStream();
  const submit = (options: Partial<SubmitBatchJobOnAwsOptions> = {}) =>
    submitBatchJobOnAws({
      system: 'hello-fargate',
      environment: 'staging',
      workload: BATCH_WORKLOAD,
      clients: { batch, cloudformation },
      output: recorded.output,
      pollIntervalMs: 1,
      progressStream: bar.stream,
      now: () => START,
      ...options,
    });
  return { batchMock, cloudformationMock, ...recorded, bar: bar.written, submit, clients: { batch, cloudformation } };
}

async function rejection(promise: Promise<unknown>): Promise<AwsCommandError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsCommandError);
  return error as AwsCommandError;
}

describe('submitBatchJobOnAws', () => {
  it("submits to the stack's job queue and job definition ARNs with exactly the array size, dependencies and command", async () => {
    // GIVEN a deployed rescore-orders stack
    const fake = setup();

    // WHEN an array job is submitted without waiting
    const result = await fake.submit({
      arraySize: 500,
      dependsOn: ['11111111-aaaa:N_TO_N', '22222222-bbbb:3', '33333333-cccc'],
      jobName: 'rescore-march',
      command: ['rescore', '--since', '2025-03-01'],
      noWait: true,
    });

    // THEN the stack <system>-<env>-<workload> was read and SubmitJob got exactly this input
    expect(fake.cloudformationMock.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({
      StackName: BATCH_STACK,
    });
    expect(fake.batchMock.commandCalls(SubmitJobCommand).map((c) => c.args[0].input)).toEqual([
      {
        jobName: 'rescore-march',
        jobQueue: JOB_QUEUE_ARN,
        jobDefinition: JOB_DEFINITION_ARN,
        arrayProperties: { size: 500 },
        dependsOn: [
          { jobId: '11111111-aaaa', type: 'N_TO_N' },
          { jobId: '22222222-bbbb:3' },
          { jobId: '33333333-cccc' },
        ],
        containerOverrides: { command: ['rescore', '--since', '2025-03-01'] },
      },
    ]);
    expect(result).toEqual({ exitCode: 0, jobId: JOB_ID, status: 'SUBMITTED' });
    expect(fake.lines).toEqual([`submitted rescore-march (job ${JOB_ID}, array of 500)`]);
    expect(fake.batchMock.commandCalls(DescribeJobsCommand)).toHaveLength(0);
  });

  it("sends a single job named <workload>-<UTC time> with the definition's own command when nothing else is given", async () => {
    const fake = setup();

    await fake.submit({ noWait: true });

    expect(fake.batchMock.commandCalls(SubmitJobCommand)[0]?.args[0].input).toEqual({
      jobName: 'rescore-orders-20250301020000',
      jobQueue: JOB_QUEUE_ARN,
      jobDefinition: JOB_DEFINITION_ARN,
    });
  });

  it('follows an array job with the progress bar until SUCCEEDED and exits 0', async () => {
    // GIVEN an array of 4 whose children finish over three polls
    const fake = setup([
      job('PENDING', { arrayProperties: { size: 4, statusSummary: { RUNNABLE: 4 } } }),
      job('PENDING', { arrayProperties: { size: 4, statusSummary: { RUNNING: 2, SUCCEEDED: 2 } } }),
      job('SUCCEEDED', { arrayProperties: { size: 4, statusSummary: { SUCCEEDED: 4 } } }),
    ]);

    // WHEN it is submitted and followed
    const result = await fake.submit({ arraySize: 4 });

    // THEN the bar started empty and ended full, and the result line was printed
    expect(result).toEqual({ exitCode: 0, jobId: JOB_ID, status: 'SUCCEEDED' });
    expect(fake.bar[0]).toBe(`[${'-'.repeat(30)}] 0/4  runnable 4\n`);
    expect(fake.bar.at(-1)).toBe(`[${'#'.repeat(30)}] 4/4  succeeded 4\n`);
    expect(fake.lines).toEqual([
      `submitted rescore-orders-20250301020000 (job ${JOB_ID}, array of 4)`,
      `job ${JOB_ID} SUCCEEDED`,
    ]);
    expect(fake.batchMock.commandCalls(DescribeJobsCommand).map((c) => c.args[0].input)).toEqual(
      Array(3).fill({ jobs: [JOB_ID] }),
    );
  });

  it('prints each status of a single job once, and exits 1 with the reason and log stream when it FAILED', async () => {
    const fake = setup([
      undefined,
      job('RUNNABLE'),
      job('RUNNABLE'),
      job('RUNNING'),
      job('FAILED', {
        statusReason: 'Essential container in task exited',
        container: { logStreamName: 'rescore-orders/default/0123abcd', exitCode: 3 },
      }),
    ]);

    const result = await fake.submit();

    expect(result.exitCode).toBe(1);
    expect(fake.lines).toEqual([
      `submitted rescore-orders-20250301020000 (job ${JOB_ID})`,
      'RUNNABLE',
      'RUNNING',
      'FAILED: Essential container in task exited',
      `job ${JOB_ID} FAILED`,
      `  logs: group ${BATCH_LOG_GROUP}, stream rescore-orders/default/0123abcd`,
    ]);
  });

  it('on Ctrl-C while following, leaves the job to AWS Batch, says how to stop it and exits 130', async () => {
    const controller = new AbortController();
    const fake = setup([job('RUNNABLE'), job('RUNNING'), job('SUCCEEDED')], { 1: () => controller.abort() });

    const result = await fake.submit({ signal: controller.signal });

    expect(result).toEqual({ exitCode: 130, jobId: JOB_ID, status: 'RUNNING' });
    expect(fake.batchMock.commandCalls(DescribeJobsCommand)).toHaveLength(2);
    expect(fake.batchMock.commandCalls(TerminateJobCommand)).toHaveLength(0);
    expect(fake.progress).toContain(
      `stop it with \`aws batch terminate-job --job-id ${JOB_ID} --reason "stopped from hf"\``,
    );
  });

  it('submits nothing when the signal is aborted before SubmitJob', async () => {
    const fake = setup();
    const controller = new AbortController();
    controller.abort();

    const error = await rejection(fake.submit({ signal: controller.signal }));

    expect(error.code).toBe('INTERRUPTED');
    expect(fake.batchMock.commandCalls(SubmitJobCommand)).toHaveLength(0);
  });

  it.each([1, 0, -3, 10_001, 2.5, Number.NaN])('refuses array size %s before any AWS call', async (arraySize) => {
    const fake = setup();

    const error = await rejection(fake.submit({ arraySize }));

    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('an array job has from 2 to 10,000 children');
    expect(fake.cloudformationMock.calls()).toHaveLength(0);
    expect(fake.batchMock.calls()).toHaveLength(0);
  });

  it.each([2, 10_000])('accepts array size %s, the ends of the range', async (arraySize) => {
    const fake = setup();

    await fake.submit({ arraySize, noWait: true });

    expect(fake.batchMock.commandCalls(SubmitJobCommand)[0]?.args[0].input.arrayProperties).toEqual({
      size: arraySize,
    });
  });

  it('refuses more than 20 dependencies, an unknown dependency type and a bad job name before any AWS call', async () => {
    const fake = setup();

    const tooMany = await rejection(fake.submit({ dependsOn: Array.from({ length: 21 }, (_, i) => `job-${i}`) }));
    const badType = await rejection(fake.submit({ dependsOn: ['abc:NTON'] }));
    const badName = await rejection(fake.submit({ jobName: 'rescore march' }));

    expect([tooMany.code, badType.code, badName.code]).toEqual([
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
    ]);
    expect(badType.message).toBe(
      '--depends-on "abc:NTON" must be a job id, optionally followed by :N_TO_N or :SEQUENTIAL',
    );
    expect(fake.cloudformationMock.calls()).toHaveLength(0);
  });

  it("passes a Batch ClientException's message on", async () => {
    const fake = setup();
    fake.batchMock
      .on(SubmitJobCommand)
      .rejects(awsError('ClientException', 'Job Queue hello-fargate-staging-batch is DISABLED'));

    const error = await rejection(fake.submit());

    expect(error.code).toBe('REQUEST_REJECTED');
    expect(error.message).toBe('AWS Batch refused batch:SubmitJob: Job Queue hello-fargate-staging-batch is DISABLED');
  });

  it('says to deploy first when the batchjob stack does not exist, and names a missing output', async () => {
    const fake = setup();
    const missingStack = await rejection(fake.submit({ environment: 'prod' }));
    const { cloudformation } = fakeCloudFormation({ [BATCH_STACK]: { JobQueueArn: JOB_QUEUE_ARN } });
    const missingOutput = await rejection(fake.submit({ clients: { ...fake.clients, cloudformation } }));

    expect(missingStack.code).toBe('STACK_NOT_FOUND');
    expect(missingStack.message).toBe(
      `stack hello-fargate-prod-${BATCH_WORKLOAD} does not exist in eu-west-1: deploy it first with \`hf deploy --env prod\``,
    );
    expect(missingOutput.code).toBe('OUTPUT_MISSING');
    expect(missingOutput.message).toContain('has no output "JobDefinitionArn"');
    expect(fake.batchMock.calls()).toHaveLength(0);
  });

  it('says how to provide credentials, and names the permission when access is denied', async () => {
    const withoutCredentials = setup();
    withoutCredentials.cloudformationMock
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const noCredentials = await rejection(withoutCredentials.submit());
    const withoutPermission = setup();
    withoutPermission.batchMock
      .on(SubmitJobCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform batch:SubmitJob'));
    const denied = await rejection(withoutPermission.submit());

    expect(noCredentials.code).toBe('NO_CREDENTIALS');
    expect(noCredentials.message).toContain('set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(denied.code).toBe('ACCESS_DENIED');
    expect(denied.message).toMatch(/^batch:SubmitJob was denied for --env staging/);
  });

  it('reports credentials AWS rejected (expired) as a credentials problem', async () => {
    const fake = setup();
    fake.cloudformationMock
      .on(DescribeStacksCommand)
      .rejects(awsError('ExpiredToken', 'The security token included in the request is expired'));

    const error = await rejection(fake.submit());

    expect(error.code).toBe('NO_CREDENTIALS');
    expect(error.message).toContain('refresh them');
  });
});

describe('parseDependency', () => {
  it('keeps an array child id whole and reads a type after the last colon', () => {
    expect(parseDependency('abc:7')).toEqual({ jobId: 'abc:7' });
    expect(parseDependency('abc:7:SEQUENTIAL')).toEqual({ jobId: 'abc:7', type: 'SEQUENTIAL' });
    expect(parseDependency('abc:N_TO_N')).toEqual({ jobId: 'abc', type: 'N_TO_N' });
  });
});

describe('describeBatchJobOnAws', () => {
  it('prints the job like the local describe', async () => {
    const fake = setup([
      job('RUNNING', {
        arrayProperties: { size: 4, statusSummary: { RUNNING: 1, SUCCEEDED: 3, FAILED: 0 } },
        dependsOn: [{ jobId: 'abc', type: 'N_TO_N' }],
        attempts: [
          {
            container: { exitCode: 137, reason: 'OutOfMemoryError' },
            statusReason: 'Essential container in task exited',
          },
        ],
      }),
    ]);

    await describeBatchJobOnAws({ environment: 'staging', jobId: JOB_ID, clients: fake.clients, output: fake.output });

    expect(fake.lines).toEqual([
      `rescore-orders-20250301020000  ${JOB_ID}`,
      '  status      RUNNING',
      `  queue       ${JOB_QUEUE_ARN}`,
      `  definition  ${JOB_DEFINITION_ARN}`,
      '  array       4 children: RUNNING 1, SUCCEEDED 3',
      '  depends on  abc (N_TO_N)',
      '  attempt 1   exit 137 — Essential container in task exited (OutOfMemoryError)',
    ]);
  });

  it('says when no job has that id', async () => {
    const fake = setup([undefined]);

    const error = await rejection(
      describeBatchJobOnAws({ environment: 'staging', jobId: 'nope', clients: fake.clients, output: fake.output }),
    );

    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('no job with id "nope" in --env staging');
  });
});

describe('listBatchJobsOnAws', () => {
  it("lists every status of the stack's queue page by page, newest first", async () => {
    const fake = setup();
    fake.batchMock.on(ListJobsCommand).callsFake((input: { jobStatus: string; nextToken?: string }) => {
      if (input.jobStatus === 'RUNNING' && !input.nextToken) {
        return {
          jobSummaryList: [{ jobId: 'r1', jobName: 'one', status: 'RUNNING', createdAt: 1000 }],
          nextToken: 't2',
        };
      }
      if (input.jobStatus === 'RUNNING') {
        return { jobSummaryList: [{ jobId: 'r2', jobName: 'two', status: 'RUNNING', createdAt: 3000 }] };
      }
      if (input.jobStatus === 'FAILED') {
        return {
          jobSummaryList: [
            { jobId: 'f1', jobName: 'arr', status: 'FAILED', createdAt: 2000, arrayProperties: { size: 10 } },
          ],
        };
      }
      return { jobSummaryList: [] };
    });

    await listBatchJobsOnAws({
      system: 'hello-fargate',
      environment: 'staging',
      workloads: [BATCH_WORKLOAD],
      clients: fake.clients,
      output: fake.output,
    });

    const inputs = fake.batchMock.commandCalls(ListJobsCommand).map((c) => c.args[0].input);
    expect(inputs.every((i) => i.jobQueue === JOB_QUEUE_ARN)).toBe(true);
    expect(inputs.map((i) => `${i.jobStatus}${i.nextToken ? `+${i.nextToken}` : ''}`)).toEqual([
      'SUBMITTED',
      'PENDING',
      'RUNNABLE',
      'STARTING',
      'RUNNING',
      'RUNNING+t2',
      'SUCCEEDED',
      'FAILED',
    ]);
    expect(fake.lines.map((l) => l.split(/\s+/)[0])).toEqual(['r2', 'f1', 'r1']);
    expect(fake.lines[1]).toMatch(/ FAILED {4}1970-01-01T00:00:02\.000Z \[10\]$/);
  });

  it('lists the children of an array job in one status without reading any stack', async () => {
    const fake = setup();
    fake.batchMock.on(ListJobsCommand).resolves({ jobSummaryList: [] });

    await listBatchJobsOnAws({
      system: 'hello-fargate',
      environment: 'staging',
      workloads: [BATCH_WORKLOAD],
      clients: fake.clients,
      output: fake.output,
      arrayJob: JOB_ID,
      status: 'failed',
    });

    expect(fake.batchMock.commandCalls(ListJobsCommand).map((c) => c.args[0].input)).toEqual([
      { arrayJobId: JOB_ID, jobStatus: 'FAILED' },
    ]);
    expect(fake.cloudformationMock.calls()).toHaveLength(0);
    expect(fake.lines).toEqual(['no jobs']);
  });

  it('refuses an unknown status before any AWS call', async () => {
    const fake = setup();

    const error = await rejection(
      listBatchJobsOnAws({
        system: 'hello-fargate',
        environment: 'staging',
        workloads: [BATCH_WORKLOAD],
        clients: fake.clients,
        output: fake.output,
        status: 'DONE',
      }),
    );

    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(fake.cloudformationMock.calls()).toHaveLength(0);
  });
});
