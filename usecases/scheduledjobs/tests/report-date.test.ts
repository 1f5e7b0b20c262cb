// Which day the sales report covers: a given date, or the day before the scheduled time in the report's zone.

import { ConfigError, TaskFailure } from '@hello-fargate/runtime';
import { describe, expect, it } from 'vitest';
import { localDate, parseReportDate, previousDay, reportDateFor } from '../apps/report-date.js';
import { readReportRequest } from '../apps/workflow-input.js';

const input = (value: unknown) => JSON.stringify(value);

describe('report date', () => {
  it('is the day before the scheduled time in the report zone, not in UTC', () => {
    // 02:30 in Berlin on 1 April (CEST) is 00:30 UTC: the Berlin day that just ended is 31 March.
    const scheduledTime = new Date('2024-04-01T00:30:00Z');

    expect(reportDateFor({ scheduledTime, timeZone: 'Europe/Berlin' })).toBe('2024-03-31');
    expect(reportDateFor({ scheduledTime, timeZone: 'America/New_York' })).toBe('2024-03-30');
    expect(reportDateFor({ scheduledTime, timeZone: 'UTC' })).toBe('2024-03-31');
  });

  it('is the given date when the input names one', () => {
    expect(reportDateFor({ reportDate: '2024-02-29', scheduledTime: new Date(), timeZone: 'UTC' })).toBe('2024-02-29');
  });

  it('steps back across month and year ends', () => {
    expect(previousDay('2024-03-01')).toBe('2024-02-29');
    expect(previousDay('2025-01-01')).toBe('2024-12-31');
    expect(localDate(new Date('2024-12-31T23:30:00Z'), 'Europe/Berlin')).toBe('2025-01-01');
  });

  it.each(['2024-02-30', '2024-13-01', '24-03-01', '2024-3-1', '', 20240301, null])(
    'refuses %o as a report date, saying the format',
    (value) => {
      expect(() => parseReportDate(value, 'reportDate')).toThrow(TaskFailure);
      expect(() => parseReportDate(value, 'reportDate')).toThrow(/is not a date; give the report day as YYYY-MM-DD/);
    },
  );
});

describe('readReportRequest', () => {
  const now = () => new Date('2024-05-02T09:00:00Z');

  it('reads the execution id, the zone and the scheduled time of a scheduled run', () => {
    const request = readReportRequest({
      env: {
        WORKFLOW_EXECUTION_ID: 'exec-1',
        WORKFLOW_INPUT: input({ scheduledTime: '2024-05-02T00:30:00Z' }),
        REPORT_TIME_ZONE: 'Europe/Berlin',
      },
      now,
    });

    expect(request).toEqual({
      executionId: 'exec-1',
      reportDate: '2024-05-01',
      timeZone: 'Europe/Berlin',
      manual: false,
    });
  });

  it('reports on yesterday in UTC when started by hand with nothing given', () => {
    expect(readReportRequest({ env: {}, now })).toEqual({
      executionId: 'manual-2024-05-02T09:00:00.000Z',
      reportDate: '2024-05-01',
      timeZone: 'UTC',
      manual: true,
    });
  });

  it('prefers --date and --execution over the workflow input', () => {
    const request = readReportRequest({
      env: { WORKFLOW_EXECUTION_ID: 'exec-1', WORKFLOW_INPUT: input({ reportDate: '2024-01-01' }) },
      reportDate: '2024-02-02',
      executionId: 'manual-1',
    });

    expect(request).toMatchObject({ executionId: 'manual-1', reportDate: '2024-02-02', manual: false });
  });

  it('names the field of a bad reportDate or scheduledTime, and the variable of a bad zone', () => {
    expect(() => readReportRequest({ env: { WORKFLOW_INPUT: input({ reportDate: '2024-02-30' }) } })).toThrow(
      'WORKFLOW_INPUT reportDate "2024-02-30" is not a date',
    );
    expect(() => readReportRequest({ env: { WORKFLOW_INPUT: input({ scheduledTime: 'yesterday' }) } })).toThrow(
      'WORKFLOW_INPUT scheduledTime "yesterday" is not a timestamp',
    );
    expect(() => readReportRequest({ env: { REPORT_TIME_ZONE: 'Mars/Olympus' } })).toThrow(ConfigError);
    expect(() => readReportRequest({ env: { REPORT_TIME_ZONE: 'Mars/Olympus' } })).toThrow(
      'environment variable REPORT_TIME_ZONE="Mars/Olympus" is not a time zone',
    );
  });
});
