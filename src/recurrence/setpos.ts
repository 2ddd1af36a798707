/**
 * BYSETPOS, applied by us rather than by rrule. rrule 2.8 picks `set[0]` when a negative position
 * is larger than the set (`BYDAY=1FR;BYSETPOS=-2` yields the first Friday, where RFC 5545 and
 * python-dateutil yield nothing), because it indexes with `slice(pos)[0]`. So we let rrule generate
 * the whole per-period set (no BYSETPOS, DTSTART moved to the start of its period) and select the
 * positions here, with dateutil's semantics: out-of-range positions select nothing, the selection
 * happens before DTSTART/UNTIL/COUNT are applied.
 */
import { MS_PER_DAY } from '../time/wall.js';
import type { Frequency, Weekday } from './types.js';
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
