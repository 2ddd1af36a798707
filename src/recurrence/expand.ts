/**
 * Expansion of a recurring series into occurrences inside a window.
 *
 * rrule's own `tzid` option is never used: it converts through the host's local time and is wrong
 * unless the process runs in UTC (rrule issues #295, #355, #550, #617). Instead the rule runs on
 * floating wall times held as fake-UTC dates (rrule then does pure calendar arithmetic in UTC), and
 * each wall time becomes an instant through luxon's zone data with the RFC 5545 §3.3.5 rule
 * (a wall time in a DST gap is read with the offset before the gap: 02:30 → 03:30). So 09:00 stays
 * 09:00 across DST, and no result depends on the host TZ.
 */
import { IntegrationError } from '../core/errors.js';
import { epochToWall, formatInstantIn, offsetAt, wallToEpoch } from '../time/instant.js';
import { formatDate, formatWall, MS_PER_DAY, MS_PER_MINUTE, parseDate, parseDateTime, parseInstant } from '../time/wall.js';
import { assertTimeZone } from '../time/zones.js';
import { resolveDateList, type SeriesFrame } from './dates.js';
import { parseRecurrenceLines, parseRrule } from './parse.js';
import { boundedRRule, type RRuleOptions, Weekday } from './rrule-lib.js';
import { periodStart, selectPositions } from './setpos.js';
import { makeDefaultsExplicit, skipAhead } from './skip.js';
import type {
  ExpandOptions,
  ExpansionWindow,
  InstanceOverride,
  Occurrence,
  RecurrenceRule,
  RecurringSeries,
  SeriesStart,
} from './types.js';
import { WEEKDAYS } from './types.js';

/** Without an explicit `limit`, a window holding more occurrences than this is refused, not truncated. */
export const DEFAULT_MAX_OCCURRENCES = 10_000;
/** Slack around the window, in wall time: the largest UTC offset change plus a DST gap. */
const SLACK_MS = 3 * 3_600_000;

const FREQ_INDEX: Record<RecurrenceRule['freq'], number> = {
  YEARLY: 0,
  MONTHLY: 1,
  WEEKLY: 2,
  DAILY: 3,
  HOURLY: 4,
  MINUTELY: 5,
  SECONDLY: 6,
};

interface ResolvedStart extends SeriesFrame {
  /** DTSTART as fake-UTC wall ms. */
  wall: number;
}

function invalid(field: string, message: string): IntegrationError {
  return new IntegrationError('invalid_input', message, { details: { field } });
}

export function resolveStart(start: SeriesStart, field = 'start'): ResolvedStart {
  if (typeof start !== 'object' || start === null) throw invalid(field, `${field} must be { dateTime, timeZone } or { date }`);
  if ('date' in start && typeof start.date === 'string') {
    return { allDay: true, zone: 'UTC', wall: parseDate(start.date, `${field}.date`) };
  }
  const local = start as { dateTime?: unknown; timeZone?: unknown };
  if (typeof local.dateTime !== 'string') throw invalid(field, `${field} must be { dateTime, timeZone } or { date }`);
  const zone = assertTimeZone(local.timeZone, `${field}.timeZone`);
  const parsed = parseDateTime(local.dateTime, `${field}.dateTime`);
  // Google sends `dateTime` with an offset; the wall time in the event's zone is what recurs.
  const wall = parsed.offsetMinutes === undefined ? parsed.wall : epochToWall(parsed.wall - parsed.offsetMinutes * MS_PER_MINUTE, zone);
  return { allDay: false, zone, wall };
}

/** The rule as rrule options on fake-UTC dates (no `tzid`, ever). `until` is set separately. */
export function toRRuleOptions(rule: RecurrenceRule, dtstart: number): Partial<RRuleOptions> {
  const opts: Partial<RRuleOptions> = { freq: FREQ_INDEX[rule.freq], interval: rule.interval ?? 1, dtstart: new Date(dtstart) };
  if (rule.count !== undefined) opts.count = rule.count;
  if (rule.wkst !== undefined) opts.wkst = WEEKDAYS.indexOf(rule.wkst);
  if (rule.byDay) opts.byweekday = rule.byDay.map((d) => new Weekday(WEEKDAYS.indexOf(d.weekday), d.n));
  // rrule emits times in the order BYHOUR/BYMINUTE/BYSECOND are written (BYHOUR=20,5 gives 20:00
  // before 05:00, which breaks COUNT): hand it sorted lists.
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  if (rule.byMonth) opts.bymonth = sorted(rule.byMonth);
  if (rule.byMonthDay) opts.bymonthday = sorted(rule.byMonthDay);
  if (rule.byYearDay) opts.byyearday = sorted(rule.byYearDay);
  if (rule.byWeekNo) opts.byweekno = sorted(rule.byWeekNo);
  if (rule.byHour) opts.byhour = sorted(rule.byHour);
  if (rule.byMinute) opts.byminute = sorted(rule.byMinute);
  if (rule.bySecond) opts.bysecond = sorted(rule.bySecond);
  if (rule.bySetPos) opts.bysetpos = rule.bySetPos;
  return opts;
}

interface UntilBound {
  /** Inclusive bound on wall time handed to rrule. */
  wall: number;
  /** Exact inclusive bound on the instant, when UNTIL is in UTC. */
  instant?: number;
}

/**
 * UNTIL in the series' terms. `…Z` is an instant (compared exactly, after conversion); a floating
 * date-time is a wall time in the series' zone; a bare DATE on a timed series means "through that
 * local date" (Google writes `UNTIL=20240131` for timed series; RFC 5545 would want a UTC time).
 */
function untilBound(until: string, start: ResolvedStart): UntilBound {
  const iso = `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}`;
  if (until.length === 8) {
    const date = parseDate(iso, 'rrule UNTIL');
    return { wall: start.allDay ? date : date + MS_PER_DAY - 1 };
  }
  const time = `${iso}T${until.slice(9, 11)}:${until.slice(11, 13)}:${until.slice(13, 15)}`;
  if (until.endsWith('Z')) {
    const instant = parseInstant(`${time}Z`, 'rrule UNTIL');
    if (start.allDay) return { wall: instant };
    return { wall: epochToWall(instant, start.zone) + MS_PER_DAY, instant };
  }
  return { wall: parseDateTime(time, 'rrule UNTIL').wall };
}

function assertAllDayRule(rule: RecurrenceRule): void {
  if (FREQ_INDEX[rule.freq] > FREQ_INDEX.DAILY || rule.byHour || rule.byMinute || rule.bySecond) {
    throw invalid(
      'rrule',
      `an all-day series recurs by whole days: FREQ=${rule.freq} or BYHOUR/BYMINUTE/BYSECOND is not valid with start.date`,
    );
  }
}

/**
 * BYSETPOS path (see setpos.ts): rrule generates whole periods without BYSETPOS; we select the
 * positions, then apply DTSTART, UNTIL (rrule bound) and COUNT in dateutil's order.
 */
function generateWithSetPos(
  rule: RecurrenceRule,
  opts: Partial<RRuleOptions>,
  original: number,
  dtstart: number,
  stop: number | undefined,
  wallHi: number,
  accept: (wall: number) => boolean,
): void {
  const wkst = rule.wkst ?? 'MO';
  const first = new Date(original);
  // Moving DTSTART to its period's start must not change the times rrule derives from it.
  const freq = FREQ_INDEX[rule.freq];
  if (freq < FREQ_INDEX.HOURLY) opts.byhour ??= [first.getUTCHours()];
  if (freq < FREQ_INDEX.MINUTELY) opts.byminute ??= [first.getUTCMinutes()];
  if (freq < FREQ_INDEX.SECONDLY) opts.bysecond ??= [first.getUTCSeconds()];
  delete opts.bysetpos;
  delete opts.count;
  opts.dtstart = new Date(periodStart(rule.freq, wkst, dtstart));
  // The period holding `stop` must be generated whole (its last members decide negative positions).
  if (stop !== undefined) opts.until = new Date(stop + PERIOD_MAX_MS[rule.freq]);
  let emitted = 0;
  let done = false;
  let key: number | undefined;
  let bucket: number[] = [];
  const flush = () => {
    for (const wall of selectPositions(bucket, rule.bySetPos ?? [])) {
      if (wall < original || (stop !== undefined && wall > stop)) continue;
      if (rule.count !== undefined && ++emitted > rule.count) return (done = true);
      if (!accept(wall)) return (done = true);
    }
    return done;
  };
  boundedRRule(opts, wallHi + PERIOD_MAX_MS[rule.freq]).all((date) => {
    const wall = date.getTime();
    const k = periodStart(rule.freq, wkst, wall);
    if (k !== key) {
      if (key !== undefined && flush()) return false;
      if (k > wallHi) return false;
      key = k;
      bucket = [];
    }
    bucket.push(wall);
    return true;
  });
  if (!done && key !== undefined) flush();
}

const PERIOD_MAX_MS: Record<RecurrenceRule['freq'], number> = {
  YEARLY: 366 * MS_PER_DAY,
  MONTHLY: 31 * MS_PER_DAY,
  WEEKLY: 7 * MS_PER_DAY,
  DAILY: MS_PER_DAY,
  HOURLY: 3_600_000,
  MINUTELY: 60_000,
  SECONDLY: 1000,
};

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * BYHOUR with FREQ=HOURLY (and BYMINUTE/BYSECOND with MINUTELY/SECONDLY) can only hit values
 * reachable from DTSTART in INTERVAL steps; a rule where none is reachable never matches and would
 * make rrule loop forever. python-dateutil refuses it the same way (empty byxxx set).
 */
function assertReachable(rule: RecurrenceRule, dtstart: number): void {
  const d = new Date(dtstart);
  const checks = [
    ['HOURLY', 'BYHOUR', rule.byHour, d.getUTCHours(), 24],
    ['MINUTELY', 'BYMINUTE', rule.byMinute, d.getUTCMinutes(), 60],
    ['SECONDLY', 'BYSECOND', rule.bySecond, d.getUTCSeconds(), 60],
  ] as const;
  for (const [freq, part, values, from, base] of checks) {
    if (rule.freq !== freq || values === undefined) continue;
    const step = gcd(rule.interval ?? 1, base);
    if (!values.some((v) => (((v - from) % step) + step) % step === 0)) {
      throw new IntegrationError(
        'invalid_input',
        `RRULE ${part}: no value is reachable from the start in steps of INTERVAL=${rule.interval ?? 1}`,
        {
          details: { field: 'rrule', part },
        },
      );
    }
  }
}

interface Internal {
  /** Off only in tests, to compare with the full expansion. */
  skip: boolean;
}

/**
 * Occurrences of `series` whose start lies in `[window.from, window.to)`, sorted by start. Timed
 * occurrences carry the local start in the series' zone and the instant; all-day ones a date (an
 * all-day occurrence is in the window when its date overlaps the window read in the window's own
 * offsets: `2024-03-01T00:00:00-05:00` … `2024-04-01T00:00:00-04:00` is the dates of March).
 */
export function expandRecurrence<T = unknown>(
  series: RecurringSeries<T>,
  window: ExpansionWindow,
  options: ExpandOptions = {},
): Occurrence<T>[] {
  return expandInternal(series, window, options, { skip: true });
}

export function expandInternal<T>(
  series: RecurringSeries<T>,
  window: ExpansionWindow,
  options: ExpandOptions,
  internal: Internal,
): Occurrence<T>[] {
  if (typeof series !== 'object' || series === null) throw invalid('series', 'series must be an object');
  if (typeof window !== 'object' || window === null) throw invalid('window', 'window must be { from, to }');
  const limit = options?.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw invalid('limit', 'limit must be a positive integer');
  const start = resolveStart(series.start);

  let ruleText = series.rrule;
  const exdateLines = [...(series.exdates ?? [])];
  const rdateLines = [...(series.rdates ?? [])];
  if (typeof ruleText === 'string' && /\n/.test(ruleText.trim())) {
    // A multi-line block (a VEVENT's lines, or rrule's toString() with its DTSTART): split it.
    const lines = parseRecurrenceLines(ruleText);
    ruleText = lines.rrule;
    exdateLines.push(...lines.exdates);
    rdateLines.push(...lines.rdates);
  }
  const rule = parseRrule(ruleText);
  if (start.allDay) assertAllDayRule(rule);
  assertReachable(rule, start.wall);

  const fromTs = parseInstant(window.from, 'window.from');
  const toTs = parseInstant(window.to, 'window.to');
  if (toTs <= fromTs) throw invalid('window.to', 'window.to must be after window.from');

  // The window in wall time, with slack: exact filtering happens on instants below.
  let wallLo: number;
  let wallHi: number;
  if (start.allDay) {
    wallLo = parseDateTime(window.from).wall - MS_PER_DAY + 1;
    wallHi = parseDateTime(window.to).wall - 1;
  } else {
    wallLo = fromTs + Math.min(offsetAt(start.zone, fromTs - MS_PER_DAY), offsetAt(start.zone, fromTs)) * MS_PER_MINUTE - SLACK_MS;
    wallHi = toTs + Math.max(offsetAt(start.zone, toTs + MS_PER_DAY), offsetAt(start.zone, toTs)) * MS_PER_MINUTE + SLACK_MS;
  }
  const inWindow = start.allDay ? (date: number) => date > wallLo - 1 && date <= wallHi : (ts: number) => ts >= fromTs && ts < toTs;

  const exdates = new Set(resolveDateList(exdateLines, start, 'EXDATE'));
  const rdates = resolveDateList(rdateLines, start, 'RDATE');
  const overrides = resolveOverrides(series.overrides, start);
  const removed = new Set<number>([...exdates, ...overrides.keys()]);

  const max = limit ?? DEFAULT_MAX_OCCURRENCES;
  const points: { at: number; override?: ResolvedOverride<T> }[] = [];
  let generated = 0;

  const until = rule.until === undefined ? undefined : untilBound(rule.until, start);
  /** One generated wall time, in order; false stops the iteration. */
  const accept = (wall: number): boolean => {
    const at = start.allDay ? wall : wallToEpoch(wall, start.zone);
    if (until?.instant !== undefined && at > until.instant) return false;
    if (!inWindow(at) || removed.has(at)) return true;
    points.push({ at });
    return ++generated <= max;
  };
  if (until === undefined || until.wall >= wallLo) {
    const opts = toRRuleOptions(rule, start.wall);
    makeDefaultsExplicit(opts, rule.freq, new Date(start.wall));
    const dtstart = internal.skip && rule.count === undefined ? skipAhead(rule.freq, rule.interval ?? 1, start.wall, wallLo) : start.wall;
    // Without COUNT, nothing after the window matters: bounding rrule there also stops a rule that
    // can never match (BYMONTH=2;BYMONTHDAY=30) from iterating to year 9999.
    const stop = rule.count === undefined ? Math.min(until?.wall ?? wallHi, wallHi) : until?.wall;
    if (rule.bySetPos) {
      generateWithSetPos(rule, opts, start.wall, dtstart, stop, wallHi, accept);
    } else {
      opts.dtstart = new Date(dtstart);
      if (stop !== undefined) opts.until = new Date(stop);
      boundedRRule(opts, wallHi).between(new Date(wallLo), new Date(wallHi), true, (date) => accept(date.getTime()));
    }
  }
  for (const at of rdates) if (inWindow(at) && !removed.has(at)) points.push({ at });
  for (const override of overrides.values()) {
    if (override.start !== undefined && inWindow(override.start.at)) points.push({ at: override.start.at, override });
  }

  points.sort((a, b) => a.at - b.at);
  const unique = points.filter((p, i) => i === 0 || p.at !== points[i - 1]!.at || p.override !== undefined);
  if (limit === undefined && unique.length > DEFAULT_MAX_OCCURRENCES) {
    throw invalid('window', `more than ${DEFAULT_MAX_OCCURRENCES} occurrences in the window: narrow it or pass options.limit`);
  }
  return unique.slice(0, max).map((p) => toOccurrence(p.at, start, p.override));
}

interface ResolvedOverride<T> {
  originalAt: number;
  original: SeriesStart;
  start?: { at: number; value: SeriesStart };
  data?: T;
}

function resolveOverrides<T>(list: InstanceOverride<T>[] | undefined, start: ResolvedStart): Map<number, ResolvedOverride<T>> {
  const out = new Map<number, ResolvedOverride<T>>();
  if (list === undefined) return out;
  if (!Array.isArray(list)) throw invalid('overrides', 'overrides must be an array');
  list.forEach((o, i) => {
    const field = `overrides[${i}]`;
    if (typeof o !== 'object' || o === null) throw invalid(field, `${field} must be an object`);
    const originalAt = pointOf(o.originalStart, start, `${field}.originalStart`);
    const resolved: ResolvedOverride<T> = { originalAt, original: toOccurrence(originalAt, start).start };
    if (o.data !== undefined) resolved.data = o.data;
    if (o.cancelled !== true) {
      if (o.start === undefined) throw invalid(`${field}.start`, `${field} needs start (or cancelled: true)`);
      const s = resolveStart(o.start, `${field}.start`);
      if (s.allDay !== start.allDay)
        throw invalid(`${field}.start`, `${field}.start must be ${start.allDay ? 'a date' : 'a date-time'} like the series`);
      resolved.start = {
        at: s.allDay ? s.wall : wallToEpoch(s.wall, s.zone),
        value: s.allDay ? { date: formatDate(s.wall) } : { dateTime: formatWall(s.wall), timeZone: s.zone },
      };
    }
    out.set(originalAt, resolved);
  });
  return out;
}

function pointOf(value: SeriesStart | string, start: ResolvedStart, field: string): number {
  if (typeof value === 'string') {
    if (start.allDay) return parseDate(value.slice(0, 10), field);
    return parseInstant(value, field);
  }
  const s = resolveStart(value, field);
  if (s.allDay !== start.allDay) throw invalid(field, `${field} must be ${start.allDay ? 'a date' : 'a date-time'} like the series`);
  return s.allDay ? s.wall : wallToEpoch(s.wall, s.zone);
}

function toOccurrence<T>(at: number, start: ResolvedStart, override?: ResolvedOverride<T>): Occurrence<T> {
  let occurrence: Occurrence<T>;
  if (override?.start !== undefined) {
    const value = override.start.value;
    occurrence = 'date' in value ? { start: value } : { start: value, instant: formatInstantIn(at, value.timeZone) };
  } else if (start.allDay) {
    occurrence = { start: { date: formatDate(at) } };
  } else {
    occurrence = {
      start: { dateTime: formatWall(epochToWall(at, start.zone)), timeZone: start.zone },
      instant: formatInstantIn(at, start.zone),
    };
  }
  if (override !== undefined) {
    occurrence.originalStart = override.original;
    occurrence.override = override.data === undefined ? {} : { data: override.data };
  }
  return occurrence;
}
