/**
 * Skip-ahead (moving DTSTART forward by whole periods for rules without COUNT) must give exactly
 * the occurrences of the full expansion from the original DTSTART, for any rule and window.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandInternal } from '../../src/recurrence/expand.js';
import { skipAhead } from '../../src/recurrence/skip.js';

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const pad = (n: number) => String(n).padStart(2, '0');
const some = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 2 });
const signed = (max: number) => fc.integer({ min: 1, max }).chain((n) => fc.constantFrom(n, -n));

const caseArb = fc
  .record({
    freq: fc.constantFrom('YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY'),
    interval: fc.integer({ min: 1, max: 5 }),
    byDay: some(fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 3 })),
    nth: some(signed(4)),
    byMonthDay: some(fc.uniqueArray(signed(31), { minLength: 1, maxLength: 2 })),
    byMonth: some(fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 })),
    byWeekNo: some(fc.uniqueArray(signed(53), { minLength: 1, maxLength: 2 })),
    byYearDay: some(fc.uniqueArray(signed(366), { minLength: 1, maxLength: 2 })),
    bySetPos: some(fc.uniqueArray(signed(3), { minLength: 1, maxLength: 2 })),
    wkst: some(fc.constantFrom(...DAYS)),
    until: fc.boolean(),
    zone: fc.constantFrom('America/New_York', 'Europe/London', 'Australia/Sydney', 'Pacific/Chatham', 'America/Santiago'),
    startYear: fc.integer({ min: 1995, max: 2015 }),
    startDay: fc.integer({ min: 0, max: 364 }),
    hour: fc.integer({ min: 0, max: 23 }),
    yearsLater: fc.integer({ min: 0, max: 20 }),
    windowDay: fc.integer({ min: 0, max: 364 }),
    allDay: fc.integer({ min: 0, max: 5 }),
  })
  .map((r) => {
    const allDay = r.allDay === 0 && r.freq !== 'HOURLY';
    const parts = [`FREQ=${r.freq}`, `INTERVAL=${r.interval}`];
    const monthlyish = r.freq === 'MONTHLY' || r.freq === 'YEARLY';
    if (r.byMonth) parts.push(`BYMONTH=${r.byMonth.join(',')}`);
    if (r.byWeekNo && r.freq === 'YEARLY') parts.push(`BYWEEKNO=${r.byWeekNo.join(',')}`);
    else if (r.byYearDay && r.freq === 'YEARLY') parts.push(`BYYEARDAY=${r.byYearDay.join(',')}`);
    if (r.byMonthDay && r.freq !== 'WEEKLY') parts.push(`BYMONTHDAY=${r.byMonthDay.join(',')}`);
    if (r.byDay)
      parts.push(`BYDAY=${r.byDay.map((d, i) => (i === 0 && monthlyish && r.nth !== null && !r.byWeekNo ? `${r.nth}${d}` : d)).join(',')}`);
    if (r.bySetPos && parts.length > 2) parts.push(`BYSETPOS=${r.bySetPos.join(',')}`);
    if (r.wkst) parts.push(`WKST=${r.wkst}`);
    const start = new Date(Date.UTC(r.startYear, 0, 1 + r.startDay, allDay ? 0 : r.hour));
    const from = new Date(Date.UTC(r.startYear + r.yearsLater, 0, 1 + r.windowDay));
    const spanDays = { YEARLY: 3 * 365, MONTHLY: 400, WEEKLY: 120, DAILY: 40, HOURLY: 4 }[r.freq]!;
    const to = new Date(from.getTime() + spanDays * 86_400_000);
    if (r.until) {
      const u = new Date(to.getTime() - (spanDays / 2) * 86_400_000);
      parts.push(`UNTIL=${u.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`);
    }
    const ymd = `${start.getUTCFullYear()}-${pad(start.getUTCMonth() + 1)}-${pad(start.getUTCDate())}`;
    return {
      series: {
        rrule: `RRULE:${parts.join(';')}`,
        start: allDay ? { date: ymd } : { dateTime: `${ymd}T${pad(start.getUTCHours())}:30:00`, timeZone: r.zone },
      },
      window: { from: from.toISOString(), to: to.toISOString() },
    };
  });

describe('skip-ahead', () => {
  it('gives the same occurrences as the full expansion from DTSTART (property)', () => {
    fc.assert(
      fc.property(caseArb, ({ series, window }) => {
        const full = expandInternal(series, window, { limit: 400 }, { skip: false });
        const skipped = expandInternal(series, window, { limit: 400 }, { skip: true });
        expect(skipped).toEqual(full);
      }),
      { numRuns: 150, seed: 5545 },
    );
  });

  it('moves DTSTART by whole periods, at least one period before the target', () => {
    const day = 86_400_000;
    const start = Date.UTC(2004, 0, 31, 9);
    expect(skipAhead('DAILY', 1, start, Date.UTC(2024, 5, 1))).toBe(Date.UTC(2024, 4, 30, 9));
    expect(skipAhead('DAILY', 3, start, start + 10 * day)).toBe(start + 6 * day);
    expect(skipAhead('WEEKLY', 2, start, start + 100 * day)).toBe(start + 84 * day);
    // MONTHLY and YEARLY land on the first day of an aligned period (BYMONTHDAY made explicit first).
    expect(skipAhead('MONTHLY', 3, start, Date.UTC(2024, 5, 15))).toBe(Date.UTC(2024, 0, 1, 9));
    expect(skipAhead('YEARLY', 4, start, Date.UTC(2024, 5, 15))).toBe(Date.UTC(2020, 0, 1, 9));
    // Nothing to skip.
    expect(skipAhead('DAILY', 1, start, start + day)).toBe(start);
    expect(skipAhead('MONTHLY', 1, start, start - day)).toBe(start);
  });
});
