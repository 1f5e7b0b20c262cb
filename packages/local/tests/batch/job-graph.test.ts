// submitJobGraph: jobs that reference each other by name are submitted in dependency order; cycles are refused whole.

import { afterEach, describe, expect, it } from 'vitest';
import { orderJobGraph } from '../../src/batch/index.js';
import { harness, settle, type Harness } from './batch-test-helpers.js';

let h: Harness;
afterEach(async () => {
  await h.batch.close();
});

const job = (jobName: string, ...deps: string[]) => ({
  jobName,
  jobQueue: 'jobs',
  jobDefinition: 'work',
  dependsOn: deps.map((d) => ({ job: d })),
});

describe('submitJobGraph', () => {
  it('orders jobs after the jobs they depend on and wires their ids', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 4 }] });
    const submitted = h.batch.submitJobGraph([job('report', 'fan'), job('fan', 'prepare'), job('prepare')]);
    expect(submitted.map((s) => s.jobName)).toEqual(['prepare', 'fan', 'report']);
    const [prepare, fan, report] = submitted;
    expect(h.batch.describeJobs([report?.jobId as string])[0]?.dependsOn).toEqual([{ jobId: fan?.jobId }]);
    await settle();
    expect(h.containers.runs.map((r) => r.spec.jobName)).toEqual(['prepare']);
    h.containers.of(prepare?.jobId as string)[0]?.finish(0);
    await settle();
    expect(h.containers.runs.map((r) => r.spec.jobName)).toEqual(['prepare', 'fan']);
  });

  it('checks N_TO_N between array jobs of the graph and mixes in existing job ids', async () => {
    h = harness({ jobQueues: [{ name: 'jobs', maxvCpus: 4 }] });
    const existing = h.batch.submitJob({ jobName: 'existing', jobQueue: 'jobs', jobDefinition: 'work' });
    const [a, b] = h.batch.submitJobGraph([
      { ...job('a'), arrayProperties: { size: 2 }, dependsOn: [{ jobId: existing.jobId }] },
      { ...job('b'), arrayProperties: { size: 2 }, dependsOn: [{ job: 'a', type: 'N_TO_N' }] },
    ]);
    expect(h.batch.describeJobs([b?.jobId as string])[0]?.dependsOn).toEqual([{ jobId: a?.jobId, type: 'N_TO_N' }]);
    expect(() =>
      h.batch.submitJobGraph([
        { ...job('c'), arrayProperties: { size: 2 } },
        { ...job('d'), arrayProperties: { size: 3 }, dependsOn: [{ job: 'c', type: 'N_TO_N' }] },
      ]),
    ).toThrow('c has 2 children and this job 3');
  });

  it('refuses a cycle, naming it, before submitting anything', () => {
    h = harness();
    expect(() => h.batch.submitJobGraph([job('a', 'b'), job('b', 'c'), job('c', 'a'), job('free')])).toThrow(
      'Job graph has a dependency cycle: a → b → c → a; remove one of these dependencies.',
    );
    expect(
      h.batch.listJobs({ jobQueue: 'jobs', filters: [{ name: 'JOB_NAME', values: ['*'] }] }).jobSummaryList,
    ).toEqual([]);
  });

  it('refuses a job depending on itself, unknown names and duplicate names', () => {
    h = harness();
    expect(() => orderJobGraph([job('a', 'a')])).toThrow('job a depends on itself (a → a)');
    expect(() => orderJobGraph([job('a', 'ghost')])).toThrow('job a depends on ghost, which is not in the graph');
    expect(() => orderJobGraph([job('a'), job('a')])).toThrow('two jobs are named a');
  });

  it('submits nothing when one job of the graph is invalid', () => {
    h = harness();
    expect(() => h.batch.submitJobGraph([job('ok'), { ...job('bad', 'ok'), arrayProperties: { size: 1 } }])).toThrow(
      'arrayProperties.size 1 is out of range',
    );
    expect(h.changes).toEqual([]);
  });
});
