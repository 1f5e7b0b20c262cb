// The publish step: sends `report.published` to the report-events queue once the report exists, and marks it published.

import type { SQSClient } from '@aws-sdk/client-sqs';
import { createLogger, type Logger, TaskFailure } from '@hello-fargate/runtime';
import { publishJob } from '@hello-fargate/runtime/worker';
import type pg from 'pg';
import { type DailySalesReport, REPORT_COLUMNS, type ReportRow, toReport } from './daily-sales-report.js';

export interface PublishOptions {
  /** The execution whose report is published. */
  readonly executionId: string;
  /** The client the message is sent with; the caller owns it. */
  readonly sqs: SQSClient;
  /** URL of the report-events queue (REPORT_EVENTS_QUEUE_URL). */
  readonly queueUrl: string;
  /** @default createLogger({ component: 'publish' }) */
  readonly logger?: Logger;
}

/** The body of the `report.published` message. */
export interface ReportPublishedEvent {
  readonly type: 'report.published';
  /** The same for every send of one execution's report: consumers drop a message whose id they have seen. */
  readonly eventId: string;
  readonly reportDate: string;
  readonly timeZone: string;
  readonly orderCount: number;
  readonly totalCents: number;
  readonly executionId: string;
}

export interface PublishResult {
  /**
   * `already-published`: an earlier attempt sent and marked it; nothing was sent now. `superseded`: a later execution
   * (e.g. a duplicate scheduler delivery, or a re-run) replaced this execution's report of the day; it publishes it.
   */
  readonly outcome: 'published' | 'already-published' | 'superseded';
  readonly report: DailySalesReport;
  readonly eventId: string;
}

/** `report.published:<date>:<execution id>`: the message's `jobId` attribute and `eventId`. */
export function reportEventId(report: Pick<DailySalesReport, 'reportDate' | 'executionId'>): string {
  return `report.published:${report.reportDate}:${report.executionId}`;
}

/**
 * Sends the report's totals, then sets published_at. A report already marked is not sent again. A crash or a failed
 * update between the send and the mark means the retried step sends again, with the same `eventId`/`jobId`: delivery
 * is at least once and consumers deduplicate by that id. A TaskFailure when the execution has no report.
 */
export async function publishReport(pool: pg.Pool, options: PublishOptions): Promise<PublishResult> {
  const logger = options.logger ?? createLogger({ component: 'publish' });
  const { rows } = await pool.query<ReportRow>(
    `SELECT ${REPORT_COLUMNS} FROM daily_sales_reports WHERE execution_id = $1`,
    [options.executionId],
  );
  if (!rows[0]) {
    // EventBridge Scheduler delivers at least once: two executions of one night can overlap, and the later one's
    // aggregate takes the day's report over. That is not a failure of this execution; the other one publishes.
    const replaced = await pool.query<ReportRow>(
      `SELECT ${REPORT_COLUMNS} FROM daily_sales_reports
        WHERE report_date = (SELECT report_date FROM sales_report_extracts WHERE execution_id = $1)`,
      [options.executionId],
    );
    if (replaced.rows[0]) {
      const report = toReport(replaced.rows[0]);
      logger.info(
        { reportDate: report.reportDate, by: report.executionId },
        `report of ${report.reportDate} was replaced by execution ${report.executionId}, which publishes it; nothing to do`,
      );
      return { outcome: 'superseded', report, eventId: reportEventId(report) };
    }
    throw new TaskFailure(
      `execution ${options.executionId} has no daily sales report to publish; run its aggregate step first`,
    );
  }
  const report = toReport(rows[0]);
  const eventId = reportEventId(report);
  if (report.publishedAt !== null) {
    logger.info({ reportDate: report.reportDate, eventId }, `report of ${report.reportDate} was already published`);
    return { outcome: 'already-published', report, eventId };
  }
  const event: ReportPublishedEvent = {
    type: 'report.published',
    eventId,
    reportDate: report.reportDate,
    timeZone: report.timeZone,
    orderCount: report.orderCount,
    totalCents: report.totalCents,
    executionId: report.executionId,
  };
  const sent = await publishJob(options.sqs, options.queueUrl, event, {
    correlationId: options.executionId,
    jobId: eventId,
  });
  const marked = await pool.query<ReportRow>(
    `UPDATE daily_sales_reports SET published_at = now(), published_message_id = $3
     WHERE report_date = $1 AND execution_id = $2 AND published_at IS NULL
     RETURNING ${REPORT_COLUMNS}`,
    [report.reportDate, report.executionId, sent.messageId || eventId],
  );
  logger.info(
    { reportDate: report.reportDate, eventId, messageId: sent.messageId, totalCents: report.totalCents },
    `published the report of ${report.reportDate}: ${report.orderCount} orders, ${report.totalCents} cents`,
  );
  return { outcome: 'published', report: marked.rows[0] ? toReport(marked.rows[0]) : report, eventId };
}
