/**
 * Generates test/fixtures/recurrence/random-rules.json: seeded fast-check rules across zones with
 * DST, covering BYSETPOS, BYWEEKNO, BYYEARDAY, WKST, negative BYDAY/BYMONTHDAY, COUNT and UNTIL.
 * python-dateutil then computes their occurrences (scripts/gen-recurrence-fixtures.py).
 *
 *   npx tsx scripts/gen-recurrence-rules.ts
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';

const SEED = 20_241_105;
const COUNT = 600; // the fixture script keeps the first 200 with occurrences and a few without
const ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
  'America/Santiago',
  'Pacific/Chatham',
  'Europe/Dublin',
] as const;
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const SPAN_DAYS = { YEARLY: 365 * 12, MONTHLY: 365 * 3, WEEKLY: 240, DAILY: 75, HOURLY: 6, MINUTELY: 1 } as const;
type Freq = keyof typeof SPAN_DAYS;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const some = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 2 });
const list = (min: number, max: number, signed: boolean, maxLength = 3) =>
  fc.uniqueArray(
    fc.integer({ min, max }).chain((n) => (signed ? fc.constantFrom(n, -n) : fc.constant(n))),
    { minLength: 1, maxLength },
  );

const ruleArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    allDayWeight: fc.integer({ min: 0, max: 9 }),
    year: fc.integer({ min: 1998, max: 2030 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    // Hours around the DST switches (00–03) are over-represented on purpose.
    hour: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 23 })),
    minute: fc.constantFrom(0, 15, 30, 45),
    freq: fc.constantFrom<Freq>('YEARLY', 'YEARLY', 'MONTHLY', 'MONTHLY', 'WEEKLY', 'WEEKLY', 'DAILY', 'DAILY', 'HOURLY', 'MINUTELY'),
    interval: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 4 })),
    end: fc.constantFrom('none', 'none', 'count', 'until'),
    count: fc.integer({ min: 1, max: 40 }),
    untilDays: fc.integer({ min: 10, max: 2000 }),
    wkst: some(fc.constantFrom(...DAYS)),
    byDay: some(fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 3 })),
    byDayN: some(fc.integer({ min: 1, max: 5 }).chain((n) => fc.constantFrom(n, -n))),
    byMonthDay: some(list(1, 31, true)),
    byMonth: some(list(1, 12, false)),
    byYearDay: some(list(1, 366, true)),
    byWeekNo: some(list(1, 53, true, 2)),
    bySetPos: some(list(1, 3, true, 2)),
    byHour: some(list(0, 23, false, 2)),
    startOffsetDays: fc.integer({ min: 0, max: 365 * 6 }),
  })
  .map((r) => {
    const allDay = r.allDayWeight === 0 && ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'].includes(r.freq);
    const parts = [`FREQ=${r.freq}`];
    if (r.interval > 1) parts.push(`INTERVAL=${r.interval}`);
    const ordinalOk = r.freq === 'MONTHLY' || (r.freq === 'YEARLY' && !r.byWeekNo);
    const byDay = r.byDay ? r.byDay.map((d, i) => (ordinalOk && i === 0 && r.byDayN !== null ? `${r.byDayN}${d}` : d)) : null;
    if (r.byMonth && r.freq !== 'HOURLY' && r.freq !== 'MINUTELY') parts.push(`BYMONTH=${r.byMonth.join(',')}`);
    if (r.byWeekNo && r.freq === 'YEARLY') parts.push(`BYWEEKNO=${r.byWeekNo.join(',')}`);
    if (r.byYearDay && r.freq === 'YEARLY' && !r.byWeekNo) parts.push(`BYYEARDAY=${r.byYearDay.join(',')}`);
    if (r.byMonthDay && (r.freq === 'MONTHLY' || r.freq === 'YEARLY' || r.freq === 'DAILY') && !r.byYearDay) {
      parts.push(`BYMONTHDAY=${r.byMonthDay.join(',')}`);
    }
    if (byDay) parts.push(`BYDAY=${byDay.join(',')}`);
    if (r.byHour && !allDay && (r.freq === 'DAILY' || r.freq === 'HOURLY')) parts.push(`BYHOUR=${r.byHour.join(',')}`);
    const hasSet = parts.some((p) => /^BY/.test(p));
    if (r.bySetPos && hasSet && (r.freq === 'MONTHLY' || r.freq === 'YEARLY' || r.freq === 'WEEKLY'))
      parts.push(`BYSETPOS=${r.bySetPos.join(',')}`);
    if (r.wkst) parts.push(`WKST=${r.wkst}`);
    const start = Date.UTC(r.year, r.month - 1, r.day, allDay ? 0 : r.hour, allDay ? 0 : r.minute);
    const span = SPAN_DAYS[r.freq] * r.interval;
    if (r.end === 'count') parts.push(`COUNT=${r.count}`);
    if (r.end === 'until') {
      const u = new Date(start + Math.min(r.untilDays, span * 2) * 86_400_000 + 3_600_000 * 7);
      const ymd = `${u.getUTCFullYear()}${pad(u.getUTCMonth() + 1)}${pad(u.getUTCDate())}`;
      parts.push(allDay ? `UNTIL=${ymd}` : `UNTIL=${ymd}T${pad(u.getUTCHours())}${pad(u.getUTCMinutes())}00Z`);
    }
    const s = new Date(start);
    const date = `${s.getUTCFullYear()}-${pad(s.getUTCMonth() + 1)}-${pad(s.getUTCDate())}`;
    const time = `${pad(s.getUTCHours())}:${pad(s.getUTCMinutes())}:00`;
    // Window: starts somewhere after DTSTART (COUNT rules at DTSTART so the count is visible), in whole days.
    const offset = r.end === 'count' ? 0 : Math.min(r.startOffsetDays, span * 4);
    const from = new Date(start + (offset - 1) * 86_400_000);
    const to = new Date(from.getTime() + span * 86_400_000);
    const ymd = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    return {
      rrule: `RRULE:${parts.join(';')}`,
      start: allDay ? { date } : { dateTime: `${date}T${time}`, timeZone: r.zone },
      // Window bounds as UTC midnights: the oracle and we must agree on every boundary.
      window: { from: `${ymd(from)}T00:00:00Z`, to: `${ymd(to)}T00:00:00Z` },
    };
  });

const rules = fc.sample(ruleArb, { seed: SEED, numRuns: COUNT });
writeFileSync(
  new URL('../test/fixtures/recurrence/random-rules.json', import.meta.url),
  `${JSON.stringify({ generator: { script: 'scripts/gen-recurrence-rules.ts', seed: SEED, count: COUNT }, rules }, null, 1)}\n`,
);
console.log(`wrote ${rules.length} rules`);
