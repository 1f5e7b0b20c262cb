// The scheduledjobs declarations: the sales-report workflow and its step tasks fit a system, and its state machine.

import { defineSystem, workflowDefinition } from '@hello-fargate/workload';
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
    expect(workflow.schedule).toMatchObject({ expression: 'cron(30 2 * * ? *)', timezone: 'Europe/Berlin' });
    expect(workflow.retry).toEqual({ maxAttempts: 2, intervalSeconds: 30, backoffRate: 2 });
    expect(salesReport.dependsOn).toEqual({ database: true, queues: ['report-events'], workloads: [] });
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
