import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import {
  expandRecurrence,
  type GraphDayOfWeek,
  type GraphPatternedRecurrence,
  type GraphWeekIndex,
  graphRecurrenceToRrule,
  rruleToGraphRecurrence,
  type SeriesStart,
} from '../../src/recurrence/index.js';

const NY = 'America/New_York';
const start: SeriesStart = { dateTime: '2024-01-31T09:00:00', timeZone: NY };

function errorOf(fn: () => unknown): { code?: string; part?: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    return isIntegrationError(err) ? { code: err.code, part: err.details?.part, message: err.message } : { message: String(err) };
  }
  return { message: 'did not throw' };
}

describe('rruleToGraphRecurrence', () => {
  it('maps each pattern type', () => {
    const s = { dateTime: '2024-01-01T09:00:00', timeZone: NY };
    expect(rruleToGraphRecurrence('RRULE:FREQ=DAILY;INTERVAL=2;COUNT=10', s)).toEqual({
      pattern: { type: 'daily', interval: 2 },
      range: { type: 'numbered', startDate: '2024-01-01', numberOfOccurrences: 10, recurrenceTimeZone: NY },
    });
    expect(rruleToGraphRecurrence('FREQ=WEEKLY;BYDAY=MO,WE,FR;WKST=SU', s).pattern).toEqual({
      type: 'weekly',
      interval: 1,
      daysOfWeek: ['monday', 'wednesday', 'friday'],
      firstDayOfWeek: 'sunday',
    });
    expect(rruleToGraphRecurrence('FREQ=MONTHLY;BYMONTHDAY=15', s).pattern).toEqual({
      type: 'absoluteMonthly',
      interval: 1,
      dayOfMonth: 15,
    });
    expect(rruleToGraphRecurrence('FREQ=MONTHLY;BYDAY=-1FR', s).pattern).toEqual({
      type: 'relativeMonthly',
      interval: 1,
      daysOfWeek: ['friday'],
      index: 'last',
    });
    expect(rruleToGraphRecurrence('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1', s).pattern).toMatchObject({
      type: 'relativeMonthly',
      index: 'first',
    });
    expect(rruleToGraphRecurrence('FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=10', s).pattern).toEqual({
      type: 'absoluteYearly',
      interval: 1,
      month: 3,
      dayOfMonth: 10,
    });
    expect(rruleToGraphRecurrence('FREQ=YEARLY;BYMONTH=11;BYDAY=1TU', s).pattern).toEqual({
      type: 'relativeYearly',
      interval: 1,
      month: 11,
      daysOfWeek: ['tuesday'],
      index: 'first',
    });
    // Defaults come from the start, as RRULE derives them.
    expect(rruleToGraphRecurrence('FREQ=WEEKLY', s).pattern.daysOfWeek).toEqual(['monday']);
    expect(rruleToGraphRecurrence('FREQ=YEARLY', s).pattern).toEqual({ type: 'absoluteYearly', interval: 1, month: 1, dayOfMonth: 1 });
    expect(rruleToGraphRecurrence('FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR', s).pattern).toMatchObject({ type: 'weekly', interval: 1 });
  });

  it('refuses an UNTIL before the start (Graph cannot hold an empty series)', () => {
    const e = errorOf(() => rruleToGraphRecurrence('FREQ=DAILY;UNTIL=20231231T235959Z', { dateTime: '2024-01-01T09:00', timeZone: NY }));
    expect(e.code).toBe('invalid_input');
  });

  it('takes startDate from the local start date, before 1970 too', () => {
    expect(rruleToGraphRecurrence('FREQ=DAILY', { dateTime: '1969-12-31T19:00', timeZone: NY }).range.startDate).toBe('1969-12-31');
    expect(rruleToGraphRecurrence('FREQ=DAILY;UNTIL=19700101T000000Z', { dateTime: '1969-12-01T18:00', timeZone: NY }).range.endDate).toBe(
      '1969-12-31',
    );
  });

  it('turns UNTIL into an inclusive local endDate', () => {
    // 09:00 New York on Jan 31 is 14:00Z: UNTIL at 14:00Z keeps Jan 31, one second earlier does not.
    const s = { dateTime: '2024-01-01T09:00:00', timeZone: NY };
    expect(rruleToGraphRecurrence('FREQ=DAILY;UNTIL=20240131T140000Z', s).range).toMatchObject({ type: 'endDate', endDate: '2024-01-31' });
    expect(rruleToGraphRecurrence('FREQ=DAILY;UNTIL=20240131T135959Z', s).range).toMatchObject({ endDate: '2024-01-30' });
    // 03:00Z on Feb 1 is still Jan 31 in New York.
    expect(rruleToGraphRecurrence('FREQ=DAILY;UNTIL=20240201T030000Z', s).range).toMatchObject({ endDate: '2024-01-31' });
    expect(rruleToGraphRecurrence('FREQ=DAILY;UNTIL=20240131', { date: '2024-01-01' }).range).toEqual({
      type: 'endDate',
      startDate: '2024-01-01',
      endDate: '2024-01-31',
    });
    expect(rruleToGraphRecurrence('FREQ=DAILY', s).range).toEqual({ type: 'noEnd', startDate: '2024-01-01', recurrenceTimeZone: NY });
  });

  it.each([
    ['FREQ=HOURLY', 'FREQ=HOURLY'],
    ['FREQ=MINUTELY;INTERVAL=15', 'FREQ=MINUTELY'],
    ['FREQ=DAILY;BYHOUR=9,17', 'BYHOUR'],
    ['FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1,-1', 'BYSETPOS=1,-1'],
    ['FREQ=MONTHLY;BYMONTHDAY=1,15', 'BYMONTHDAY=1,15'],
    ['FREQ=YEARLY;BYMONTH=1,7', 'BYMONTH=1,7'],
    ['FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', 'BYWEEKNO'],
    ['FREQ=YEARLY;BYYEARDAY=100', 'BYYEARDAY'],
    ['FREQ=MONTHLY;BYDAY=5FR', 'index 5'],
    ['FREQ=MONTHLY;BYDAY=-2MO', 'index -2'],
    ['FREQ=MONTHLY;BYDAY=TU', 'BYDAY without an ordinal or BYSETPOS on a MONTHLY rule'],
    ['FREQ=MONTHLY;BYDAY=1MO,3MO', 'BYDAY=1MO,3MO'],
    ['FREQ=MONTHLY;BYMONTHDAY=-3', 'BYMONTHDAY=-3'],
    ['FREQ=MONTHLY;BYMONTHDAY=31', 'BYMONTHDAY=31'],
    ['FREQ=MONTHLY;BYMONTHDAY=30', 'BYMONTHDAY=30'],
    ['FREQ=MONTHLY;BYMONTHDAY=29', 'BYMONTHDAY=29'],
    ['FREQ=MONTHLY', 'BYMONTHDAY=31'], // from the Jan 31 start
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', 'BYMONTHDAY=29'],
    ['FREQ=DAILY;INTERVAL=2;BYDAY=MO', 'FREQ=DAILY;INTERVAL=2;BYDAY'],
    ['FREQ=WEEKLY;BYMONTH=6', 'BYMONTH/BYSETPOS on a WEEKLY rule'],
    ['FREQ=MONTHLY;BYMONTH=6;BYMONTHDAY=1', 'BYMONTH on a MONTHLY rule'],
    ['FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13', 'BYDAY together with BYMONTHDAY'],
  ])('%s → unsupported naming %s', (rule, part) => {
    const e = errorOf(() => rruleToGraphRecurrence(rule, start));
    expect(e.code).toBe('unsupported');
    expect(e.part).toBe(part);
    expect(e.message).toContain(part);
  });

  it('month end: -1 maps to day 31 (Outlook clamps: exactly the last day); 29–31 only with monthEnd: clamp', () => {
    expect(rruleToGraphRecurrence('FREQ=MONTHLY;BYMONTHDAY=-1', start).pattern).toEqual({
      type: 'absoluteMonthly',
      interval: 1,
      dayOfMonth: 31,
    });
    expect(rruleToGraphRecurrence('FREQ=MONTHLY;BYMONTHDAY=31', start, { monthEnd: 'clamp' }).pattern).toMatchObject({ dayOfMonth: 31 });
    expect(rruleToGraphRecurrence('FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1', start).pattern).toMatchObject({ dayOfMonth: 30 });
    expect(rruleToGraphRecurrence('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1', start).pattern).toMatchObject({
      type: 'absoluteYearly',
      month: 2,
      dayOfMonth: 29,
    });
  });
});

describe('graphRecurrenceToRrule', () => {
  const range = { type: 'noEnd' as const, startDate: '2024-01-01' };

  it('maps each pattern type; relativeMonthly is BYDAY=<days>;BYSETPOS=<index>', () => {
    const rrule = (pattern: GraphPatternedRecurrence['pattern']) => graphRecurrenceToRrule({ pattern, range });
    expect(rrule({ type: 'daily', interval: 3 })).toBe('RRULE:FREQ=DAILY;INTERVAL=3');
    expect(rrule({ type: 'weekly', interval: 2, daysOfWeek: ['tuesday', 'thursday'], firstDayOfWeek: 'monday' })).toBe(
      'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=MO',
    );
    expect(rrule({ type: 'weekly', interval: 1, daysOfWeek: ['friday'] })).toBe('RRULE:FREQ=WEEKLY;BYDAY=FR;WKST=SU'); // Graph's default
    expect(rrule({ type: 'absoluteMonthly', interval: 1, dayOfMonth: 15 })).toBe('RRULE:FREQ=MONTHLY;BYMONTHDAY=15');
    expect(rrule({ type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' })).toBe(
      'RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR',
    );
    expect(rrule({ type: 'relativeMonthly', interval: 2, daysOfWeek: ['monday', 'tuesday'], index: 'second' })).toBe(
      'RRULE:FREQ=MONTHLY;INTERVAL=2;BYSETPOS=2;BYDAY=MO,TU',
    );
    expect(rrule({ type: 'absoluteYearly', interval: 1, month: 7, dayOfMonth: 4 })).toBe('RRULE:FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4');
    expect(rrule({ type: 'relativeYearly', interval: 1, month: 11, daysOfWeek: ['thursday'], index: 'fourth' })).toBe(
      'RRULE:FREQ=YEARLY;BYSETPOS=4;BYMONTH=11;BYDAY=TH',
    );
  });

  it('month end keeps Outlook meaning: day 29–31 is the last day of shorter months', () => {
    const dayOf = (dayOfMonth: number) => graphRecurrenceToRrule({ pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth }, range });
    expect(dayOf(31)).toBe('RRULE:FREQ=MONTHLY;BYMONTHDAY=-1');
    expect(dayOf(30)).toBe('RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYMONTHDAY=28,29,30');
    const out = expandRecurrence(
      { rrule: dayOf(30), start: { date: '2024-01-01' } },
      { from: '2024-01-01T00:00:00Z', to: '2024-05-01T00:00:00Z' },
    );
    expect(out.map((o) => ('date' in o.start ? o.start.date : ''))).toEqual(['2024-01-30', '2024-02-29', '2024-03-30', '2024-04-30']);
    const feb29 = graphRecurrenceToRrule({ pattern: { type: 'absoluteYearly', interval: 1, month: 2, dayOfMonth: 29 }, range });
    expect(feb29).toBe('RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1');
  });

  it('endDate becomes UNTIL at the end of that date in the event zone (exact), or a DATE', () => {
    const r: GraphPatternedRecurrence = {
      pattern: { type: 'daily', interval: 1 },
      range: { type: 'endDate', startDate: '2024-01-01', endDate: '2024-01-31' },
    };
    expect(graphRecurrenceToRrule(r, { dateTime: '2024-01-01T09:00', timeZone: NY })).toBe('RRULE:FREQ=DAILY;UNTIL=20240201T045959Z');
    expect(graphRecurrenceToRrule({ ...r, range: { ...r.range, recurrenceTimeZone: 'Europe/London' } })).toBe(
      'RRULE:FREQ=DAILY;UNTIL=20240131T235959Z',
    );
    expect(graphRecurrenceToRrule(r, { date: '2024-01-01' })).toBe('RRULE:FREQ=DAILY;UNTIL=20240131');
    expect(graphRecurrenceToRrule(r)).toBe('RRULE:FREQ=DAILY;UNTIL=20240131');
    expect(graphRecurrenceToRrule({ ...r, range: { type: 'numbered', startDate: '2024-01-01', numberOfOccurrences: 5 } })).toBe(
      'RRULE:FREQ=DAILY;COUNT=5',
    );
  });

  it.each([
    [{ pattern: { type: 'hourly', interval: 1 }, range }, 'recurrence.pattern.type'],
    [{ pattern: { type: 'daily', interval: 0 }, range }, 'recurrence.pattern.interval'],
    [{ pattern: { type: 'weekly', interval: 1 }, range }, 'recurrence.pattern.daysOfWeek'],
    [{ pattern: { type: 'weekly', interval: 1, daysOfWeek: ['funday'] }, range }, 'recurrence.pattern.daysOfWeek'],
    [{ pattern: { type: 'weekly', interval: 1, daysOfWeek: ['constructor'] }, range }, 'recurrence.pattern.daysOfWeek'],
    [
      { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'toString' }, range },
      'recurrence.pattern.firstDayOfWeek',
    ],
    [
      { pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['monday'], index: 'constructor' }, range },
      'recurrence.pattern.index',
    ],
    [{ pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 32 }, range }, 'recurrence.pattern.dayOfMonth'],
    [{ pattern: { type: 'absoluteYearly', interval: 1, month: 4, dayOfMonth: 31 }, range }, 'recurrence.pattern.dayOfMonth'],
    [{ pattern: { type: 'absoluteYearly', interval: 1, month: 13, dayOfMonth: 1 }, range }, 'recurrence.pattern.month'],
    [{ pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['monday'], index: 'fifth' }, range }, 'recurrence.pattern.index'],
    [{ pattern: { type: 'daily', interval: 1 }, range: { type: 'endDate', startDate: '2024-01-01' } }, 'recurrence.range.endDate'],
    [
      { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', startDate: '2024-01-01' } },
      'recurrence.range.numberOfOccurrences',
    ],
    [{ pattern: { type: 'daily', interval: 1 }, range: { type: 'forever', startDate: '2024-01-01' } }, 'recurrence.range.type'],
    [{ range }, 'recurrence.pattern'],
    [{ pattern: { type: 'daily', interval: 1 }, range: { type: 'noEnd', startDate: '2024-02-30' } }, 'recurrence.range.startDate'],
    [
      { pattern: { type: 'daily', interval: 1 }, range: { type: 'endDate', startDate: '2024-02-01', endDate: '2024-01-31' } },
      'recurrence.range.endDate',
    ],
    [null, 'recurrence'],
  ])('rejects %j naming %s', (recurrence, field) => {
    try {
      graphRecurrenceToRrule(recurrence as never);
      expect.unreachable();
    } catch (err) {
      expect(isIntegrationError(err) && err.code).toBe('invalid_input');
      expect(isIntegrationError(err) && err.details?.field).toBe(field);
    }
  });
});

const DAY_NAMES: GraphDayOfWeek[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const INDEXES: GraphWeekIndex[] = ['first', 'second', 'third', 'fourth', 'last'];
const days = fc.uniqueArray(fc.constantFrom(...DAY_NAMES), { minLength: 1, maxLength: 4 });
const interval = fc.integer({ min: 1, max: 4 });
const patternArb: fc.Arbitrary<GraphPatternedRecurrence['pattern']> = fc.oneof(
  fc.record({ type: fc.constant('daily' as const), interval }),
  fc.record({ type: fc.constant('weekly' as const), interval, daysOfWeek: days, firstDayOfWeek: fc.constantFrom(...DAY_NAMES) }),
  fc.record({ type: fc.constant('absoluteMonthly' as const), interval, dayOfMonth: fc.integer({ min: 1, max: 31 }) }),
  fc.record({ type: fc.constant('relativeMonthly' as const), interval, daysOfWeek: days, index: fc.constantFrom(...INDEXES) }),
  fc.integer({ min: 1, max: 12 }).chain((month) =>
    fc.record({
      type: fc.constant('absoluteYearly' as const),
      interval,
      month: fc.constant(month),
      dayOfMonth: fc.integer({ min: 1, max: [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]! }),
    }),
  ),
  fc.record({
    type: fc.constant('relativeYearly' as const),
    interval,
    month: fc.integer({ min: 1, max: 12 }),
    daysOfWeek: days,
    index: fc.constantFrom(...INDEXES),
  }),
);
const startArb = fc.record({
  y: fc.integer({ min: 2015, max: 2030 }),
  d: fc.integer({ min: 0, max: 364 }),
  h: fc.integer({ min: 0, max: 23 }),
});
const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

describe('round trips (property)', () => {
  it('every Graph pattern → RRULE → Graph is the identity', () => {
    fc.assert(
      fc.property(
        patternArb,
        startArb,
        fc.constantFrom('noEnd', 'numbered', 'endDate'),
        fc.integer({ min: 1, max: 900 }),
        fc.boolean(),
        (pattern, s, rangeType, n, allDay) => {
          const startDay = Date.UTC(s.y, 0, 1 + s.d);
          const seriesStart: SeriesStart = allDay
            ? { date: ymd(startDay) }
            : { dateTime: `${ymd(startDay)}T${String(s.h).padStart(2, '0')}:30:00`, timeZone: NY };
          const range: GraphPatternedRecurrence['range'] = { type: rangeType, startDate: ymd(startDay) };
          if (rangeType === 'numbered') range.numberOfOccurrences = n;
          if (rangeType === 'endDate') range.endDate = ymd(startDay + n * 86_400_000);
          if (!allDay) range.recurrenceTimeZone = NY;
          const graph: GraphPatternedRecurrence = { pattern, range };
          const back = rruleToGraphRecurrence(graphRecurrenceToRrule(graph, seriesStart), seriesStart);
          expect(back).toEqual(graph);
        },
      ),
      { numRuns: 400, seed: 42 },
    );
  });

  const W = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
  const expressibleRrule = fc.oneof(
    fc.record({ i: interval }).map(({ i }) => `FREQ=DAILY;INTERVAL=${i}`),
    fc.uniqueArray(fc.constantFrom(...W), { minLength: 1, maxLength: 5 }).map((d) => `FREQ=DAILY;BYDAY=${d.join(',')}`),
    fc
      .record({ i: interval, d: fc.uniqueArray(fc.constantFrom(...W), { minLength: 1, maxLength: 3 }), w: fc.constantFrom(...W) })
      .map(({ i, d, w }) => `FREQ=WEEKLY;INTERVAL=${i};BYDAY=${d.join(',')};WKST=${w}`),
    fc
      .record({ i: interval, d: fc.oneof(fc.integer({ min: 1, max: 28 }), fc.constant(-1)) })
      .map(({ i, d }) => `FREQ=MONTHLY;INTERVAL=${i};BYMONTHDAY=${d}`),
    fc
      .record({ i: interval, n: fc.constantFrom(1, 2, 3, 4, -1), d: fc.constantFrom(...W) })
      .map(({ i, n, d }) => `FREQ=MONTHLY;INTERVAL=${i};BYDAY=${n}${d}`),
    fc
      .record({ i: interval, n: fc.constantFrom(1, 2, 3, 4, -1), d: fc.uniqueArray(fc.constantFrom(...W), { minLength: 1, maxLength: 5 }) })
      .map(({ i, n, d }) => `FREQ=MONTHLY;INTERVAL=${i};BYDAY=${d.join(',')};BYSETPOS=${n}`),
    fc
      .record({ i: interval, m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
      .map(({ i, m, d }) => `FREQ=YEARLY;INTERVAL=${i};BYMONTH=${m};BYMONTHDAY=${d}`),
    fc
      .record({ i: interval, m: fc.integer({ min: 1, max: 12 }), n: fc.constantFrom(1, 2, 3, 4, -1), d: fc.constantFrom(...W) })
      .map(({ i, m, n, d }) => `FREQ=YEARLY;INTERVAL=${i};BYMONTH=${m};BYDAY=${n}${d}`),
  );

  it('every expressible RRULE → Graph → RRULE expands to the same occurrences', () => {
    fc.assert(
      fc.property(
        expressibleRrule,
        startArb,
        fc.constantFrom('', ';COUNT=7', ';UNTIL=20310615T120000Z', ';UNTIL=20291231T235959Z'),
        (rule, s, end) => {
          const startDay = Date.UTC(s.y, 0, 1 + s.d);
          const seriesStart = { dateTime: `${ymd(startDay)}T${String(s.h).padStart(2, '0')}:15:00`, timeZone: NY };
          const rrule = `RRULE:${rule}${end}`;
          const window = { from: `${s.y}-01-01T00:00:00Z`, to: `${s.y + 6}-01-01T00:00:00Z` };
          let graph: GraphPatternedRecurrence;
          try {
            graph = rruleToGraphRecurrence(rrule, seriesStart);
          } catch (err) {
            // Only an UNTIL before the start is refused, and then the RRULE really has no occurrence.
            expect(isIntegrationError(err) && err.code).toBe('invalid_input');
            expect(expandRecurrence({ rrule, start: seriesStart }, window)).toEqual([]);
            return;
          }
          const back = graphRecurrenceToRrule(graph, seriesStart);
          expect(expandRecurrence({ rrule: back, start: seriesStart }, window, { limit: 300 })).toEqual(
            expandRecurrence({ rrule, start: seriesStart }, window, { limit: 300 }),
          );
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});
