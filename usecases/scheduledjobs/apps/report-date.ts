// Which calendar day a sales report covers: a given date, or the day before the scheduled time in the report's zone.

import { ConfigError, TaskFailure } from '@hello-fargate/runtime';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a zone the runtime's time zone database knows, e.g. `Europe/Berlin` or `UTC`. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone !== '';
  } catch {
    return false;
  }
}

/** The zone, or a ConfigError naming `variable` when it is not one. */
export function checkTimeZone(zone: string, variable = 'REPORT_TIME_ZONE'): string {
  if (!isTimeZone(zone)) {
    throw new ConfigError(
      variable,
      `environment variable ${variable}="${zone}" is not a time zone; use an IANA name such as UTC or Europe/Berlin`,
    );
  }
  return zone;
}

/** `text` when it is a real calendar date `YYYY-MM-DD`; a TaskFailure (exit 1) naming `where` otherwise. */
export function parseReportDate(text: unknown, where: string): string {
  const match = typeof text === 'string' ? DATE.exec(text) : null;
  const [year, month, day] = (match?.slice(1) ?? []).map(Number) as [number, number, number];
  const date = match ? new Date(Date.UTC(year, month - 1, day)) : undefined;
  if (!date || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new TaskFailure(
      `${where} ${JSON.stringify(text)} is not a date; give the report day as YYYY-MM-DD, e.g. "2024-05-01"`,
    );
  }
  return text as string;
}

/** The calendar date `instant` falls on in `timeZone`, as `YYYY-MM-DD`. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The day before `date` (`YYYY-MM-DD`), across month and year ends. */
export function previousDay(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

/**
 * The report day: `reportDate` when given; else the day before `scheduledTime` in `timeZone` (a run scheduled at
 * 03:30 Berlin time reports on the Berlin day that just ended).
 */
export function reportDateFor(options: {
  readonly reportDate?: string | undefined;
  readonly scheduledTime: Date;
  readonly timeZone: string;
}): string {
  if (options.reportDate !== undefined) return options.reportDate;
  return previousDay(localDate(options.scheduledTime, options.timeZone));
}
