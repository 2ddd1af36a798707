import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import {
  expandRecurrence,
  type Occurrence,
  overrideFromCaldav,
  overrideFromGoogle,
  overrideFromGraph,
} from '../../src/recurrence/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isIntegrationError(err) ? err.code : `not an IntegrationError: ${String(err)}`;
  }
  return undefined;
}

const NY = 'America/New_York';
const starts = (list: Occurrence[]) => list.map((o) => ('date' in o.start ? o.start.date : o.start.dateTime));
const instants = (list: Occurrence[]) => list.map((o) => o.instant);

describe('expandRecurrence: wall clock across DST', () => {
  it('keeps 09:00 at 09:00 across both US transitions (the offset changes, the wall time does not)', () => {
    const out = expandRecurrence(
      { rrule: 'RRULE:FREQ=WEEKLY;BYDAY=SU', start: { dateTime: '2024-03-03T09:00:00', timeZone: NY } },
      { from: '2024-03-01T00:00:00Z', to: '2024-03-18T00:00:00Z' },
    );
    expect(out).toEqual([
      { start: { dateTime: '2024-03-03T09:00:00', timeZone: NY }, instant: '2024-03-03T09:00:00-05:00' },
      { start: { dateTime: '2024-03-10T09:00:00', timeZone: NY }, instant: '2024-03-10T09:00:00-04:00' },
      { start: { dateTime: '2024-03-17T09:00:00', timeZone: NY }, instant: '2024-03-17T09:00:00-04:00' },
    ]);
  });

  it('shifts 02:30 on the spring-forward day to 03:30 (RFC 5545 §3.3.5) and keeps 02:30 on other days', () => {
    const out = expandRecurrence(
      { rrule: 'FREQ=DAILY', start: { dateTime: '2024-03-08T02:30:00', timeZone: NY } },
      { from: '2024-03-09T00:00:00-05:00', to: '2024-03-12T00:00:00-04:00' },
    );
    expect(instants(out)).toEqual(['2024-03-09T02:30:00-05:00', '2024-03-10T03:30:00-04:00', '2024-03-11T02:30:00-04:00']);
    expect(starts(out)).toEqual(['2024-03-09T02:30:00', '2024-03-10T03:30:00', '2024-03-11T02:30:00']);
  });

  it('takes the first of the two 01:30s on the fall-back day', () => {
    const out = expandRecurrence(
      { rrule: 'FREQ=DAILY;COUNT=3', start: { dateTime: '2024-11-02T01:30:00', timeZone: NY } },
      { from: '2024-11-01T00:00:00Z', to: '2024-11-10T00:00:00Z' },
    );
    expect(instants(out)).toEqual(['2024-11-02T01:30:00-04:00', '2024-11-03T01:30:00-04:00', '2024-11-04T01:30:00-05:00']);
  });

  it('reads a start dateTime with an offset (as Google sends it) as the wall time in the event zone', () => {
    const out = expandRecurrence(
      { rrule: 'FREQ=DAILY;COUNT=2', start: { dateTime: '2024-03-09T14:00:00Z', timeZone: NY } },
      { from: '2024-03-01T00:00:00Z', to: '2024-04-01T00:00:00Z' },
    );
    expect(starts(out)).toEqual(['2024-03-09T09:00:00', '2024-03-10T09:00:00']);
  });

  it('returns the canonical zone for a legacy one', () => {
    const out = expandRecurrence(
      { rrule: 'FREQ=DAILY;COUNT=1', start: { dateTime: '2024-01-01T09:00', timeZone: 'Asia/Calcutta' } },
      {
        from: '2024-01-01T00:00:00Z',
        to: '2024-01-02T00:00:00Z',
      },
    );
    expect(out[0]).toEqual({ start: { dateTime: '2024-01-01T09:00:00', timeZone: 'Asia/Kolkata' }, instant: '2024-01-01T09:00:00+05:30' });
  });
});

describe('expandRecurrence: window, UNTIL, limit', () => {
  const series = { rrule: 'FREQ=DAILY', start: { dateTime: '2024-01-01T09:00:00', timeZone: NY } };

  it('is half-open [from, to)', () => {
    const out = expandRecurrence(series, { from: '2024-01-02T14:00:00Z', to: '2024-01-04T14:00:00Z' });
    expect(instants(out)).toEqual(['2024-01-02T09:00:00-05:00', '2024-01-03T09:00:00-05:00']);
  });

  it('compares a UTC UNTIL by instant and reads a DATE UNTIL as "through that local date"', () => {
    const w = { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' };
    expect(expandRecurrence({ ...series, rrule: 'FREQ=DAILY;UNTIL=20240103T140000Z' }, w)).toHaveLength(3);
    expect(expandRecurrence({ ...series, rrule: 'FREQ=DAILY;UNTIL=20240103T135959Z' }, w)).toHaveLength(2);
    expect(expandRecurrence({ ...series, rrule: 'FREQ=DAILY;UNTIL=20240103' }, w)).toHaveLength(3);
  });

  it('honours limit, and refuses (never truncates silently) more than 10,000 without one', () => {
    expect(expandRecurrence(series, { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, { limit: 5 })).toHaveLength(5);
    const minutely = { rrule: 'FREQ=MINUTELY', start: { dateTime: '2024-01-01T00:00:00', timeZone: 'UTC' } };
    expect(codeOf(() => expandRecurrence(minutely, { from: '2024-01-01T00:00:00Z', to: '2024-01-31T00:00:00Z' }))).toBe('invalid_input');
    expect(expandRecurrence(minutely, { from: '2024-01-01T00:00:00Z', to: '2024-01-31T00:00:00Z' }, { limit: 3 })).toHaveLength(3);
  });

  it('answers [] for a rule that can never match, without walking to year 9999', () => {
    const never = { rrule: 'FREQ=MONTHLY;BYDAY=2TU,TH', start: { dateTime: '2024-01-01T09:00', timeZone: NY } };
    expect(expandRecurrence(never, { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })).toEqual([]);
    const feb30 = { rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', start: { dateTime: '2024-01-01T09:00', timeZone: NY } };
    expect(expandRecurrence(feb30, { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })).toEqual([]);
  });

  it.each([
    [{ from: '2024-01-02', to: '2024-01-03T00:00:00Z' }, 'window.from'],
    [{ from: '2024-01-02T00:00:00', to: '2024-01-03T00:00:00Z' }, 'window.from'],
    [{ from: '2024-01-03T00:00:00Z', to: '2024-01-02T00:00:00Z' }, 'window.to'],
    [null, 'window'],
  ])('rejects window %j naming %s', (window, field) => {
    try {
      expandRecurrence(series, window as never);
      expect.unreachable();
    } catch (err) {
      expect(isIntegrationError(err) && err.code).toBe('invalid_input');
      expect(isIntegrationError(err) && err.details?.field).toBe(field);
    }
  });

  it.each([
    [{ rrule: 'FREQ=DAILY;BYDAY=XX', start: { dateTime: '2024-01-01T09:00', timeZone: NY } }],
    [{ rrule: 'FREQ=DAILY', start: { dateTime: '2024-01-01T09:00', timeZone: 'EST5EDT' } }],
    [{ rrule: 'FREQ=DAILY', start: { dateTime: '2024-13-01T09:00', timeZone: NY } }],
    [{ rrule: 'FREQ=DAILY', start: {} }],
    [{ rrule: 'FREQ=HOURLY', start: { date: '2024-01-01' } }],
    [{ rrule: 'FREQ=HOURLY;INTERVAL=2;BYHOUR=11', start: { dateTime: '2024-01-01T14:00', timeZone: NY } }],
    [{ rrule: 'FREQ=DAILY', start: { dateTime: '2024-01-01T09:00', timeZone: NY }, exdates: ['EXDATE;TZID=Nowhere/Zone:20240102T090000'] }],
    [{ rrule: 'FREQ=DAILY', start: { dateTime: '2024-01-01T09:00', timeZone: NY }, exdates: ['2024-01-02'] }],
    [{ rrule: 'FREQ=DAILY', start: { dateTime: '2024-01-01T09:00', timeZone: NY }, rdates: ['RDATE:2024'] }],
  ])('rejects bad series %j with invalid_input', (bad) => {
    expect(codeOf(() => expandRecurrence(bad as never, { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' }))).toBe(
      'invalid_input',
    );
  });

  it('rejects a bad limit', () => {
    expect(expandRecurrence(series, { from: '2024-01-01T00:00:00Z', to: '2024-01-03T00:00:00Z' }, null as never)).toHaveLength(2);
    for (const limit of [0, -1, 1.5])
      expect(codeOf(() => expandRecurrence(series, { from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' }, { limit }))).toBe(
        'invalid_input',
      );
  });
});

describe('expandRecurrence: EXDATE and RDATE', () => {
  const base = { rrule: 'RRULE:FREQ=DAILY;COUNT=5', start: { dateTime: '2024-01-01T09:00:00', timeZone: NY } };
  const w = { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' };

  it('applies EXDATE in every form Google and CalDAV send', () => {
    const out = expandRecurrence(
      {
        ...base,
        exdates: ['EXDATE;TZID=America/New_York:20240102T090000,20240103T090000', 'EXDATE:20240104T140000Z', '2024-01-05T09:00:00'],
      },
      w,
    );
    expect(starts(out)).toEqual(['2024-01-01T09:00:00']);
  });

  it('adds RDATEs (also outside the rule), without duplicating one the rule already makes', () => {
    const out = expandRecurrence({ ...base, rdates: ['RDATE;TZID=America/New_York:20240110T120000', 'RDATE:20240101T140000Z'] }, w);
    expect(starts(out)).toEqual([
      '2024-01-01T09:00:00',
      '2024-01-02T09:00:00',
      '2024-01-03T09:00:00',
      '2024-01-04T09:00:00',
      '2024-01-05T09:00:00',
      '2024-01-10T12:00:00',
    ]);
  });

  it('takes the recurrence as a multi-line block (rrule toString output)', () => {
    const out = expandRecurrence(
      { rrule: 'DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20240102T140000Z', start: base.start },
      w,
    );
    expect(starts(out)).toEqual(['2024-01-01T09:00:00', '2024-01-03T09:00:00']);
  });

  it('refuses RDATE periods', () => {
    expect(codeOf(() => expandRecurrence({ ...base, rdates: ['RDATE;VALUE=PERIOD:20240101T090000Z/PT1H'] }, w))).toBe('unsupported');
  });
});

describe('expandRecurrence: all-day series', () => {
  it('yields dates, never instants, and keeps them across DST', () => {
    const out = expandRecurrence(
      { rrule: 'RRULE:FREQ=WEEKLY;BYDAY=SU', start: { date: '2024-03-03' }, exdates: ['EXDATE;VALUE=DATE:20240317'] },
      { from: '2024-03-01T00:00:00-05:00', to: '2024-04-01T00:00:00-04:00' },
    );
    expect(out).toEqual([
      { start: { date: '2024-03-03' } },
      { start: { date: '2024-03-10' } },
      { start: { date: '2024-03-24' } },
      { start: { date: '2024-03-31' } },
    ]);
    expect(out.every((o) => o.instant === undefined)).toBe(true);
  });

  it('reads the window in its own offsets: a March window in New York is the dates of March', () => {
    const out = expandRecurrence(
      { rrule: 'FREQ=DAILY', start: { date: '2024-01-01' } },
      { from: '2024-03-01T00:00:00-05:00', to: '2024-04-01T00:00:00-04:00' },
    );
    expect(out).toHaveLength(31);
    expect(out[0]?.start).toEqual({ date: '2024-03-01' });
    expect(out[30]?.start).toEqual({ date: '2024-03-31' });
  });

  it('matches a date-time EXDATE by its written date, before 1970 too', () => {
    const out = expandRecurrence(
      { rrule: 'FREQ=DAILY;COUNT=3', start: { date: '1969-12-30' }, exdates: ['EXDATE;TZID=America/New_York:19691231T190000'] },
      { from: '1969-12-01T00:00:00Z', to: '1970-02-01T00:00:00Z' },
    );
    expect(starts(out)).toEqual(['1969-12-30', '1970-01-01']);
  });

  it('monthly on the 31st skips short months (RFC), with a DATE UNTIL inclusive', () => {
    const out = expandRecurrence(
      { rrule: 'FREQ=MONTHLY;UNTIL=20240731', start: { date: '2024-01-31' } },
      { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' },
    );
    expect(starts(out)).toEqual(['2024-01-31', '2024-03-31', '2024-05-31', '2024-07-31']);
  });
});

describe('expandRecurrence: instance overrides', () => {
  const series = { rrule: 'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4', start: { dateTime: '2024-01-01T09:00:00', timeZone: NY } };
  const w = { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' };

  it('Google: a moved instance replaces its occurrence, a cancelled one removes it', () => {
    const moved = overrideFromGoogle(
      {
        status: 'confirmed',
        originalStartTime: { dateTime: '2024-01-08T09:00:00-05:00', timeZone: NY },
        start: { dateTime: '2024-01-09T15:00:00-05:00', timeZone: NY },
      },
      { id: 'evt_20240108' },
    );
    const cancelled = overrideFromGoogle({ status: 'cancelled', originalStartTime: { dateTime: '2024-01-15T14:00:00Z' } });
    const out = expandRecurrence({ ...series, overrides: [moved, cancelled] }, w);
    expect(starts(out)).toEqual(['2024-01-01T09:00:00', '2024-01-09T15:00:00', '2024-01-22T09:00:00']);
    expect(out[1]).toMatchObject({
      instant: '2024-01-09T15:00:00-05:00',
      originalStart: { dateTime: '2024-01-08T09:00:00', timeZone: NY },
      override: { data: { id: 'evt_20240108' } },
    });
  });

  it('Graph: an exception (Windows zone name) replaces, isCancelled removes, an occurrence is no override', () => {
    const exception = overrideFromGraph({
      type: 'exception',
      originalStart: '2024-01-08T14:00:00Z',
      start: { dateTime: '2024-01-08T11:00:00.0000000', timeZone: 'Eastern Standard Time' },
    });
    const cancelled = overrideFromGraph({ type: 'exception', originalStart: '2024-01-22T14:00:00Z', isCancelled: true });
    expect(overrideFromGraph({ type: 'occurrence', originalStart: '2024-01-15T14:00:00Z' })).toBeUndefined();
    const out = expandRecurrence({ ...series, overrides: [exception!, cancelled!] }, w);
    expect(starts(out)).toEqual(['2024-01-01T09:00:00', '2024-01-08T11:00:00', '2024-01-15T09:00:00']);
    expect(out[1]?.start).toEqual({ dateTime: '2024-01-08T11:00:00', timeZone: NY });
  });

  it('CalDAV: RECURRENCE-ID with TZID, UTC or floating', () => {
    const moved = overrideFromCaldav({
      recurrenceId: 'RECURRENCE-ID;TZID=America/New_York:20240108T090000',
      dtstart: 'DTSTART;TZID=America/New_York:20240108T100000',
    });
    const cancelled = overrideFromCaldav({ recurrenceId: 'RECURRENCE-ID:20240115T140000Z', status: 'CANCELLED' });
    const floating = overrideFromCaldav(
      { recurrenceId: 'RECURRENCE-ID:20240122T090000', dtstart: 'DTSTART:20240122T080000' },
      { seriesTimeZone: NY },
    );
    const out = expandRecurrence({ ...series, overrides: [moved, cancelled, floating] }, w);
    expect(starts(out)).toEqual(['2024-01-01T09:00:00', '2024-01-08T10:00:00', '2024-01-22T08:00:00']);
  });

  it('a moved instance leaves the window with its new start, and enters it the same way', () => {
    const out = expandRecurrence(
      {
        ...series,
        overrides: [
          { originalStart: { dateTime: '2024-01-08T09:00', timeZone: NY }, start: { dateTime: '2024-03-01T09:00', timeZone: NY } },
          { originalStart: { dateTime: '2024-02-05T09:00', timeZone: NY }, start: { dateTime: '2024-01-31T09:00', timeZone: NY } },
        ],
      },
      w,
    );
    expect(starts(out)).toEqual(['2024-01-01T09:00:00', '2024-01-15T09:00:00', '2024-01-22T09:00:00', '2024-01-31T09:00:00']);
  });

  it('all-day overrides match by date', () => {
    const out = expandRecurrence(
      {
        rrule: 'FREQ=DAILY;COUNT=3',
        start: { date: '2024-01-01' },
        overrides: [{ originalStart: { date: '2024-01-02' }, cancelled: true }],
      },
      w,
    );
    expect(starts(out)).toEqual(['2024-01-01', '2024-01-03']);
  });

  it('rejects malformed overrides with invalid_input', () => {
    const bad = [
      [{ originalStart: { date: '2024-01-08' }, cancelled: true }],
      [{ originalStart: '2024-01-08T09:00:00', cancelled: true }],
      [{ originalStart: { dateTime: '2024-01-08T09:00', timeZone: NY } }],
      'nope',
    ];
    for (const overrides of bad) expect(codeOf(() => expandRecurrence({ ...series, overrides } as never, w))).toBe('invalid_input');
    expect(codeOf(() => overrideFromGoogle({ originalStartTime: { dateTime: '2024-01-08T09:00:00' } }))).toBe('invalid_input');
    expect(codeOf(() => overrideFromGraph({ type: 'seriesMaster', originalStart: 'x' }))).toBe('invalid_input');
    expect(codeOf(() => overrideFromCaldav({ recurrenceId: 'RECURRENCE-ID:20240122T090000' }))).toBe('invalid_input');
    expect(codeOf(() => overrideFromCaldav({ recurrenceId: 'garbage' }))).toBe('invalid_input');
  });
});

describe('expandRecurrence: DST policy for occurrences', () => {
  const spring = { rrule: 'FREQ=DAILY', start: { dateTime: '2024-03-09T02:30:00', timeZone: NY } };
  const springWindow = { from: '2024-03-10T00:00:00-05:00', to: '2024-03-11T00:00:00-04:00' };
  const fall = { rrule: 'FREQ=DAILY', start: { dateTime: '2024-11-02T01:30:00', timeZone: NY } };
  const fallWindow = { from: '2024-11-03T00:00:00-04:00', to: '2024-11-04T00:00:00-05:00' };

  it('02:30 on the spring-forward day: forward (default), backward, reject', () => {
    expect(instants(expandRecurrence(spring, springWindow))).toEqual(['2024-03-10T03:30:00-04:00']);
    expect(instants(expandRecurrence(spring, springWindow, { dst: { gap: 'forward' } }))).toEqual(['2024-03-10T03:30:00-04:00']);
    expect(instants(expandRecurrence(spring, springWindow, { dst: { gap: 'backward' } }))).toEqual(['2024-03-10T01:30:00-05:00']);
    expect(codeOf(() => expandRecurrence(spring, springWindow, { dst: { gap: 'reject' } }))).toBe('invalid_input');
    expect(() => expandRecurrence(spring, springWindow, { dst: { gap: 'reject' } })).toThrow(
      /2024-03-10T02:30:00 in America\/New_York does not exist/,
    );
  });

  it('01:30 on the fall-back day: earlier (default), later, reject', () => {
    expect(instants(expandRecurrence(fall, fallWindow))).toEqual(['2024-11-03T01:30:00-04:00']);
    expect(instants(expandRecurrence(fall, fallWindow, { dst: { overlap: 'later' } }))).toEqual(['2024-11-03T01:30:00-05:00']);
    expect(codeOf(() => expandRecurrence(fall, fallWindow, { dst: { overlap: 'reject' } }))).toBe('invalid_input');
  });

  it('reads EXDATE with the same policy, so the exception still matches its occurrence', () => {
    const series = { ...spring, exdates: ['EXDATE;TZID=America/New_York:20240310T023000'] };
    expect(expandRecurrence(series, springWindow, { dst: { gap: 'backward' } })).toEqual([]);
    expect(expandRecurrence(series, springWindow)).toEqual([]);
  });

  it('rejects an unknown policy', () => {
    expect(codeOf(() => expandRecurrence(spring, springWindow, { dst: { gap: 'sideways' } as never }))).toBe('invalid_input');
  });
});
