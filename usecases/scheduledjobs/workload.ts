// The scheduled jobs use case: the nightly daily-sales-report workflow and order-stats, a job with a trigger switch.

import { defineQueue, defineWorkflow, defineWorkload, type WorkloadProps } from '@hello-fargate/workload';

/**
 * Where the sales report announces itself (`report.published`) and where the workflow's failure path sends its
 * message. Visibility 30 s and 3 receives as the other queues: a consumer's handler takes milliseconds.
 */
export const reportEventsQueue = defineQueue({
  name: 'report-events',
  visibilityTimeoutSeconds: 30,
  maxReceiveCount: 3,
});

/**
 * One task, three commands: each is a step of daily-sales-report and runs as its own ECS task (RunTask.sync), so a
 * failed step is retried alone. No trigger: only the workflow (and `hf run-task`) starts it.
 */
export const salesReport = defineWorkload({
  name: 'sales-report',
  kind: 'scheduledjob',
  description: 'Steps of the nightly daily sales report: extract the day’s orders, aggregate, publish',
  directory: new URL('.', import.meta.url),
  entry: 'apps/sales-report.ts',
  cpu: 256,
  memory: 512,
  environment: { REPORT_TIME_ZONE: 'Europe/Berlin' },
  dependsOn: { database: true, queues: [reportEventsQueue.name] },
  stopTimeoutSeconds: 30,
});

/**
 * Runs at 03:30 Berlin time: after midnight in both CET and CEST, and outside the hour that daylight saving skips
 * (02:00–03:00 on the last Sunday of March, when a 02:30 schedule would not fire at all) or repeats. and reports on the Berlin day that just ended.
 * A failing step is retried twice (30 s, then 60 s later); after that the failure goes to report-events.
 */
export const dailySalesReport = defineWorkflow({
  name: 'daily-sales-report',
  description: 'Nightly sales report: extract → aggregate → publish, one ECS task per step',
  steps: [
    { name: 'Extract', workload: salesReport.name, command: ['extract'], timeoutSeconds: 900 },
    { name: 'Aggregate', workload: salesReport.name, command: ['aggregate'], timeoutSeconds: 900 },
    { name: 'Publish', workload: salesReport.name, command: ['publish'], timeoutSeconds: 300 },
  ],
  schedule: { expression: 'cron(30 3 * * ? *)', timezone: 'Europe/Berlin' },
  retry: { maxAttempts: 2, intervalSeconds: 30, backoffRate: 2 },
  notifyQueue: reportEventsQueue.name,
});

/**
 * order-stats without its trigger: `run` takes a snapshot and exits, `serve` answers GET /stats. The system uses
 * `orderStats` (scheduled); the service variant is `defineWorkload({ ...orderStatsProps, trigger: { type: 'service',
 * port: 8080, command: ['serve'] } })`: switching the trigger swaps only the trigger's resources.
 */
export const orderStatsProps = {
  name: 'order-stats',
  kind: 'scheduledjob',
  description: 'Order statistics: a snapshot every 15 minutes, or GET /stats behind a JWT-validating load balancer',
  directory: new URL('.', import.meta.url),
  entry: 'apps/order-stats.ts',
  command: ['run'],
  cpu: 256,
  memory: 512,
  dependsOn: { database: true },
  stopTimeoutSeconds: 30,
} as const satisfies WorkloadProps;

export const orderStats = defineWorkload({
  ...orderStatsProps,
  trigger: { type: 'schedule', expression: 'rate(15 minutes)', command: ['run'] },
});
