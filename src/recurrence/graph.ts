/**
 * Microsoft Graph `patternedRecurrence` ↔ RRULE.
 *
 * Month-end rule (the one place Outlook and RFC 5545 disagree): Graph's `absoluteMonthly` on day
 * 29–31 falls on the last day of shorter months, while `BYMONTHDAY=31` skips them.
 * - Graph → RRULE keeps Outlook's meaning exactly: day 31 → `BYMONTHDAY=-1`, day 30 →
 *   `BYMONTHDAY=28,29,30;BYSETPOS=-1`, day 29 → `BYMONTHDAY=28,29;BYSETPOS=-1` (the last of those
 *   days the month has). `absoluteYearly` February 29 → `BYMONTH=2;BYMONTHDAY=-1`.
 * - RRULE → Graph maps those forms back, and `BYMONTHDAY=-1` to day 31. A plain `BYMONTHDAY=29|30|31`
 *   (skip short months) has no Graph equivalent: it throws `unsupported`, unless the caller opts in to
 *   Outlook's clamping with `{ monthEnd: 'clamp' }`.
 */
import { IntegrationError } from '../core/errors.js';
import { epochToWall, wallToEpoch } from '../time/instant.js';
import { formatDate, MS_PER_DAY, parseDate, startOfDay } from '../time/wall.js';
import { parseRrule, serializeRrule } from './parse.js';
import { resolveStart } from './series.js';
import type { ByDay, RecurrenceRule, SeriesStart, Weekday } from './types.js';

/** Graph `dayOfWeek` values. */
export type GraphDayOfWeek = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';
/** Graph `weekIndex` values: which week of the month a relative pattern means. */
export type GraphWeekIndex = 'first' | 'second' | 'third' | 'fourth' | 'last';
/** Graph `recurrencePatternType` values. */
export type GraphPatternType = 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
/** Graph `recurrenceRangeType` values. */
export type GraphRangeType = 'endDate' | 'noEnd' | 'numbered';

/** Graph `recurrencePattern`: how often the series repeats. */
export interface GraphRecurrencePattern {
  type: GraphPatternType;
  interval: number;
  daysOfWeek?: GraphDayOfWeek[];
  dayOfMonth?: number;
  month?: number;
  index?: GraphWeekIndex;
  firstDayOfWeek?: GraphDayOfWeek;
}

/** Graph `recurrenceRange`: when the series starts and ends. */
export interface GraphRecurrenceRange {
  type: GraphRangeType;
  /** First day of the series, `YYYY-MM-DD`. */
  startDate: string;
  /** Last day of the series, inclusive (`endDate` ranges). */
  endDate?: string;
  numberOfOccurrences?: number;
  recurrenceTimeZone?: string;
}

/** Graph's `patternedRecurrence` (an Outlook event's `recurrence`). */
export interface GraphPatternedRecurrence {
  pattern: GraphRecurrencePattern;
  range: GraphRecurrenceRange;
}

/** Options of `rruleToGraphRecurrence`. */
export interface RruleToGraphOptions {
  /** `reject` (default): `BYMONTHDAY=29|30|31` throws; `clamp`: accept Outlook's last-day-of-shorter-months meaning. */
  monthEnd?: 'reject' | 'clamp';
}

const DAY_NAMES: Record<Weekday, GraphDayOfWeek> = {
  MO: 'monday',
  TU: 'tuesday',
  WE: 'wednesday',
  TH: 'thursday',
  FR: 'friday',
  SA: 'saturday',
  SU: 'sunday',
};
const DAY_CODES = Object.fromEntries(Object.entries(DAY_NAMES).map(([k, v]) => [v, k])) as Record<GraphDayOfWeek, Weekday>;
const INDEXES: Record<GraphWeekIndex, number> = { first: 1, second: 2, third: 3, fourth: 4, last: -1 };
const INDEX_NAMES = new Map<number, GraphWeekIndex>(Object.entries(INDEXES).map(([k, v]) => [v, k as GraphWeekIndex]));
/** Outlook's month-end forms, as RRULE BYMONTHDAY lists with BYSETPOS=-1. */
const CLAMPED: Record<number, string> = { 29: '28,29', 30: '28,29,30' };
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function unsupported(part: string, why: string): never {
  throw new IntegrationError('unsupported', `Graph patternedRecurrence cannot express ${part}: ${why}`, {
    details: { field: 'rrule', part },
  });
}

function invalid(field: string, why: string): never {
  throw new IntegrationError('invalid_input', `${field} ${why}`, { details: { field } });
}

const WEEKDAY_OF = (wall: number): Weekday => (['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const)[new Date(wall).getUTCDay()]!;

/**
 * RRULE → Graph. Throws `unsupported` naming the part for anything Graph cannot express
 * (FREQ=HOURLY, BYHOUR, BYWEEKNO, BYYEARDAY, several BYMONTH/BYMONTHDAY values, BYSETPOS lists,
 * fifth-weekday ordinals …), never returns a different series.
 *
 * @example
 * rruleToGraphRecurrence('RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10', { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Berlin' });
 * // { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'], … }, range: { type: 'numbered', numberOfOccurrences: 10, … } }
 */
export function rruleToGraphRecurrence(rrule: string, start: SeriesStart, options: RruleToGraphOptions = {}): GraphPatternedRecurrence {
  const rule = parseRrule(rrule);
  const s = resolveStart(start);
  const interval = rule.interval ?? 1;
  for (const [key, part] of [
    ['byHour', 'BYHOUR'],
    ['byMinute', 'BYMINUTE'],
    ['bySecond', 'BYSECOND'],
    ['byWeekNo', 'BYWEEKNO'],
    ['byYearDay', 'BYYEARDAY'],
  ] as const) {
    if (rule[key]) unsupported(part, 'Graph patterns have no such part');
  }
  if (['HOURLY', 'MINUTELY', 'SECONDLY'].includes(rule.freq)) unsupported(`FREQ=${rule.freq}`, 'Graph repeats daily at most');
  if (rule.bySetPos && rule.bySetPos.length > 1) unsupported(`BYSETPOS=${rule.bySetPos.join(',')}`, 'Graph takes one index');
  if (rule.byMonth && rule.byMonth.length > 1) unsupported(`BYMONTH=${rule.byMonth.join(',')}`, 'Graph takes one month');

  const pattern = patternOf(rule, s.wall, interval, options);
  const range: GraphRecurrenceRange = { type: 'noEnd', startDate: formatDate(startOfDay(s.wall)) };
  if (rule.count !== undefined) {
    range.type = 'numbered';
    range.numberOfOccurrences = rule.count;
  } else if (rule.until !== undefined) {
    range.type = 'endDate';
    range.endDate = endDateOf(rule.until, s);
    if (range.endDate < range.startDate) {
      // Graph refuses an endDate before startDate; the RRULE has no occurrence at all.
      invalid('rrule', `UNTIL=${rule.until} is before the series start ${range.startDate}: the series has no occurrences`);
    }
  }
  if (!s.allDay) range.recurrenceTimeZone = s.zone;
  return { pattern, range };
}

function patternOf(rule: RecurrenceRule, startWall: number, interval: number, options: RruleToGraphOptions): GraphRecurrencePattern {
  const days = (list: ByDay[]) => list.map((d) => DAY_NAMES[d.weekday]);
  switch (rule.freq) {
    case 'DAILY':
      if (rule.byMonth || rule.byMonthDay || rule.bySetPos)
        unsupported('a DAILY rule with BYMONTH/BYMONTHDAY/BYSETPOS', 'Graph daily patterns have no filters');
      if (rule.byDay) {
        // Every day, but only some weekdays, is a weekly pattern; with INTERVAL>1 it is not.
        if (interval !== 1) unsupported(`FREQ=DAILY;INTERVAL=${interval};BYDAY`, 'Graph has no "every n days on these weekdays"');
        return { type: 'weekly', interval: 1, daysOfWeek: days(rule.byDay), firstDayOfWeek: DAY_NAMES[rule.wkst ?? 'MO'] };
      }
      return { type: 'daily', interval };
    case 'WEEKLY': {
      if (rule.byMonth || rule.bySetPos) unsupported('BYMONTH/BYSETPOS on a WEEKLY rule', 'Graph weekly patterns have no filters');
      const byDay = rule.byDay ?? [{ weekday: WEEKDAY_OF(startWall) }];
      return { type: 'weekly', interval, daysOfWeek: days(byDay), firstDayOfWeek: DAY_NAMES[rule.wkst ?? 'MO'] };
    }
    case 'MONTHLY':
      if (rule.byMonth) unsupported('BYMONTH on a MONTHLY rule', 'Graph monthly patterns apply to every month');
      return { ...monthPart(rule, startWall, options, 'MONTHLY'), interval } as GraphRecurrencePattern;
    case 'YEARLY': {
      const month = rule.byMonth?.[0] ?? new Date(startWall).getUTCMonth() + 1;
      const part = monthPart(rule, startWall, options, 'YEARLY', month);
      return {
        ...part,
        type: part.type === 'relativeMonthly' ? 'relativeYearly' : 'absoluteYearly',
        interval,
        month,
      } as GraphRecurrencePattern;
    }
    default:
      return unsupported(`FREQ=${rule.freq}`, 'Graph repeats daily at most');
  }
}

/** The day-of-month part shared by monthly and yearly rules. */
function monthPart(
  rule: RecurrenceRule,
  startWall: number,
  options: RruleToGraphOptions,
  freq: 'MONTHLY' | 'YEARLY',
  month?: number,
): Partial<GraphRecurrencePattern> & { type: 'absoluteMonthly' | 'relativeMonthly' } {
  if (rule.byDay && rule.byMonthDay)
    unsupported('BYDAY together with BYMONTHDAY', 'Graph patterns pick either a day of the month or a weekday');
  if (rule.byDay) {
    let index: number | undefined = rule.bySetPos?.[0];
    const ordinals = rule.byDay.filter((d) => d.n !== undefined);
    if (ordinals.length > 0) {
      if (rule.byDay.length > 1 || index !== undefined)
        unsupported(`BYDAY=${rule.byDay.map((d) => `${d.n ?? ''}${d.weekday}`).join(',')}`, 'Graph takes one ordinal weekday');
      index = ordinals[0]!.n;
    }
    if (index === undefined)
      unsupported(`BYDAY without an ordinal or BYSETPOS on a ${freq} rule`, 'Graph needs an index (first…fourth, last)');
    const name = INDEX_NAMES.get(index);
    if (!name) unsupported(`index ${index}`, 'Graph indexes are first, second, third, fourth and last');
    return { type: 'relativeMonthly', daysOfWeek: rule.byDay.map((d) => DAY_NAMES[d.weekday]), index: name };
  }
  const maxDay = month === undefined ? 31 : DAYS_IN_MONTH[month - 1]!;
  const list = rule.byMonthDay;
  if (list && rule.bySetPos) {
    // Outlook's month-end forms produced by graphRecurrenceToRrule.
    const entry = Object.entries(CLAMPED).find(([, v]) => v === [...list].sort((a, b) => a - b).join(','));
    if (entry && rule.bySetPos[0] === -1 && month === undefined) return { type: 'absoluteMonthly', dayOfMonth: Number(entry[0]) };
    unsupported(`BYMONTHDAY=${list.join(',')};BYSETPOS=${rule.bySetPos.join(',')}`, 'only the Outlook month-end forms map to Graph');
  }
  if (rule.bySetPos) unsupported(`BYSETPOS=${rule.bySetPos.join(',')}`, 'Graph uses an index only with weekdays');
  if (list && list.length > 1) unsupported(`BYMONTHDAY=${list.join(',')}`, 'Graph takes one day of the month');
  const day = list?.[0] ?? new Date(startWall).getUTCDate();
  if (day === -1) return { type: 'absoluteMonthly', dayOfMonth: maxDay }; // Outlook clamps to the last day: exactly -1
  if (day < 0) unsupported(`BYMONTHDAY=${day}`, 'Graph counts days from the start of the month only (-1 excepted)');
  // Where the day is missing from some months of the pattern, Outlook clamps and RRULE skips.
  const skipsSome = month === undefined ? day > 28 : month === 2 && day === 29;
  if (skipsSome && options?.monthEnd !== 'clamp') {
    unsupported(
      `BYMONTHDAY=${day}`,
      `Outlook moves day ${day} to the last day of shorter months, RRULE skips those months; pass { monthEnd: 'clamp' } to accept Outlook's meaning`,
    );
  }
  return { type: 'absoluteMonthly', dayOfMonth: day };
}

/** Graph's endDate is an inclusive date: the last local date an occurrence may fall on. */
function endDateOf(until: string, s: ReturnType<typeof resolveStart>): string {
  const date = parseDate(`${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}`, 'rrule UNTIL');
  if (until.length === 8) return formatDate(date);
  const wall = date + Number(until.slice(9, 11)) * 3_600_000 + Number(until.slice(11, 13)) * 60_000 + Number(until.slice(13, 15)) * 1000;
  const local = until.endsWith('Z') && !s.allDay ? epochToWall(wall, s.zone) : wall;
  const day = startOfDay(local);
  // An occurrence at the series' time of day on UNTIL's date is allowed only if it is not after UNTIL.
  const timeOfDay = s.wall - startOfDay(s.wall);
  return formatDate(timeOfDay <= local - day ? day : day - MS_PER_DAY);
}

/**
 * Graph → RRULE (`RRULE:…`, no DTSTART). With `start` (the event's start), an `endDate` range
 * becomes an exact UTC UNTIL at the end of that date in the event's zone (or a DATE for all-day
 * series); without it, `recurrenceTimeZone` is used, else a DATE (read as "through that date").
 *
 * @example
 * graphRecurrenceToRrule(graphEvent.recurrence, graphEvent.start); // 'RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO,WE;WKST=MO'
 */
export function graphRecurrenceToRrule(recurrence: GraphPatternedRecurrence, start?: SeriesStart): string {
  if (typeof recurrence !== 'object' || recurrence === null) invalid('recurrence', 'must be a patternedRecurrence object');
  const { pattern, range } = recurrence;
  if (typeof pattern !== 'object' || pattern === null) invalid('recurrence.pattern', 'is required');
  if (typeof range !== 'object' || range === null) invalid('recurrence.range', 'is required');
  const interval = pattern.interval ?? 1;
  if (!Number.isInteger(interval) || interval < 1) invalid('recurrence.pattern.interval', 'must be a positive integer');
  const startDate = parseDate(range.startDate, 'recurrence.range.startDate');
  const days = (): ByDay[] => {
    const list = pattern.daysOfWeek;
    if (!Array.isArray(list) || list.length === 0) invalid('recurrence.pattern.daysOfWeek', `is required for ${pattern.type}`);
    return list.map((d) => {
      const code = Object.hasOwn(DAY_CODES, d) ? DAY_CODES[d] : undefined;
      if (!code) invalid('recurrence.pattern.daysOfWeek', `contains ${JSON.stringify(d)}, not a day name`);
      return { weekday: code };
    });
  };
  const index = (): number => {
    const value = pattern.index ?? 'first';
    const n = Object.hasOwn(INDEXES, value) ? INDEXES[value] : undefined;
    if (n === undefined) invalid('recurrence.pattern.index', `must be first, second, third, fourth or last, not ${JSON.stringify(value)}`);
    return n;
  };
  const month = (): number => {
    const m = pattern.month;
    if (!Number.isInteger(m) || (m as number) < 1 || (m as number) > 12) invalid('recurrence.pattern.month', 'must be 1…12');
    return m as number;
  };
  const dayOfMonth = (max: number): number => {
    const d = pattern.dayOfMonth;
    if (!Number.isInteger(d) || (d as number) < 1 || (d as number) > max) invalid('recurrence.pattern.dayOfMonth', `must be 1…${max}`);
    return d as number;
  };
  const rule: RecurrenceRule = { freq: 'DAILY' };
  if (interval !== 1) rule.interval = interval;
  switch (pattern.type) {
    case 'daily':
      break;
    case 'weekly': {
      rule.freq = 'WEEKLY';
      rule.byDay = days();
      const first = pattern.firstDayOfWeek ?? 'sunday'; // Graph's documented default
      const code = Object.hasOwn(DAY_CODES, first) ? DAY_CODES[first] : undefined;
      if (!code) invalid('recurrence.pattern.firstDayOfWeek', `${JSON.stringify(first)} is not a day name`);
      rule.wkst = code;
      break;
    }
    case 'absoluteMonthly': {
      rule.freq = 'MONTHLY';
      const d = dayOfMonth(31);
      if (d === 31) rule.byMonthDay = [-1];
      else if (CLAMPED[d]) {
        rule.byMonthDay = CLAMPED[d]!.split(',').map(Number);
        rule.bySetPos = [-1];
      } else rule.byMonthDay = [d];
      break;
    }
    case 'relativeMonthly':
      rule.freq = 'MONTHLY';
      rule.byDay = days();
      rule.bySetPos = [index()];
      break;
    case 'absoluteYearly': {
      rule.freq = 'YEARLY';
      const m = month();
      const d = dayOfMonth(DAYS_IN_MONTH[m - 1]!);
      rule.byMonth = [m];
      rule.byMonthDay = [m === 2 && d === 29 ? -1 : d];
      break;
    }
    case 'relativeYearly':
      rule.freq = 'YEARLY';
      rule.byMonth = [month()];
      rule.byDay = days();
      rule.bySetPos = [index()];
      break;
    default:
      invalid('recurrence.pattern.type', `${JSON.stringify(pattern.type)} is not a Graph pattern type`);
  }
  switch (range.type) {
    case 'noEnd':
      break;
    case 'numbered': {
      const n = range.numberOfOccurrences;
      if (!Number.isInteger(n) || (n as number) < 1) invalid('recurrence.range.numberOfOccurrences', 'must be a positive integer');
      rule.count = n as number;
      break;
    }
    case 'endDate': {
      const endDate = parseDate(range.endDate, 'recurrence.range.endDate');
      if (endDate < startDate) invalid('recurrence.range.endDate', `${range.endDate} is before startDate ${range.startDate}`);
      rule.until = untilOf(endDate, start, range.recurrenceTimeZone);
      break;
    }
    default:
      invalid('recurrence.range.type', `${JSON.stringify(range.type)} is not endDate, noEnd or numbered`);
  }
  return serializeRrule(rule);
}

function untilOf(endDate: number, start: SeriesStart | undefined, recurrenceTimeZone: string | undefined): string {
  const basicDate = formatDate(endDate).replaceAll('-', '');
  let zone: string | undefined;
  if (start !== undefined) {
    const s = resolveStart(start);
    if (s.allDay) return basicDate;
    zone = s.zone;
  } else if (recurrenceTimeZone !== undefined) {
    zone = resolveStart({ dateTime: '2000-01-01T00:00:00', timeZone: recurrenceTimeZone }, 'recurrence.range.recurrenceTimeZone').zone;
  }
  if (zone === undefined) return basicDate;
  // The last second of endDate in the event's zone, in UTC (RFC 5545: UNTIL is UTC when DTSTART has a TZID).
  const last = new Date(wallToEpoch(endDate + MS_PER_DAY, zone) - 1000).toISOString();
  return `${last.slice(0, 4)}${last.slice(5, 7)}${last.slice(8, 10)}T${last.slice(11, 13)}${last.slice(14, 16)}${last.slice(17, 19)}Z`;
}
