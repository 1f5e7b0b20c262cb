// Benchmark: the three-step daily sales report workflow start to finish, against running its three step tasks one
// after another without a workflow: what the local Step Functions interpreter adds.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunner } from '@hello-fargate/local';
import { defineSystem } from '@hello-fargate/workload';
import { oneoff } from '../usecases/oneoff/workload.js';
import { dailySalesReport, reportEventsQueue, salesReport } from '../usecases/scheduledjobs/workload.js';
import { ratio, report, time } from './measure.js';

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hf-bench-workflow-'));
  const runner = await LocalRunner.start({
    system: defineSystem({
      name: 'bench',
      workloads: [oneoff, salesReport],
      queues: [reportEventsQueue],
      workflows: [dailySalesReport],
    }),
    root: process.cwd(),
    stateDir: root,
    schedules: false,
    output: () => undefined,
  });
  try {
    const runs = 7;
    const input = { reportDate: '2026-11-20' };
    // Baseline: the same three tasks, started one after another by hand with the same execution id and input.
    let manual = 0;
    const tasks = await time(runs, async () => {
      const environment = {
        WORKFLOW_NAME: dailySalesReport.name,
        WORKFLOW_EXECUTION_ID: `bench-${manual++}`,
        WORKFLOW_INPUT: JSON.stringify(input),
      };
      for (const step of dailySalesReport.steps) {
        const result = await runner.runTask(salesReport.name, { args: step.command ?? [], environment });
        if (result.exitCode !== 0) throw new Error(`${step.name} failed: ${result.lastLines.join('\n')}`);
      }
    });
    const workflow = await time(runs, async () => {
      const started = runner.workflows?.startExecution(dailySalesReport.name, input);
      const done = await started?.done;
      if (done?.status !== 'SUCCEEDED') throw new Error(`workflow ended ${done?.status}: ${done?.cause}`);
    });
    report('workflow_report_three_tasks_by_hand', tasks);
    report('workflow_report_start_to_finish', workflow);
    ratio('workflow_report_vs_three_tasks_by_hand', workflow, tasks);
  } finally {
    await runner.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
