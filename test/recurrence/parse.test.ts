import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { parseRecurrenceLines, parseRrule, serializeRrule, toGoogleRecurrence } from '../../src/recurrence/index.js';
import { RRule } from '../../src/recurrence/rrule-lib.js';

function errorOf(fn: () => unknown): { code?: string; message: string; part?: unknown } {
  try {
    fn();
  } catch (err) {
    if (!isIntegrationError(err)) return { message: `not an IntegrationError: ${String(err)}` };
    return { code: err.code, message: err.message, part: err.details?.part };
  }
  return { message: 'did not throw' };
}

describe('parseRrule / serializeRrule', () => {
  it('parses Google recurrence[] items and bare rules alike', () => {
    expect(parseRrule('RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20240131T235959Z')).toEqual({
      freq: 'WEEKLY',
      byDay: [{ weekday: 'MO' }, { weekday: 'WE' }, { weekday: 'FR' }],
      until: '20240131T235959Z',
    });
    expect(parseRrule('freq=monthly;byday=-1fr;interval=2')).toEqual({ freq: 'MONTHLY', byDay: [{ weekday: 'FR', n: -1 }], interval: 2 });
    expect(parseRrule('FREQ=YEARLY;BYWEEKNO=20,-1;BYDAY=MO;WKST=SU;X-GOOGLE-THING=1')).toMatchObject({ byWeekNo: [20, -1], wkst: 'SU' });
  });

  it('serializes canonically and round-trips', () => {
    const rules = [
      'RRULE:FREQ=DAILY',
      'RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=8;BYDAY=TU,TH;WKST=SU',
      'RRULE:FREQ=MONTHLY;BYSETPOS=-2;BYDAY=MO,TU,WE,TH,FR',
      'RRULE:FREQ=YEARLY;UNTIL=20301231;BYMONTH=11;BYMONTHDAY=2,3,4,5,6,7,8;BYDAY=TU',
      'RRULE:FREQ=DAILY;BYHOUR=9,10;BYMINUTE=0,20,40',
    ];
    for (const r of rules) expect(serializeRrule(parseRrule(r))).toBe(r);
    expect(serializeRrule(parseRrule('BYDAY=MO;FREQ=WEEKLY;INTERVAL=1'))).toBe('RRULE:FREQ=WEEKLY;BYDAY=MO');
  });

  it.each([
    ['FREQ=WEEKLY;BYDAY=XX', 'BYDAY'],
    ['FREQ=FORTNIGHTLY', 'FREQ'],
    ['BYDAY=MO', 'FREQ'],
    ['', 'FREQ'],
    ['FREQ=DAILY;INTERVAL=0', 'INTERVAL'],
    ['FREQ=DAILY;INTERVAL=-1', 'INTERVAL'],
    ['FREQ=DAILY;COUNT=abc', 'COUNT'],
    ['FREQ=DAILY;COUNT=3;UNTIL=20240101', 'COUNT'],
    ['FREQ=DAILY;UNTIL=2024-01-01', 'UNTIL'],
    ['FREQ=MONTHLY;BYMONTHDAY=0', 'BYMONTHDAY'],
    ['FREQ=MONTHLY;BYMONTHDAY=32', 'BYMONTHDAY'],
    ['FREQ=YEARLY;BYMONTH=13', 'BYMONTH'],
    ['FREQ=MONTHLY;BYWEEKNO=3', 'BYWEEKNO'],
    ['FREQ=MONTHLY;BYYEARDAY=3', 'BYYEARDAY'],
    ['FREQ=WEEKLY;BYMONTHDAY=3', 'BYMONTHDAY'],
    ['FREQ=WEEKLY;BYDAY=2MO', 'BYDAY'],
    ['FREQ=MONTHLY;BYDAY=0MO', 'BYDAY'],
    ['FREQ=MONTHLY;BYSETPOS=1', 'BYSETPOS'],
    ['FREQ=DAILY;BYHOUR=24', 'BYHOUR'],
    ['FREQ=DAILY;FREQ=WEEKLY', 'FREQ'],
    ['FREQ=DAILY;WKST=XX', 'WKST'],
    ['FREQ=DAILY;COLOR=blue', 'COLOR'],
    ['FREQ=DAILY;;', '(empty part)'],
    ['FREQ=DAILY;BYDAY=', 'BYDAY'],
  ])('%j → invalid_input naming %s', (rule, part) => {
    const e = errorOf(() => parseRrule(rule));
    expect(e.code).toBe('invalid_input');
    expect(e.part).toBe(part);
    expect(e.message).toContain(part);
  });

  it('RFC 7529 RSCALE is unsupported, not misread', () => {
    expect(errorOf(() => parseRrule('FREQ=YEARLY;RSCALE=HEBREW')).code).toBe('unsupported');
  });

  it('rejects non-strings without crashing', () => {
    expect(errorOf(() => parseRrule(42 as unknown as string)).code).toBe('invalid_input');
  });
});

describe('Google recurrence[]', () => {
  it('strips the DTSTART that rrule toString() adds', () => {
    const rr = new RRule({ freq: RRule.WEEKLY, byweekday: [RRule.MO], dtstart: new Date(Date.UTC(2024, 0, 1, 9)) });
    expect(rr.toString()).toMatch(/^DTSTART:/);
    expect(toGoogleRecurrence(rr.toString())).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=MO']);
    expect(
      toGoogleRecurrence(['DTSTART;TZID=America/New_York:20240101T090000', 'RRULE:FREQ=DAILY;COUNT=3', 'EXDATE:20240102T140000Z']),
    ).toEqual(['RRULE:FREQ=DAILY;COUNT=3', 'EXDATE:20240102T140000Z']);
  });

  it('splits lines by kind and refuses what it cannot represent', () => {
    expect(parseRecurrenceLines('RRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20240102\r\nRDATE:20240105T090000Z')).toEqual({
      rrule: 'RRULE:FREQ=DAILY',
      exdates: ['EXDATE;VALUE=DATE:20240102'],
      rdates: ['RDATE:20240105T090000Z'],
    });
    expect(errorOf(() => parseRecurrenceLines(['RRULE:FREQ=DAILY', 'RRULE:FREQ=WEEKLY'])).code).toBe('unsupported');
    expect(errorOf(() => parseRecurrenceLines(['RRULE:FREQ=DAILY', 'EXRULE:FREQ=WEEKLY'])).code).toBe('unsupported');
    expect(errorOf(() => parseRecurrenceLines(['EXDATE:20240102T140000Z'])).code).toBe('invalid_input');
    expect(errorOf(() => parseRecurrenceLines(['RRULE:FREQ=DAILY', 'SUMMARY:x'])).code).toBe('invalid_input');
  });
});

describe('EXDATE / RDATE lines', () => {
  it('parse into plain values and format back unchanged', async () => {
    const { formatDateLines, parseDateLine } = await import('../../src/recurrence/index.js');
    const lines = [
      'EXDATE;TZID=America/New_York:20240108T090000,20240115T090000',
      'EXDATE:20240108T140000Z',
      'EXDATE;VALUE=DATE:20240108,20240109',
      'RDATE:20240108T090000',
    ];
    for (const line of lines) {
      const parsed = parseDateLine(line);
      expect(formatDateLines(parsed.kind, parsed.values)).toEqual([line]);
    }
    expect(parseDateLine('EXDATE;TZID=Asia/Calcutta:20240108T090000').values).toEqual([
      { dateTime: '2024-01-08T09:00:00', timeZone: 'Asia/Kolkata' },
    ]);
    expect(parseDateLine('exdate:20240108T140000Z')).toEqual({
      kind: 'EXDATE',
      values: [{ dateTime: '2024-01-08T14:00:00', timeZone: 'UTC' }],
    });
    // One line per zone, as Google expects.
    expect(
      formatDateLines('EXDATE', [
        { dateTime: '2024-01-08T09:00:00', timeZone: 'America/New_York' },
        { dateTime: '2024-01-09T09:00:00', timeZone: 'Europe/London' },
        { dateTime: '2024-01-10T09:00:00.000', timeZone: 'America/New_York' },
      ]),
    ).toEqual(['EXDATE;TZID=America/New_York:20240108T090000,20240110T090000', 'EXDATE;TZID=Europe/London:20240109T090000']);
  });

  it('rejects malformed lines and values', async () => {
    const { formatDateLines, parseDateLine } = await import('../../src/recurrence/index.js');
    expect(errorOf(() => parseDateLine('EXDATE:2024')).code).toBe('invalid_input');
    expect(errorOf(() => parseDateLine('EXDATE:20240230')).code).toBe('invalid_input');
    expect(errorOf(() => parseDateLine('EXDATE;TZID=EST5EDT:20240108T090000')).code).toBe('invalid_input');
    expect(errorOf(() => parseDateLine('DTSTART:20240108T090000')).code).toBe('invalid_input');
    expect(errorOf(() => parseDateLine('RDATE;VALUE=PERIOD:20240108T090000Z/PT1H')).code).toBe('unsupported');
    expect(errorOf(() => formatDateLines('EXDATE', [{ date: '2024-02-30' }])).code).toBe('invalid_input');
    expect(errorOf(() => formatDateLines('EXDATE', [{ dateTime: '2024-01-08T09:00', timeZone: 'Nowhere/Zone' }])).code).toBe(
      'invalid_input',
    );
    expect(formatDateLines('EXDATE', [])).toEqual([]);
  });
});
