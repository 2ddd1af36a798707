/**
 * Skip-ahead for rules without COUNT. rrule (like dateutil) iterates from DTSTART, so a daily series
 * that started 20 years ago costs 7,300 iterations for a one-month window. Without COUNT nothing
 * depends on how many periods came before, so we move DTSTART forward by a whole number of periods
 * (INTERVAL × FREQ, aligned to the original DTSTART) to just before the window. The implicit parts
 * rrule derives from DTSTART (the day of month of a MONTHLY rule, the weekday of a WEEKLY one) are
 * made explicit first, so the moved DTSTART generates the same series. test/recurrence/skip.test.ts
 * checks equivalence with the full expansion on random rules.
 */
import type { RRuleOptions } from './rrule-lib.js';

const UNIT_MS = { WEEKLY: 7 * 86_400_000, DAILY: 86_400_000, HOURLY: 3_600_000, MINUTELY: 60_000, SECONDLY: 1000 } as const;

/** Fill in what rrule would otherwise derive from DTSTART (same condition as rrule's parseOptions). */
export function makeDefaultsExplicit(opts: Partial<RRuleOptions>, freq: string, dtstart: Date): void {
  const hasDay = opts.byweekno || opts.byyearday || opts.bymonthday || opts.byweekday;
  if (hasDay) return;
  if (freq === 'YEARLY') {
    opts.bymonth ??= [dtstart.getUTCMonth() + 1];
    opts.bymonthday = [dtstart.getUTCDate()];
  } else if (freq === 'MONTHLY') {
    opts.bymonthday = [dtstart.getUTCDate()];
  } else if (freq === 'WEEKLY') {
    opts.byweekday = [(dtstart.getUTCDay() + 6) % 7];
  }
}

/**
 * A DTSTART (fake-UTC ms) a whole number of periods after `dtstart`, at least one full period
 * before `target`, or `dtstart` itself when there is nothing to skip.
 */
export function skipAhead(freq: string, interval: number, dtstart: number, target: number): number {
  if (target <= dtstart) return dtstart;
  if (freq in UNIT_MS) {
    const period = UNIT_MS[freq as keyof typeof UNIT_MS] * interval;
    const k = Math.floor((target - dtstart) / period) - 1;
    return k >= 1 ? dtstart + k * period : dtstart;
  }
  const s = new Date(dtstart);
  const t = new Date(target);
  const time = [s.getUTCHours(), s.getUTCMinutes(), s.getUTCSeconds(), s.getUTCMilliseconds()] as const;
  if (freq === 'MONTHLY') {
    const diff = (t.getUTCFullYear() - s.getUTCFullYear()) * 12 + (t.getUTCMonth() - s.getUTCMonth());
    const k = Math.floor(diff / interval) - 1;
    // Day 1 of the period: the explicit BYMONTHDAY/BYDAY pick the days, and no day before it is lost.
    return k >= 1 ? Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + k * interval, 1, ...time) : dtstart;
  }
  if (freq === 'YEARLY') {
    const k = Math.floor((t.getUTCFullYear() - s.getUTCFullYear()) / interval) - 1;
    return k >= 1 ? Date.UTC(s.getUTCFullYear() + k * interval, 0, 1, ...time) : dtstart;
  }
  return dtstart;
}
