// The local SQS endpoint driven by the AWS CLI v1 (botocore speaks AWS JSON 1.0 to SQS, as the SDK does).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type SqsHarness } from './sqs-test-helpers.js';

const run = promisify(execFile);
let h: SqsHarness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('aws', ['sqs', ...args, '--endpoint-url', h.endpoint.url, '--output', 'json'], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

describe('local SQS endpoint with the AWS CLI', () => {
  it('creates a queue, sends, receives and deletes a message', async () => {
    const { QueueUrl } = (await aws('create-queue', '--queue-name', 'cli-jobs')) as { QueueUrl: string };
    expect(QueueUrl).toBe(h.endpoint.queueUrl('cli-jobs'));
    const sent = (await aws('send-message', '--queue-url', QueueUrl, '--message-body', 'from the cli')) as {
      MessageId: string;
    };
    const received = (await aws(
      'receive-message',
      '--queue-url',
      QueueUrl,
      '--attribute-names',
      'All',
      '--wait-time-seconds',
      '1',
    )) as {
      Messages: { MessageId: string; Body: string; ReceiptHandle: string; Attributes: Record<string, string> }[];
    };
    expect(received.Messages).toHaveLength(1);
    expect(received.Messages[0]).toMatchObject({ MessageId: sent.MessageId, Body: 'from the cli' });
    expect(received.Messages[0]?.Attributes.ApproximateReceiveCount).toBe('1');
    await aws(
      'delete-message',
      '--queue-url',
      QueueUrl,
      '--receipt-handle',
      received.Messages[0]?.ReceiptHandle as string,
    );
    expect(h.endpoint.stats('cli-jobs')).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('reports a missing queue as the CLI error naming NonExistentQueue', async () => {
    const failure = await aws('get-queue-url', '--queue-name', 'nope').catch((e: { stderr: string }) => e);
    expect((failure as { stderr: string }).stderr).toMatch(/NonExistentQueue|QueueDoesNotExist/);
  });
});
