// The local SQS endpoint keeps every acknowledged message across a SIGKILL, and compacts its journal.

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startSqsEndpoint } from '../../src/sqs/index.js';
import { tempDir } from '../helpers.js';
import { credentials } from './sqs-test-helpers.js';

const script = fileURLToPath(new URL('./fixtures/sqs-endpoint-process.ts', import.meta.url));

function startChild(dataDir: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] as string });
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`SQS endpoint process exited (${code}) before READY: ${err}`)));
  });
}

async function drain(client: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body as string));
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: `e${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

describe('local SQS endpoint durability', () => {
  it('delivers all 500 acknowledged messages exactly once after a SIGKILL and restart', async () => {
    const dir = tempDir('hf-sqs-crash-');
    const first = await startChild(dir.path, 0);
    const port = Number(new URL(first.url).port);
    const client = new SQSClient({ endpoint: first.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'durable' }));
      const bodies = Array.from({ length: 500 }, (_, i) => `message-${i}`);
      for (let i = 0; i < bodies.length; i += 50) {
        await Promise.all(
          bodies.slice(i, i + 50).map((body) => client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }))),
        );
      }
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));

      const second = await startChild(dir.path, port);
      try {
        const received = await drain(client, QueueUrl as string);
        expect(received).toHaveLength(500);
        expect(new Set(received)).toEqual(new Set(bodies));
      } finally {
        second.child.kill('SIGKILL');
      }
    } finally {
      client.destroy();
      dir.remove();
    }
  });

  it('replays in-flight messages as invisible until their visibility timeout ends', async () => {
    const dir = tempDir('hf-sqs-replay-');
    let clock = 1_000_000;
    const now = () => clock;
    try {
      const a = await startSqsEndpoint({ dataDir: dir.path, now });
      const client = new SQSClient({ endpoint: a.url, region: 'us-east-1', credentials });
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'replay' }));
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'held' }));
      await client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 30 }));
      client.destroy();
      await a.close();

      const b = await startSqsEndpoint({ dataDir: dir.path, now });
      expect(b.stats('replay')).toMatchObject({ visible: 0, inFlight: 1 });
      clock += 30_000;
      expect(b.stats('replay')).toMatchObject({ visible: 1, inFlight: 0 });
      await b.close();
    } finally {
      dir.remove();
    }
  });

  it('compacts the journal to the live state and still replays it', async () => {
    const dir = tempDir('hf-sqs-compact-');
    try {
      const a = await startSqsEndpoint({ dataDir: dir.path, compactBytes: 64 * 1024 });
      const client = new SQSClient({ endpoint: a.url, region: 'us-east-1', credentials });
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'compact' }));
      let drained = 0;
      for (let round = 0; round < 30; round++) {
        for (let i = 0; i < 10; i++) {
          await client.send(new SendMessageCommand({ QueueUrl, MessageBody: `${round}-${i}-${'x'.repeat(500)}` }));
        }
        drained += (await drain(client, QueueUrl as string)).length;
      }
      expect(drained).toBe(300);
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'survivor' }));
      // About 280 KB were journaled; compaction keeps the file near the threshold, not the history.
      expect(a.journalBytes()).toBeLessThan(80 * 1024);
      client.destroy();
      await a.close();
      const b = await startSqsEndpoint({ dataDir: dir.path });
      expect(b.stats('compact')).toMatchObject({ visible: 1, inFlight: 0 });
      const reader = new SQSClient({ endpoint: b.url, region: 'us-east-1', credentials });
      expect(await drain(reader, QueueUrl as string)).toEqual(['survivor']);
      reader.destroy();
      await b.close();
    } finally {
      dir.remove();
    }
  });

  it('ignores a torn last journal line left by a crash mid-write', async () => {
    const dir = tempDir('hf-sqs-torn-');
    try {
      const a = await startSqsEndpoint({ dataDir: dir.path });
      const client = new SQSClient({ endpoint: a.url, region: 'us-east-1', credentials });
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'torn' }));
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'whole' }));
      await a.close();
      appendFileSync(join(dir.path, 'sqs.journal'), '{"op":"put","queue":"torn","mess');
      const b = await startSqsEndpoint({ dataDir: dir.path });
      const reader = new SQSClient({ endpoint: b.url, region: 'us-east-1', credentials });
      await reader.send(new SendMessageCommand({ QueueUrl, MessageBody: 'after' }));
      expect((await drain(reader, QueueUrl as string)).sort()).toEqual(['after', 'whole']);
      client.destroy();
      reader.destroy();
      await b.close();
    } finally {
      dir.remove();
    }
  });
});
