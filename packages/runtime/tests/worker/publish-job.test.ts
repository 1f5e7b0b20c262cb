// publishJob: the JSON body and the correlationId and jobId attributes a queue worker reads.

import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { publishJob } from '../../src/worker/index.js';

const QUEUE_URL = 'http://sqs.local/000000000000/trigger-jobs';

function mockedSqs() {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(sqs);
  mock.on(SendMessageCommand).resolves({ MessageId: 'msg-1' });
  return { sqs, mock };
}

describe('publishJob', () => {
  it('sends the body as JSON with correlationId and a new ULID jobId as message attributes', async () => {
    const { sqs, mock } = mockedSqs();
    const published = await publishJob(sqs, QUEUE_URL, { order: 7 }, { correlationId: 'corr-1' });
    expect(published.messageId).toBe('msg-1');
    expect(published.jobId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(mock.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: '{"order":7}',
      DelaySeconds: undefined,
      MessageAttributes: {
        correlationId: { DataType: 'String', StringValue: 'corr-1' },
        jobId: { DataType: 'String', StringValue: published.jobId },
      },
    });
  });

  it('uses the given jobId and delay', async () => {
    const { sqs, mock } = mockedSqs();
    const published = await publishJob(sqs, QUEUE_URL, 'text', {
      correlationId: 'c',
      jobId: 'job-9',
      delaySeconds: 30,
    });
    expect(published.jobId).toBe('job-9');
    expect(mock.commandCalls(SendMessageCommand)[0]!.args[0].input).toMatchObject({
      MessageBody: '"text"',
      DelaySeconds: 30,
      MessageAttributes: { jobId: { DataType: 'String', StringValue: 'job-9' } },
    });
  });

  it('refuses a body that JSON cannot represent, before sending', async () => {
    const { sqs, mock } = mockedSqs();
    await expect(publishJob(sqs, QUEUE_URL, undefined, { correlationId: 'c', jobId: 'j' })).rejects.toThrow(
      /body of job j cannot be sent as JSON/,
    );
    expect(mock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});
