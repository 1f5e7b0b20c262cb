import { describe, expect, it } from 'vitest';
import { DeclarationError, defineQueue, defineSystem, queueUrlVariable } from '../src/index.js';

describe('defineQueue', () => {
  it('resolves SQS defaults and names its dead-letter queue', () => {
    expect(defineQueue({ name: 'trigger' })).toEqual({
      name: 'trigger',
      dlqName: 'trigger-dlq',
      visibilityTimeoutSeconds: 30,
      retentionSeconds: 345_600,
      delaySeconds: 0,
      receiveWaitTimeSeconds: 20,
      maxReceiveCount: 3,
      dlqRetentionSeconds: 1_209_600,
    });
    expect(queueUrlVariable('background-jobs')).toBe('BACKGROUND_JOBS_QUEUE_URL');
  });

  it('rejects values outside SQS limits, naming the queue and field', () => {
    for (const [field, value] of [
      ['visibilityTimeoutSeconds', 43_201],
      ['delaySeconds', 901],
      ['receiveWaitTimeSeconds', 21],
      ['maxReceiveCount', 0],
      ['retentionSeconds', 59],
    ] as const) {
      try {
        defineQueue({ name: 'jobs', [field]: value });
        throw new Error(`expected ${field}=${value} to be rejected`);
      } catch (error) {
        expect(error).toBeInstanceOf(DeclarationError);
        expect((error as DeclarationError).message).toMatch(
          new RegExp(`queue jobs", field "${field}": ${value} is out of range`),
        );
      }
    }
    expect(() => defineQueue({ name: 'bad name' })).toThrow(/1–76 letters/);
  });

  it('lets a system declare queues plainly or with defineQueue, and refuses duplicates', () => {
    const system = defineSystem({
      name: 'demo',
      workloads: [],
      queues: [{ name: 'a' }, defineQueue({ name: 'b', maxReceiveCount: 5 })],
    });
    expect(system.queues.map((q) => [q.name, q.dlqName, q.maxReceiveCount])).toEqual([
      ['a', 'a-dlq', 3],
      ['b', 'b-dlq', 5],
    ]);
    expect(() => defineSystem({ name: 'demo', workloads: [], queues: [{ name: 'a' }, { name: 'a' }] })).toThrow(
      /declared twice/,
    );
  });
});
