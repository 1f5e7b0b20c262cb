// followTaskLogs: GetLogEvents paging with forward tokens, and what it does when the stream cannot be read.

import { CloudWatchLogsServiceException, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { followTaskLogs, taskIdOf, taskLogStreamName } from '../../src/aws/follow-task-logs.js';
import { fakeAws, LOG_GROUP, LOG_STREAM, TASK_ARN, TASK_ID } from './fake-aws.js';

function follower(fake: ReturnType<typeof fakeAws>) {
  return followTaskLogs({
    logs: fake.clients.logs,
    logGroupName: LOG_GROUP,
    logStreamName: LOG_STREAM,
    log: fake.output.log,
    progress: fake.output.progress,
  });
}

describe('followTaskLogs', () => {
  it('names the stream <prefix>/<container>/<task id> after the last segment of the task ARN', () => {
    expect(taskIdOf(TASK_ARN)).toBe(TASK_ID);
    expect(taskLogStreamName('hf', 'oneoff', TASK_ARN)).toBe(`hf/oneoff/${TASK_ID}`);
  });

  it('prints nothing and resolves false while the stream does not exist', async () => {
    const fake = fakeAws();

    await expect(follower(fake).readAvailable()).resolves.toBe(false);
    expect(fake.lines).toEqual([]);
  });

  it('continues from its forward token, so lines written between reads are printed once each', async () => {
    const fake = fakeAws();
    const logs = follower(fake);
    fake.stream.append('a', 'b', 'c');

    await expect(logs.readAvailable()).resolves.toBe(true);
    fake.stream.append('d');
    await logs.readAvailable();
    await logs.readAvailable();

    expect(fake.lines).toEqual(['a', 'b', 'c', 'd']);
    const tokens = fake.logsMock.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input.nextToken);
    expect(tokens).toEqual([undefined, 'f/2', 'f/3', 'f/3', 'f/4', 'f/4']);
  });

  it('reports a missing logs:GetLogEvents permission once and stops asking', async () => {
    const fake = fakeAws();
    fake.logsMock.on(GetLogEventsCommand).rejects(
      new CloudWatchLogsServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'not authorized to perform: logs:GetLogEvents',
        $metadata: {},
      }),
    );
    const logs = follower(fake);

    await logs.readAvailable();
    await logs.readAvailable();

    expect(fake.logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(1);
    expect(fake.progress).toEqual([
      `cannot read logs from ${LOG_GROUP} ${LOG_STREAM}: AccessDeniedException: not authorized to perform: logs:GetLogEvents`,
    ]);
  });
});
