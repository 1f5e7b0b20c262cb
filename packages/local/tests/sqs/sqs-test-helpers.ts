// Shared setup for the SQS endpoint tests: an endpoint on a temporary dataDir and an SDK client pointed at it.

import { SQSClient } from '@aws-sdk/client-sqs';
import { startSqsEndpoint, type SqsEndpoint } from '../../src/sqs/index.js';
import { tempDir } from '../helpers.js';

export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface SqsHarness {
  readonly endpoint: SqsEndpoint;
  readonly client: SQSClient;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startHarness(options: { compactBytes?: number } = {}): Promise<SqsHarness> {
  const dir = tempDir('hf-sqs-');
  const endpoint = await startSqsEndpoint({ dataDir: dir.path, ...options });
  const client = new SQSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
  return {
    endpoint,
    client,
    dataDir: dir.path,
    async stop() {
      client.destroy();
      await endpoint.close();
      dir.remove();
    },
  };
}
