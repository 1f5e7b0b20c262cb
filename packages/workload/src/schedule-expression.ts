// EventBridge Scheduler expressions (at, rate, cron): parsed and validated as AWS does, with fire times in a time zone.

/** A schedule expression AWS would reject; the message names the expression, what is wrong and how to fix it. */
export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
  readonly code = 'HF_INVALID_SCHEDULE';

  constructor(
    /** The expression as given. */
    readonly expression: string,
    readonly problem: string,
  ) {
    super(`schedule expression "${expression}": ${problem}`);
  }
}

/** Day-of-month rule; `undefined` in {@link CronFields} stands for `?`. */
export type DayOfMonthRule =
  | { readonly kind: 'days'; readonly days: readonly number[] }
  /** `L`: the last day of the month. */
  | { readonly kind: 'last' }
  /** `LW`: the last weekday (Monday–Friday) of the month. */
  | { readonly kind: 'lastWeekday' }
  /** `15W`: the weekday nearest the 15th, never crossing into another month. */
  | { readonly kind: 'nearestWeekday'; readonly day: number };

/** Day-of-week rule (1 = Sunday … 7 = Saturday); `undefined` in {@link CronFields} stands for `?`. */
export type DayOfWeekRule =
  | { readonly kind: 'days'; readonly days: readonly number[] }
  /** `5L`: the last Thursday of the month. */
  | { readonly kind: 'last'; readonly day: number }
  /** `3#2`: the second Tuesday of the month. */
  | { readonly kind: 'nth'; readonly day: number; readonly nth: number };

/** The six fields of a cron expression, as sorted lists of the values they allow. */
export interface CronFields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: DayOfMonthRule | undefined;
  readonly months: readonly number[];
  readonly daysOfWeek: DayOfWeekRule | undefined;
  readonly years: readonly number[];
}

export type ParsedSchedule =
  | { readonly kind: 'at'; readonly expression: string; readonly timezone: string; readonly at: Date }
  | {
      readonly kind: 'rate';
      readonly expression: string;
      readonly timezone: string;
      readonly value: number;
      readonly unit: 'minutes' | 'hours' | 'days';
      /** A day is 24 hours, also across a DST change (as AWS documents). */
      readonly periodMs: number;
    }
  | ({ readonly kind: 'cron'; readonly expression: string; readonly timezone: string } & CronFields);

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const UNIT_MS = { minutes: MINUTE_MS, hours: 60 * MINUTE_MS, days: DAY_MS } as const;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}
const MINUTES: FieldSpec = { label: 'minutes', min: 0, max: 59 };
const HOURS: FieldSpec = { label: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { label: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = { label: 'month', min: 1, max: 12, names: MONTH_NAMES };
const DAY_OF_WEEK: FieldSpec = { label: 'day-of-week', min: 1, max: 7, names: DAY_NAMES };
const YEAR: FieldSpec = { label: 'year', min: 1970, max: 2199 };

/**
 * Parses and validates an EventBridge Scheduler expression.
 * @param timezone IANA time zone the expression is evaluated in. @default 'UTC'
 */
export function parseScheduleExpression(expression: string, timezone?: string): ParsedSchedule {
  const zone = timezone ?? 'UTC';
  checkTimezone(expression, zone);
  const match = /^(at|rate|cron)\((.*)\)$/s.exec(expression);
  if (!match) {
    throw new ScheduleExpressionError(
      expression,
      'expected at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(minutes hours day-of-month month day-of-week year)',
    );
  }
  const [, kind, body] = match as unknown as [string, 'at' | 'rate' | 'cron', string];
  if (kind === 'at') return { kind, expression, timezone: zone, at: parseAt(expression, body, zone) };
  if (kind === 'rate') return { kind, expression, timezone: zone, ...parseRate(expression, body) };
  return { kind, expression, timezone: zone, ...parseCron(expression, body) };
}

/**
 * The first fire time strictly after `after`, or `undefined` when the schedule never fires again.
 * Cron times that do not exist on a spring-forward day are skipped, and a time repeated on a fall-back day fires once
 * (at its first occurrence), as EventBridge Scheduler documents.
 * @param anchor When a rate schedule counts from (its creation or start date); it fires at anchor + k × period, k ≥ 0.
 *   @default after
 */
export function nextFireTime(schedule: ParsedSchedule, after: Date, anchor?: Date): Date | undefined {
  const afterMs = after.getTime();
  switch (schedule.kind) {
    case 'at':
      return schedule.at.getTime() > afterMs ? schedule.at : undefined;
    case 'rate': {
      const start = (anchor ?? after).getTime();
      const periods = afterMs < start ? 0 : Math.floor((afterMs - start) / schedule.periodMs) + 1;
      return new Date(start + periods * schedule.periodMs);
    }
    case 'cron':
      return nextCronTime(schedule, afterMs);
  }
}

/** IANA zone names (Intl's canonical list), plus UTC and the Etc/ zones; not legacy abbreviations such as EST. */
const IANA_ZONES = new Set(Intl.supportedValuesOf('timeZone'));

function checkTimezone(expression: string, timezone: string): void {
  try {
    formatterFor(timezone);
    if (!IANA_ZONES.has(timezone) && !/^(UTC|Etc\/[A-Za-z0-9+-]+)$/.test(timezone)) throw new Error('not IANA');
  } catch {
    throw new ScheduleExpressionError(
      expression,
      `unknown time zone "${timezone}"; use an IANA name such as "UTC", "Europe/Berlin" or "America/New_York"`,
    );
  }
}

function parseAt(expression: string, body: string, timezone: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) throw new ScheduleExpressionError(expression, 'an at() expression must be at(yyyy-mm-ddThh:mm:ss)');
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const problem =
    month < 1 || month > 12
      ? `month ${month} is out of range; allowed 01-12`
      : day < 1 || day > daysInMonth(year, month)
        ? `day ${day} does not exist in ${year}-${pad(month)}`
        : hour > 23
          ? `hour ${hour} is out of range; allowed 00-23`
          : minute > 59
            ? `minute ${minute} is out of range; allowed 00-59`
            : second > 59
              ? `second ${second} is out of range; allowed 00-59`
              : undefined;
  if (problem) throw new ScheduleExpressionError(expression, problem);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const instants = wallToInstants(wall, timezone);
  // A time skipped by a spring-forward change is moved forward by the gap (AWS does not document this case).
  return new Date(instants[0] ?? wall - offsetAt(wall - DAY_MS, timezone));
}

function parseRate(
  expression: string,
  body: string,
): { value: number; unit: 'minutes' | 'hours' | 'days'; periodMs: number } {
  const match = /^(\S+) (\S+)$/.exec(body);
  if (!match)
    throw new ScheduleExpressionError(expression, 'a rate() expression must be rate(value unit), e.g. rate(5 minutes)');
  const [, valueText, unitText] = match as unknown as [string, string, string];
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1 || !Number.isSafeInteger(Number(valueText))) {
    throw new ScheduleExpressionError(expression, `rate value "${valueText}" must be a positive whole number`);
  }
  const value = Number(valueText);
  const singular = ['minute', 'hour', 'day'];
  const plural = ['minutes', 'hours', 'days'] as const;
  if (!singular.includes(unitText) && !(plural as readonly string[]).includes(unitText)) {
    throw new ScheduleExpressionError(
      expression,
      `rate unit "${unitText}" is not supported; use minute, minutes, hour, hours, day or days`,
    );
  }
  const isSingular = singular.includes(unitText);
  if (value === 1 && !isSingular) {
    throw new ScheduleExpressionError(
      expression,
      `a value of 1 takes a singular unit: rate(1 ${unitText.slice(0, -1)})`,
    );
  }
  if (value > 1 && isSingular) {
    throw new ScheduleExpressionError(expression, `a value above 1 takes a plural unit: rate(${value} ${unitText}s)`);
  }
  const unit = (isSingular ? `${unitText}s` : unitText) as 'minutes' | 'hours' | 'days';
  return { value, unit, periodMs: value * UNIT_MS[unit] };
}

function parseCron(expression: string, body: string): CronFields {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      expression,
      `a cron expression has exactly 6 fields (minutes hours day-of-month month day-of-week year), found ${fields.length}`,
    );
  }
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (dom !== '?' && dow !== '?') {
    const both = dom === '*' && dow === '*' ? 'cannot both be *' : `cannot both be set ("${dom}" and "${dow}")`;
    throw new ScheduleExpressionError(
      expression,
      `day-of-month and day-of-week ${both}; use ? in one of them, e.g. cron(${minutes} ${hours} ${dom} ${month} ? ${year})`,
    );
  }
  if (dom === '?' && dow === '?') {
    throw new ScheduleExpressionError(
      expression,
      'day-of-month and day-of-week cannot both be ?; give one of them a value or *, e.g. * for every day',
    );
  }
  return {
    minutes: parseList(expression, minutes, MINUTES),
    hours: parseList(expression, hours, HOURS),
    daysOfMonth: dom === '?' ? undefined : parseDayOfMonth(expression, dom),
    months: parseList(expression, month, MONTH),
    daysOfWeek: dow === '?' ? undefined : parseDayOfWeek(expression, dow),
    years: parseList(expression, year, YEAR),
  };
}

function parseDayOfMonth(expression: string, text: string): DayOfMonthRule {
  const upper = text.toUpperCase();
  if (upper === 'L') return { kind: 'last' };
  if (upper === 'LW') return { kind: 'lastWeekday' };
  const weekday = /^(\d+)W$/.exec(upper);
  if (weekday) return { kind: 'nearestWeekday', day: parseValue(expression, weekday[1] as string, DAY_OF_MONTH) };
  if (/[LW]/.test(upper)) {
    throw new ScheduleExpressionError(
      expression,
      `day-of-month "${text}": L, LW and nW (e.g. 15W) must stand alone in the field`,
    );
  }
  return { kind: 'days', days: parseList(expression, text, DAY_OF_MONTH) };
}

function parseDayOfWeek(expression: string, text: string): DayOfWeekRule {
  const upper = text.toUpperCase();
  if (upper === 'L') return { kind: 'days', days: [7] };
  const last = /^(\w+)L$/.exec(upper);
  if (last) return { kind: 'last', day: parseValue(expression, last[1] as string, DAY_OF_WEEK) };
  if (upper.includes('#')) {
    const nth = /^(\w+)#(\d+)$/.exec(upper);
    if (!nth) {
      throw new ScheduleExpressionError(
        expression,
        `day-of-week "${text}": # takes one day and one instance, e.g. 3#2 (the second Tuesday); it cannot be combined with , or -`,
      );
    }
    const instance = Number(nth[2]);
    if (instance < 1 || instance > 5) {
      throw new ScheduleExpressionError(expression, `day-of-week "${text}": the instance after # must be 1-5`);
    }
    return { kind: 'nth', day: parseValue(expression, nth[1] as string, DAY_OF_WEEK), nth: instance };
  }
  if (upper.includes('L')) {
    throw new ScheduleExpressionError(
      expression,
      `day-of-week "${text}": L stands alone (Saturday) or follows one day (e.g. 6L, the last Friday)`,
    );
  }
  return { kind: 'days', days: parseList(expression, text, DAY_OF_WEEK) };
}

/** Parses `, - * /` lists into the sorted values they allow. */
function parseList(expression: string, text: string, spec: FieldSpec): number[] {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw new ScheduleExpressionError(expression, `${spec.label} field "${text}" has an empty item`);
    const [rangeText, stepText, extra] = item.split('/') as [string, string | undefined, string | undefined];
    if (extra !== undefined) {
      throw new ScheduleExpressionError(expression, `${spec.label} field item "${item}" has more than one /`);
    }
    let from = spec.min;
    let to = spec.max;
    if (rangeText !== '*') {
      const [fromText, toText, more] = rangeText.split('-') as [string, string | undefined, string | undefined];
      if (more !== undefined) {
        throw new ScheduleExpressionError(expression, `${spec.label} field item "${item}" has more than one -`);
      }
      from = parseValue(expression, fromText, spec);
      to = toText === undefined ? (stepText === undefined ? from : spec.max) : parseValue(expression, toText, spec);
      if (to < from) {
        throw new ScheduleExpressionError(
          expression,
          `${spec.label} range "${rangeText}" runs backwards; write it as two ranges, e.g. ${fromText}-${spec.max},${spec.min}-${toText}`,
        );
      }
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        throw new ScheduleExpressionError(
          expression,
          `${spec.label} increment "${stepText}" in "${item}" must be a positive whole number`,
        );
      }
      step = Number(stepText);
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

function parseValue(expression: string, text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) {
    const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
    throw new ScheduleExpressionError(
      expression,
      `${spec.label} value "${text}" is not valid; allowed ${spec.min}-${spec.max}${names}`,
    );
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new ScheduleExpressionError(
      expression,
      `${spec.label} value ${value} is out of range; allowed ${spec.min}-${spec.max}`,
    );
  }
  return value;
}

/** Walks wall-clock time field by field (year, month, day, hour, minute), so a yearly schedule takes a few steps. */
function nextCronTime(cron: CronFields & { readonly timezone: string }, afterMs: number): Date | undefined {
  const { timezone } = cron;
  let wall = Math.floor(wallTime(afterMs, timezone) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const daysCache = new Map<number, readonly number[]>();
  for (;;) {
    const t = new Date(wall);
    const year = t.getUTCFullYear();
    const month = t.getUTCMonth() + 1;
    const day = t.getUTCDate();
    const hour = t.getUTCHours();
    const minute = t.getUTCMinutes();
    if (!cron.years.includes(year)) {
      const nextYear = cron.years.find((y) => y > year);
      if (nextYear === undefined) return undefined;
      wall = Date.UTC(nextYear, 0, 1);
      continue;
    }
    if (!cron.months.includes(month)) {
      const nextMonth = cron.months.find((m) => m > month);
      wall = nextMonth === undefined ? Date.UTC(year + 1, 0, 1) : Date.UTC(year, nextMonth - 1, 1);
      continue;
    }
    const key = year * 100 + month;
    let days = daysCache.get(key);
    if (!days) daysCache.set(key, (days = daysMatching(cron, year, month)));
    const nextDay = days.find((d) => d >= day);
    if (nextDay === undefined) {
      wall = Date.UTC(year, month, 1);
      continue;
    }
    if (nextDay !== day) {
      wall = Date.UTC(year, month - 1, nextDay);
      continue;
    }
    const nextHour = cron.hours.find((h) => h >= hour);
    if (nextHour === undefined) {
      wall = Date.UTC(year, month - 1, day + 1);
      continue;
    }
    if (nextHour !== hour) {
      wall = Date.UTC(year, month - 1, day, nextHour);
      continue;
    }
    const nextMinute = cron.minutes.find((m) => m >= minute);
    if (nextMinute === undefined) {
      wall = Date.UTC(year, month - 1, day, hour + 1);
      continue;
    }
    if (nextMinute !== minute) {
      wall = Date.UTC(year, month - 1, day, hour, nextMinute);
      continue;
    }
    // A skipped wall time has no instant; a repeated one fires at its first instant only, which may already be past.
    const first = wallToInstants(wall, timezone)[0];
    if (first !== undefined && first > afterMs) return new Date(first);
    wall += MINUTE_MS;
  }
}

function daysMatching(cron: CronFields, year: number, month: number): number[] {
  const length = daysInMonth(year, month);
  const weekday = (day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
  const dom = cron.daysOfMonth;
  if (dom) {
    switch (dom.kind) {
      case 'days':
        return dom.days.filter((d) => d <= length);
      case 'last':
        return [length];
      case 'lastWeekday': {
        const last = weekday(length);
        return [last === 1 ? length - 2 : last === 7 ? length - 1 : length];
      }
      case 'nearestWeekday': {
        if (dom.day > length) return [];
        const target = weekday(dom.day);
        if (target === 7) return [dom.day === 1 ? 3 : dom.day - 1];
        if (target === 1) return [dom.day === length ? dom.day - 2 : dom.day + 1];
        return [dom.day];
      }
    }
  }
  const dow = cron.daysOfWeek as DayOfWeekRule;
  const all = Array.from({ length }, (_, i) => i + 1);
  switch (dow.kind) {
    case 'days':
      return all.filter((d) => dow.days.includes(weekday(d)));
    case 'last': {
      const matching = all.filter((d) => weekday(d) === dow.day);
      return matching.slice(-1);
    }
    case 'nth': {
      const matching = all.filter((d) => weekday(d) === dow.day);
      const found = matching[dow.nth - 1];
      return found === undefined ? [] : [found];
    }
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** The wall-clock time in `timezone` at `instant`, as epoch ms of the same fields in UTC (seconds kept, ms dropped). */
function wallTime(instant: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timezone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
}

function offsetAt(instant: number, timezone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallTime(whole, timezone) - whole;
}

/** The instants (0, 1 or 2, ascending) whose wall-clock time in `timezone` is `wall`. */
function wallToInstants(wall: number, timezone: string): number[] {
  const offsets = new Set([
    offsetAt(wall - DAY_MS, timezone),
    offsetAt(wall, timezone),
    offsetAt(wall + DAY_MS, timezone),
  ]);
  return [...offsets]
    .map((offset) => wall - offset)
    .filter((instant) => wallTime(instant, timezone) === wall)
    .sort((a, b) => a - b);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
