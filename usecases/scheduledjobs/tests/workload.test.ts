// The scheduledjobs declarations: the sales-report workflow and its step tasks fit a system, and its state machine.

import { defineSystem, nextFireTime, workflowDefinition } from '@hello-fargate/workload';
import { describe, expect, it } from 'vitest';
import { oneoff } from '../../oneoff/workload.js';
import { dailySalesReport, orderStats, reportEventsQueue, salesReport } from '../workload.js';

describe('scheduledjobs declarations', () => {
  it('fit a system with the report-events queue, and run the three steps of sales-report in order', () => {
    const system = defineSystem({
      name: 'scheduled',
      workloads: [oneoff, salesReport, orderStats],
      queues: [reportEventsQueue],
      workflows: [dailySalesReport],
    });

    const workflow = system.workflow('daily-sales-report');
    expect(workflow.steps.map((step) => [step.name, step.workload, step.command])).toEqual([
      ['Extract', 'sales-report', ['extract']],
      ['Aggregate', 'sales-report', ['aggregate']],
      ['Publish', 'sales-report', ['publish']],
    ]);
    expect(workflow.schedule).toMatchObject({ expression: 'cron(30 3 * * ? *)', timezone: 'Europe/Berlin' });
    expect(workflow.retry).toEqual({ maxAttempts: 2, intervalSeconds: 30, backoffRate: 2 });
    expect(salesReport.dependsOn).toEqual({ database: true, queues: ['report-events'], workloads: [] });
  });

  it('fires once every night, daylight saving days included (a 02:30 Berlin schedule would skip one a year)', () => {
    const schedule = dailySalesReport.schedule?.schedule;
    if (!schedule) throw new Error('the report has no schedule');
    const fires: string[] = [];
    // from the Friday before the spring change (29 March 2026) to the Monday after the autumn one (25 October)
    for (let at = new Date('2026-03-27T12:00:00Z'); fires.length < 5;) {
      at = nextFireTime(schedule, at) as Date;
      fires.push(at.toISOString());
    }
    expect(fires).toEqual([
      '2026-03-28T02:30:00.000Z', // 03:30 CET
      '2026-03-29T01:30:00.000Z', // 03:30 CEST, the night the clocks go forward
      '2026-03-30T01:30:00.000Z',
      '2026-03-31T01:30:00.000Z',
      '2026-04-01T01:30:00.000Z',
    ]);
    const autumn = nextFireTime(schedule, new Date('2026-10-24T12:00:00Z'));
    const after = nextFireTime(schedule, autumn as Date);
    expect([autumn?.toISOString(), after?.toISOString()]).toEqual([
      '2026-10-25T02:30:00.000Z', // 03:30 CET, the night the clocks go back: once
      '2026-10-26T02:30:00.000Z',
    ]);
  });

  it('gives each step the workflow variables the steps read', () => {
    const definition = JSON.stringify(
      workflowDefinition(dailySalesReport, {
        cluster: 'arn:aws:ecs:eu-central-1:1:cluster/c',
        taskDefinition: (workload) => `arn:aws:ecs:eu-central-1:1:task-definition/${workload}:1`,
        subnets: ['subnet-1'],
        securityGroups: ['sg-1'],
        notifyQueueUrl: 'https://sqs.eu-central-1.amazonaws.com/1/report-events',
      }),
    );

    for (const variable of ['WORKFLOW_NAME', 'WORKFLOW_STEP', 'WORKFLOW_EXECUTION_ID', 'WORKFLOW_INPUT']) {
      expect(definition).toContain(variable);
    }
    expect(definition).toContain('"extract"');
    expect(definition).toContain('"publish"');
  });
});
