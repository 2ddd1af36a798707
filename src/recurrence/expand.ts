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
import { assertPolicy, offsetAt, wallToEpoch } from '../time/instant.js';
import { MS_PER_DAY, MS_PER_MINUTE, parseDateTime, parseInstant } from '../time/wall.js';
import { resolveDateList } from './dates.js';
import { type ResolvedOverride, resolveOverrides, toOccurrence } from './instances.js';
import { parseRecurrenceLines, parseRrule } from './parse.js';
import { boundedRRule } from './rrule-lib.js';
import { toRRuleOptions } from './rrule-options.js';
import { assertAllDayRule, assertReachable, invalid, resolveStart, untilBound } from './series.js';
import { generateWithSetPos } from './setpos.js';
import { makeDefaultsExplicit, skipAhead } from './skip.js';
import type { ExpandOptions, ExpansionWindow, Occurrence, RecurringSeries } from './types.js';

/** Without an explicit `limit`, a window holding more occurrences than this is refused, not truncated. */
export const DEFAULT_MAX_OCCURRENCES = 10_000;
/** Slack around the window, in wall time: the largest UTC offset change plus a DST gap. */
const SLACK_MS = 3 * 3_600_000;

interface Internal {
  /** Off only in tests, to compare with the full expansion. */
  skip: boolean;
}

/**
 * Occurrences of `series` whose start lies in `[window.from, window.to)`, sorted by start. Timed
 * occurrences carry the local start in the series' zone and the instant; all-day ones a date (an
 * all-day occurrence is in the window when its date overlaps the window read in the window's own
 * offsets: `2024-03-01T00:00:00-05:00` … `2024-04-01T00:00:00-04:00` is the dates of March).
 *
 * @example
 * const classes = expandRecurrence(
 *   { rrule: 'RRULE:FREQ=WEEKLY;BYDAY=TU', start: { dateTime: '2026-03-03T18:00:00', timeZone: 'Europe/London' } },
 *   { from: '2026-03-01T00:00:00Z', to: '2026-04-08T00:00:00Z' },
 * );
 * // … { start: { dateTime: '2026-03-31T18:00:00', … }, instant: '2026-03-31T18:00:00+01:00' }: still 18:00 after the DST change
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
  assertPolicy(options?.dst);
  const start = { ...resolveStart(series.start), dst: options?.dst };

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
    const at = start.allDay ? wall : wallToEpoch(wall, start.zone, start.dst);
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
