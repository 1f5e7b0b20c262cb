// The batchjobs declarations: rescore-orders' retry strategy matches its exit codes, and it fits a system.

import { defineSystem } from '@hello-fargate/workload';
import { describe, expect, it } from 'vitest';
import { PERMANENT_FAILURE_EXIT_CODE, TEMPORARY_FAILURE_EXIT_CODE } from '../apps/exit-codes.js';
import { batchJobQueue, rescoreOrders } from '../workload.js';

/** The action of the first rule whose given conditions all match, as AWS Batch decides; RETRY when none does. */
function decide(exitCode: number | undefined, statusReason = ''): string {
  const matches = (pattern: string | undefined, value: string | undefined) =>
    pattern === undefined ||
    (value !== undefined && (pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern));
  const rule = rescoreOrders.batch?.evaluateOnExit.find(
    (r) => matches(r.onExitCode, exitCode?.toString()) && matches(r.onStatusReason, statusReason),
  );
  return rule?.action ?? 'RETRY';
}

describe('rescore-orders declaration', () => {
  it('retries temporary failures and Spot interruptions, and fails at once on bad data or other exit codes', () => {
    expect(rescoreOrders.batch).toMatchObject({ jobQueue: 'batch', attempts: 3, attemptDurationSeconds: 900 });
    expect(decide(TEMPORARY_FAILURE_EXIT_CODE)).toBe('RETRY');
    expect(decide(undefined, 'Your Spot Task was interrupted.')).toBe('RETRY');
    expect(decide(PERMANENT_FAILURE_EXIT_CODE)).toBe('EXIT');
    expect(decide(137)).toBe('EXIT');
  });

  it('fits a system that declares its job queue', () => {
    const system = defineSystem({ name: 'batch', workloads: [rescoreOrders], jobQueues: [batchJobQueue] });

    expect(system.jobQueue('batch')).toEqual({ name: 'batch', maxvCpus: 16, capacity: 'spot-first', priority: 1 });
  });
});
