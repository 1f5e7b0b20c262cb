// readStackOutputs: the task stack's outputs, and the errors for a stack or output that is not there.

import { CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { TASK_STACK_OUTPUTS } from '@hello-fargate/workload';
import { describe, expect, it } from 'vitest';
import { readStackOutputs } from '../../src/aws/read-stack-outputs.js';
import { RunTaskError } from '../../src/aws/run-task-error.js';
import { fakeAws, LOG_GROUP, STACK_NAME, STACK_OUTPUTS, stackOutputs } from './fake-aws.js';

function read(fake: ReturnType<typeof fakeAws>) {
  return readStackOutputs({ cloudformation: fake.clients.cloudformation, stackName: STACK_NAME, environment: 'dev' });
}

async function readError(fake: ReturnType<typeof fakeAws>): Promise<RunTaskError> {
  const error = await read(fake).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunTaskError);
  return error as RunTaskError;
}

describe('readStackOutputs', () => {
  it('reads every output and splits the comma-separated id lists', async () => {
    const outputs = await read(fakeAws());

    expect(outputs).toEqual({
      clusterName: 'hello-fargate-dev-cluster',
      taskDefinitionArn: STACK_OUTPUTS.TaskDefinitionArn,
      containerName: 'oneoff',
      subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
      securityGroupIds: ['sg-0ccc3333'],
      logGroupName: LOG_GROUP,
      logStreamPrefix: 'hf',
    });
  });

  it('throws STACK_NOT_FOUND for the ValidationError CloudFormation answers about a stack that does not exist', async () => {
    const fake = fakeAws();
    fake.cloudformationMock.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        message: `Stack with id ${STACK_NAME} does not exist`,
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const error = await readError(fake);

    expect(error.code).toBe('STACK_NOT_FOUND');
    expect(error.message).toContain(`stack ${STACK_NAME} not found in eu-west-1`);
    expect(error.message).toContain('hf deploy --env dev');
    expect(error.details.stackName).toBe(STACK_NAME);
  });

  it('passes other CloudFormation errors through unchanged', async () => {
    const fake = fakeAws();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    fake.cloudformationMock.on(DescribeStacksCommand).rejects(throttled);

    await expect(read(fake)).rejects.toBe(throttled);
  });

  it.each(Object.values(TASK_STACK_OUTPUTS))(
    'throws OUTPUT_MISSING naming the output %s when it is absent',
    async (name) => {
      const fake = fakeAws();
      const { [name]: _absent, ...rest } = STACK_OUTPUTS;
      fake.cloudformationMock.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: STACK_NAME,
            StackStatus: 'CREATE_COMPLETE',
            CreationTime: new Date(0),
            Outputs: stackOutputs(rest),
          },
        ],
      });

      const error = await readError(fake);

      expect(error.code).toBe('OUTPUT_MISSING');
      expect(error.message).toContain(`has no output "${name}"`);
      expect(error.message).toContain('status CREATE_COMPLETE');
      expect(error.details.output).toBe(name);
    },
  );

  it('throws OUTPUT_MISSING for an id list that holds only commas', async () => {
    const fake = fakeAws();
    fake.cloudformationMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: STACK_NAME,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(0),
          Outputs: stackOutputs({ ...STACK_OUTPUTS, SubnetIds: ' , ' }),
        },
      ],
    });

    const error = await readError(fake);

    expect(error.code).toBe('OUTPUT_MISSING');
    expect(error.details.output).toBe('SubnetIds');
  });
});
