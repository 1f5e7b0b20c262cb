// The local SQS endpoint drops messages older than the queue's MessageRetentionPeriod.

import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startSqsEndpoint } from '../../src/sqs/index.js';
import { tempDir } from '../helpers.js';
import { credentials } from './sqs-test-helpers.js';

describe('local SQS endpoint retention', () => {
  it('expires a message once its retention period has passed', async () => {
    const dir = tempDir('hf-sqs-retention-');
    let clock = 5_000_000;
    const endpoint = await startSqsEndpoint({ dataDir: dir.path, now: () => clock });
    const client = new SQSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    try {
      const { QueueUrl } = await client.send(
        new CreateQueueCommand({ QueueName: 'short', Attributes: { MessageRetentionPeriod: '60' } }),
      );
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'old' }));
      clock += 30_000;
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'young' }));
      expect(endpoint.stats('short')).toMatchObject({ visible: 2, oldestAgeSeconds: 30 });
      clock += 30_000;
      expect(endpoint.stats('short')).toMatchObject({ visible: 1, oldestAgeSeconds: 30 });
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      expect(Messages.map((m) => m.Body)).toEqual(['young']);
    } finally {
      client.destroy();
      await endpoint.close();
      dir.remove();
    }
  });
});
