import { describe, expect, it } from 'vitest';
import {
  nextFireTime,
  parseScheduleExpression,
  type ParsedSchedule,
  ScheduleExpressionError,
} from '../src/schedule-expression.js';

/** The next `count` fire times after `after`, as ISO strings. */
function fireTimes(schedule: ParsedSchedule, after: string, count: number, anchor?: string): string[] {
  const times: string[] = [];
  let cursor = new Date(after);
  for (let i = 0; i < count; i++) {
    const next = nextFireTime(schedule, cursor, anchor ? new Date(anchor) : undefined);
    if (!next) break;
    times.push(next.toISOString());
    cursor = next;
  }
  return times;
}

function rejection(expression: string, timezone?: string): string {
  try {
    parseScheduleExpression(expression, timezone);
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    expect((error as ScheduleExpressionError).code).toBe('HF_INVALID_SCHEDULE');
    return (error as Error).message;
  }
  throw new Error(`expected ${expression} to be rejected`);
}

describe('parseScheduleExpression', () => {
  it('accepts the three expression kinds and defaults the time zone to UTC', () => {
    expect(parseScheduleExpression('rate(5 minutes)')).toEqual({
      kind: 'rate',
      expression: 'rate(5 minutes)',
      timezone: 'UTC',
      value: 5,
      unit: 'minutes',
      periodMs: 300_000,
    });
    expect(parseScheduleExpression('rate(1 day)', 'Europe/Berlin')).toMatchObject({
      unit: 'days',
      periodMs: 86_400_000,
    });
    expect(parseScheduleExpression('rate(1 hour)')).toMatchObject({ unit: 'hours', periodMs: 3_600_000 });
    expect(parseScheduleExpression('at(2026-06-01T09:30:00)', 'Europe/Berlin')).toMatchObject({
      kind: 'at',
      at: new Date('2026-06-01T07:30:00Z'),
    });
    expect(parseScheduleExpression('cron(0/15 8-17 ? * MON-FRI *)')).toMatchObject({
      kind: 'cron',
      minutes: [0, 15, 30, 45],
      hours: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
      daysOfMonth: undefined,
      daysOfWeek: { kind: 'days', days: [2, 3, 4, 5, 6] },
    });
  });

  it('parses the cron field syntax: lists, ranges, increments, names and special days', () => {
    const cron = parseScheduleExpression('cron(5,10-12 */6 1/10 JAN,jun-AUG ? 2026,2030-2031)');
    expect(cron).toMatchObject({
      minutes: [5, 10, 11, 12],
      hours: [0, 6, 12, 18],
      daysOfMonth: { kind: 'days', days: [1, 11, 21, 31] },
      months: [1, 6, 7, 8],
      years: [2026, 2030, 2031],
    });
    expect(parseScheduleExpression('cron(0 0 L * ? *)')).toMatchObject({ daysOfMonth: { kind: 'last' } });
    expect(parseScheduleExpression('cron(0 0 LW * ? *)')).toMatchObject({ daysOfMonth: { kind: 'lastWeekday' } });
    expect(parseScheduleExpression('cron(0 0 15W * ? *)')).toMatchObject({
      daysOfMonth: { kind: 'nearestWeekday', day: 15 },
    });
    expect(parseScheduleExpression('cron(0 0 ? * L *)')).toMatchObject({ daysOfWeek: { kind: 'days', days: [7] } });
    expect(parseScheduleExpression('cron(0 0 ? * FRIL *)')).toMatchObject({ daysOfWeek: { kind: 'last', day: 6 } });
    expect(parseScheduleExpression('cron(0 0 ? * 3#2 *)')).toMatchObject({
      daysOfWeek: { kind: 'nth', day: 3, nth: 2 },
    });
  });

  it('explains that day-of-month and day-of-week cannot both be *', () => {
    expect(rejection('cron(0 2 * * * *)')).toBe(
      'schedule expression "cron(0 2 * * * *)": day-of-month and day-of-week cannot both be *; use ? in one of them, e.g. cron(0 2 * * ? *)',
    );
    expect(rejection('cron(0 2 1 * MON *)')).toMatch(/cannot both be set \("1" and "MON"\); use \?/);
    expect(rejection('cron(0 2 ? * ? *)')).toMatch(/cannot both be \?/);
  });

  it('names the field and its allowed range for out-of-range values', () => {
    expect(rejection('cron(61 * * * ? *)')).toMatch(/minutes value 61 is out of range; allowed 0-59/);
    expect(rejection('cron(0 24 * * ? *)')).toMatch(/hours value 24 is out of range; allowed 0-23/);
    expect(rejection('cron(0 0 32 * ? *)')).toMatch(/day-of-month value 32 is out of range; allowed 1-31/);
    expect(rejection('cron(0 0 0 * ? *)')).toMatch(/day-of-month value 0 is out of range/);
    expect(rejection('cron(0 0 * 13 ? *)')).toMatch(/month value 13 is out of range; allowed 1-12/);
    expect(rejection('cron(0 0 * FOO ? *)')).toMatch(/month value "FOO" is not valid; allowed 1-12 or JAN-DEC/);
    expect(rejection('cron(0 0 ? * 8 *)')).toMatch(/day-of-week value 8 is out of range; allowed 1-7/);
    expect(rejection('cron(0 0 * * ? 1969)')).toMatch(/year value 1969 is out of range; allowed 1970-2199/);
    expect(rejection('cron(0 0 * * ? 2200)')).toMatch(/year value 2200/);
  });

  it('rejects malformed cron expressions with what to do', () => {
    expect(rejection('cron(0 2 * *)')).toMatch(/exactly 6 fields .* found 4/);
    expect(rejection('cron(0 2 * * ? * *)')).toMatch(/found 7/);
    expect(rejection('cron(0 22-2 * * ? *)')).toMatch(/hours range "22-2" runs backwards; write it as two ranges/);
    expect(rejection('cron(0/0 * * * ? *)')).toMatch(/minutes increment "0"/);
    expect(rejection('cron(0 0 ? * 3#6 *)')).toMatch(/instance after # must be 1-5/);
    expect(rejection('cron(0 0 ? * 3#2,5 *)')).toMatch(/# takes one day and one instance/);
    expect(rejection('cron(0 0 1,L * ? *)')).toMatch(/L, LW and nW .* must stand alone/);
    expect(rejection('cron(1,,2 0 * * ? *)')).toMatch(/minutes field "1,,2" has an empty item/);
  });

  it('rejects bad rate expressions, including the unit number rule', () => {
    expect(rejection('rate(0 minutes)')).toMatch(/rate value "0" must be a positive whole number/);
    expect(rejection('rate(-5 minutes)')).toMatch(/positive whole number/);
    expect(rejection('rate(1.5 hours)')).toMatch(/positive whole number/);
    expect(rejection('rate(5 weeks)')).toMatch(
      /rate unit "weeks" is not supported; use minute, minutes, hour, hours, day or days/,
    );
    expect(rejection('rate(1 minutes)')).toMatch(/a value of 1 takes a singular unit: rate\(1 minute\)/);
    expect(rejection('rate(5 hour)')).toMatch(/a value above 1 takes a plural unit: rate\(5 hours\)/);
    expect(rejection('rate(5minutes)')).toMatch(/rate\(value unit\)/);
  });

  it('rejects impossible at() dates and unknown expression kinds or time zones', () => {
    expect(rejection('at(2026-13-01T00:00:00)')).toMatch(/month 13 is out of range; allowed 01-12/);
    expect(rejection('at(2026-02-29T00:00:00)')).toMatch(/day 29 does not exist in 2026-02/);
    expect(rejection('at(2026-01-01T24:00:00)')).toMatch(/hour 24/);
    expect(rejection('at(2026-01-01 10:00:00)')).toMatch(/at\(yyyy-mm-ddThh:mm:ss\)/);
    expect(rejection('every(5 minutes)')).toMatch(/expected at\(.*\), rate\(.*\) or cron\(/);
    expect(rejection('rate(5 minutes)', 'Europe/Atlantis')).toMatch(/unknown time zone "Europe\/Atlantis"/);
  });
});

describe('nextFireTime', () => {
  it('fires an at() schedule once, and never when its time has passed', () => {
    const at = parseScheduleExpression('at(2026-06-01T09:30:00)', 'America/New_York');
    expect(nextFireTime(at, new Date('2026-05-01T00:00:00Z'))).toEqual(new Date('2026-06-01T13:30:00Z'));
    expect(nextFireTime(at, new Date('2026-06-01T13:30:00Z'))).toBeUndefined();
    expect(nextFireTime(at, new Date('2027-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('counts rate schedules from their anchor, not from the time asked', () => {
    const rate = parseScheduleExpression('rate(5 minutes)');
    const anchor = '2026-01-01T00:00:00Z';
    expect(fireTimes(rate, '2026-01-01T00:07:30Z', 3, anchor)).toEqual([
      '2026-01-01T00:10:00.000Z',
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:20:00.000Z',
    ]);
    expect(nextFireTime(rate, new Date('2025-12-31T23:00:00Z'), new Date(anchor))).toEqual(new Date(anchor));
    expect(nextFireTime(rate, new Date('2026-01-01T00:00:00Z'))).toEqual(new Date('2026-01-01T00:05:00Z'));
  });

  it('keeps rate(1 day) at 24 hours across a DST change, so the local hour shifts', () => {
    const daily = parseScheduleExpression('rate(1 day)', 'Europe/Berlin');
    expect(fireTimes(daily, '2026-03-28T08:00:00Z', 2, '2026-03-28T08:00:00Z')).toEqual([
      '2026-03-29T08:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
    ]);
  });

  it('fires a daily cron at the same wall-clock time in Europe/Berlin across both DST changes', () => {
    const cron = parseScheduleExpression('cron(0 9 * * ? *)', 'Europe/Berlin');
    expect(fireTimes(cron, '2026-03-28T00:00:00Z', 3)).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
    expect(fireTimes(cron, '2026-10-24T00:00:00Z', 3)).toEqual([
      '2026-10-24T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('skips a cron time that does not exist on the spring-forward day (Europe/Berlin 02:30)', () => {
    const cron = parseScheduleExpression('cron(30 2 * * ? *)', 'Europe/Berlin');
    expect(fireTimes(cron, '2026-03-28T00:00:00Z', 2)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('fires a time repeated on the fall-back day once (America/New_York)', () => {
    const cron = parseScheduleExpression('cron(30 1 * * ? *)', 'America/New_York');
    expect(fireTimes(cron, '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; the 01:30 EST an hour later does not fire
      '2026-11-02T06:30:00.000Z',
    ]);
    const halfHourly = parseScheduleExpression('cron(0/30 * * * ? *)', 'America/New_York');
    expect(fireTimes(halfHourly, '2026-11-01T05:00:00Z', 3)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T07:30:00.000Z',
    ]);
  });

  it('skips the missing hour on the New York spring-forward day', () => {
    const hourly = parseScheduleExpression('cron(0 * * * ? *)', 'America/New_York');
    expect(fireTimes(hourly, '2026-03-08T05:30:00Z', 3)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT: 02:00 does not exist
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('handles L, LW and W in day-of-month', () => {
    const last = parseScheduleExpression('cron(0 12 L * ? *)');
    expect(fireTimes(last, '2028-01-15T00:00:00Z', 3)).toEqual([
      '2028-01-31T12:00:00.000Z',
      '2028-02-29T12:00:00.000Z',
      '2028-03-31T12:00:00.000Z',
    ]);
    const lastWeekday = parseScheduleExpression('cron(0 12 LW * ? *)');
    // January 2026 ends on a Saturday, May 2026 on a Sunday.
    expect(nextFireTime(lastWeekday, new Date('2026-01-01T00:00:00Z'))).toEqual(new Date('2026-01-30T12:00:00Z'));
    expect(nextFireTime(lastWeekday, new Date('2026-05-01T00:00:00Z'))).toEqual(new Date('2026-05-29T12:00:00Z'));
    const nearest = parseScheduleExpression('cron(0 12 1W * ? *)');
    // 1 Feb 2026 is a Sunday (→ Monday 2nd); 1 Aug 2026 a Saturday (→ Monday 3rd, not July).
    expect(nextFireTime(nearest, new Date('2026-01-02T00:00:00Z'))).toEqual(new Date('2026-02-02T12:00:00Z'));
    expect(nextFireTime(nearest, new Date('2026-07-02T00:00:00Z'))).toEqual(new Date('2026-08-03T12:00:00Z'));
    const fifteenth = parseScheduleExpression('cron(0 12 15W * ? *)');
    // 15 Aug 2026 is a Saturday → Friday 14th.
    expect(nextFireTime(fifteenth, new Date('2026-08-01T00:00:00Z'))).toEqual(new Date('2026-08-14T12:00:00Z'));
  });

  it('handles L and # in day-of-week (1 = Sunday)', () => {
    const lastFriday = parseScheduleExpression('cron(0 18 ? * 6L *)');
    expect(fireTimes(lastFriday, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-30T18:00:00.000Z',
      '2026-02-27T18:00:00.000Z',
    ]);
    const secondTuesday = parseScheduleExpression('cron(0 10 ? * TUE#2 *)');
    expect(fireTimes(secondTuesday, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-13T10:00:00.000Z',
      '2026-02-10T10:00:00.000Z',
    ]);
    const fifthMonday = parseScheduleExpression('cron(0 10 ? * 2#5 *)');
    // Only some months have a fifth Monday: March 2026 does (30th), February and April do not.
    expect(nextFireTime(fifthMonday, new Date('2026-02-01T00:00:00Z'))).toEqual(new Date('2026-03-30T10:00:00Z'));
    const saturdays = parseScheduleExpression('cron(0 10 ? * L *)');
    expect(nextFireTime(saturdays, new Date('2026-01-01T00:00:00Z'))).toEqual(new Date('2026-01-03T10:00:00Z'));
  });

  it('fires weekday crons in a time zone and honours the year field', () => {
    const weekdays = parseScheduleExpression('cron(0 8 ? * MON-FRI *)', 'Asia/Tokyo');
    // Friday 2 Jan 2026, 08:00 JST, then Monday 5 Jan.
    expect(fireTimes(weekdays, '2026-01-01T23:30:00Z', 2)).toEqual([
      '2026-01-04T23:00:00.000Z',
      '2026-01-05T23:00:00.000Z',
    ]);
    const yearly = parseScheduleExpression('cron(0 0 1 1 ? 2027-2028)', 'Europe/Berlin');
    expect(fireTimes(yearly, '2026-06-01T00:00:00Z', 3)).toEqual([
      '2026-12-31T23:00:00.000Z',
      '2027-12-31T23:00:00.000Z',
    ]);
  });

  it('finds far-away fire times quickly, without walking minute by minute', () => {
    const leapDay = parseScheduleExpression('cron(0 0 29 2 ? *)', 'Europe/Berlin');
    const started = performance.now();
    for (let i = 0; i < 200; i++) nextFireTime(leapDay, new Date('2028-03-01T00:00:00Z'));
    expect(nextFireTime(leapDay, new Date('2028-03-01T00:00:00Z'))).toEqual(new Date('2032-02-28T23:00:00Z'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(
      nextFireTime(parseScheduleExpression('cron(0 0 30 2 ? *)'), new Date('2026-01-01T00:00:00Z')),
    ).toBeUndefined();
  });
});
