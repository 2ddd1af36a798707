/** A parsed rule as rrule options on fake-UTC dates (no `tzid`, ever), and per-FREQ constants. */
import { MS_PER_DAY } from '../time/wall.js';
import { type RRuleOptions, Weekday } from './rrule-lib.js';
import type { RecurrenceRule } from './types.js';
import { WEEKDAYS } from './types.js';

export const FREQ_INDEX: Record<RecurrenceRule['freq'], number> = {
  YEARLY: 0,
  MONTHLY: 1,
  WEEKLY: 2,
  DAILY: 3,
  HOURLY: 4,
  MINUTELY: 5,
  SECONDLY: 6,
};

/** The longest a period of each FREQ can be (a leap year, a 31-day month …). */
export const PERIOD_MAX_MS: Record<RecurrenceRule['freq'], number> = {
  YEARLY: 366 * MS_PER_DAY,
  MONTHLY: 31 * MS_PER_DAY,
  WEEKLY: 7 * MS_PER_DAY,
  DAILY: MS_PER_DAY,
  HOURLY: 3_600_000,
  MINUTELY: 60_000,
  SECONDLY: 1000,
};

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
