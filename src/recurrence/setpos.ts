/**
 * BYSETPOS, applied by us rather than by rrule. rrule 2.8 picks `set[0]` when a negative position
 * is larger than the set (`BYDAY=1FR;BYSETPOS=-2` yields the first Friday, where RFC 5545 and
 * python-dateutil yield nothing), because it indexes with `slice(pos)[0]`. So we let rrule generate
 * the whole per-period set (no BYSETPOS, DTSTART moved to the start of its period) and select the
 * positions here, with dateutil's semantics: out-of-range positions select nothing, the selection
 * happens before DTSTART/UNTIL/COUNT are applied.
 */
import { MS_PER_DAY } from '../time/wall.js';
import { boundedRRule, type RRuleOptions } from './rrule-lib.js';
import { FREQ_INDEX, PERIOD_MAX_MS } from './rrule-options.js';
import type { Frequency, RecurrenceRule, Weekday } from './types.js';
import { WEEKDAYS } from './types.js';

/** Start (fake-UTC ms) of the FREQ period containing `wall`; weeks start on WKST. */
export function periodStart(freq: Frequency, wkst: Weekday, wall: number): number {
  const d = new Date(wall);
  switch (freq) {
    case 'YEARLY':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'MONTHLY':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'WEEKLY': {
      const day = Math.floor(wall / MS_PER_DAY);
      const weekday = (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday (MO = 0)
      return (day - ((weekday - WEEKDAYS.indexOf(wkst) + 7) % 7)) * MS_PER_DAY;
    }
    case 'DAILY':
      return Math.floor(wall / MS_PER_DAY) * MS_PER_DAY;
    case 'HOURLY':
      return Math.floor(wall / 3_600_000) * 3_600_000;
    case 'MINUTELY':
      return Math.floor(wall / 60_000) * 60_000;
    case 'SECONDLY':
      return Math.floor(wall / 1000) * 1000;
  }
}

/** The members of one period's sorted set at the given 1-based (negative: from the end) positions. */
export function selectPositions(set: readonly number[], positions: readonly number[]): number[] {
  const picked = new Set<number>();
  for (const pos of positions) {
    const index = pos > 0 ? pos - 1 : set.length + pos;
    const value = set[index];
    if (index >= 0 && value !== undefined) picked.add(value);
  }
  return [...picked].sort((a, b) => a - b);
}

/**
 * BYSETPOS path (see setpos.ts): rrule generates whole periods without BYSETPOS; we select the
 * positions, then apply DTSTART, UNTIL (rrule bound) and COUNT in dateutil's order.
 */
export function generateWithSetPos(
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
