/**
 * EXDATE / RDATE values and other date-or-time inputs of a series, resolved against the series'
 * zone. Timed series compare by instant (an EXDATE written in UTC still removes the 09:00 New York
 * occurrence); all-day series compare by date.
 */
import { IntegrationError } from '../core/errors.js';
import { type DstPolicy, wallToEpoch } from '../time/instant.js';
import { MS_PER_MINUTE, parseDate, parseDateTime, startOfDay } from '../time/wall.js';
import { assertTimeZone } from '../time/zones.js';

/** The zone and kind of the series a value belongs to. */
export interface SeriesFrame {
  allDay: boolean;
  /** Canonical zone of a timed series. */
  zone: string;
  /** DST policy for wall times of a timed series (RFC 5545 default when absent). */
  dst?: DstPolicy;
}

const BASIC_RE = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/i;

/** `YYYYMMDD[THHMMSS[Z]]` (iCalendar basic form) to the ISO form our parsers take. */
export function basicToIso(value: string, field: string): string {
  const m = BASIC_RE.exec(value);
  if (!m)
    throw new IntegrationError('invalid_input', `${field} value ${JSON.stringify(value.slice(0, 40))} is not YYYYMMDD[THHMMSS[Z]]`, {
      details: { field },
    });
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  return m[4] === undefined ? date : `${date}T${m[4]}:${m[5]}:${m[6]}${m[7] ? 'Z' : ''}`;
}

/**
 * One value: ISO date, ISO local date-time (series zone), ISO instant, or iCalendar basic form with
 * an optional TZID. Returns epoch ms for timed series and fake-UTC midnight for all-day series.
 */
export function resolvePoint(iso: string, frame: SeriesFrame, field: string, tzid?: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    const date = parseDate(iso, field);
    if (frame.allDay) return date;
    // A DATE against a timed series: the occurrence on that date would need a time we do not have.
    throw new IntegrationError('invalid_input', `${field} ${iso} is a date but the series is timed; give the date-time of the occurrence`, {
      details: { field },
    });
  }
  const parsed = parseDateTime(iso, field);
  if (frame.allDay) {
    // An all-day series has no times; the value's own calendar date is the one meant.
    return startOfDay(parsed.wall);
  }
  if (parsed.offsetMinutes !== undefined) return parsed.wall - parsed.offsetMinutes * MS_PER_MINUTE;
  return wallToEpoch(parsed.wall, tzid === undefined ? frame.zone : assertTimeZone(tzid, `${field} TZID`), frame.dst);
}

/** Every value of EXDATE/RDATE lines (`EXDATE;TZID=…:a,b`, `EXDATE:…Z`, `RDATE;VALUE=DATE:…`) or plain ISO values. */
export function resolveDateList(lines: readonly string[] | undefined, frame: SeriesFrame, kind: 'EXDATE' | 'RDATE'): number[] {
  const field = kind === 'EXDATE' ? 'exdates' : 'rdates';
  if (lines === undefined) return [];
  if (!Array.isArray(lines)) throw new IntegrationError('invalid_input', `${field} must be an array of strings`, { details: { field } });
  const out: number[] = [];
  for (const line of lines) {
    if (typeof line !== 'string') throw new IntegrationError('invalid_input', `${field} must contain strings`, { details: { field } });
    const m = /^(EXDATE|RDATE)((?:;[^:;]+)*):(.+)$/i.exec(line.trim());
    if (!m) {
      for (const v of line.split(',')) out.push(resolvePoint(v.trim(), frame, field));
      continue;
    }
    if (m[1]!.toUpperCase() !== kind) {
      throw new IntegrationError('invalid_input', `${field} contains a ${m[1]!.toUpperCase()} line`, { details: { field } });
    }
    let tzid: string | undefined;
    for (const param of (m[2] ?? '').split(';').filter(Boolean)) {
      const [name, value = ''] = param.split('=');
      const key = name!.toUpperCase();
      if (key === 'TZID') tzid = value.replace(/^"|"$/g, '');
      else if (key === 'VALUE' && value.toUpperCase() === 'PERIOD') {
        throw new IntegrationError('unsupported', `${kind};VALUE=PERIOD is not supported`, { details: { field } });
      } else if (key === 'VALUE' && !['DATE', 'DATE-TIME'].includes(value.toUpperCase())) {
        throw new IntegrationError('invalid_input', `${kind} VALUE=${value} is not DATE or DATE-TIME`, { details: { field } });
      }
    }
    for (const v of m[3]!.split(',')) out.push(resolvePoint(basicToIso(v.trim(), field), frame, field, tzid));
  }
  return out;
}

/** One EXDATE/RDATE value as plain data: zoned, UTC (`timeZone: 'UTC'`), floating (no zone) or a date. */
export type DateLineValue = { dateTime: string; timeZone: string } | { dateTime: string } | { date: string };

/** A parsed EXDATE/RDATE line. */
export interface DateLine {
  kind: 'EXDATE' | 'RDATE';
  values: DateLineValue[];
}

/**
 * Parse one `EXDATE…` / `RDATE…` line into plain values (`EXDATE;TZID=America/New_York:20240108T090000,…`,
 * `EXDATE:20240108T140000Z`, `RDATE;VALUE=DATE:20240108`). Zones are validated and canonicalized.
 *
 * @example
 * parseDateLine('EXDATE;TZID=America/New_York:20260112T090000');
 * // { kind: 'EXDATE', values: [{ dateTime: '2026-01-12T09:00:00', timeZone: 'America/New_York' }] }
 */
export function parseDateLine(line: string): DateLine {
  const m = typeof line === 'string' ? /^(EXDATE|RDATE)((?:;[^:;]+)*):(.+)$/i.exec(line.trim()) : null;
  if (!m)
    throw new IntegrationError('invalid_input', `not an EXDATE or RDATE line: ${JSON.stringify(String(line).slice(0, 60))}`, {
      details: { field: 'line' },
    });
  const kind = m[1]!.toUpperCase() as DateLine['kind'];
  let tzid: string | undefined;
  let valueType = 'DATE-TIME';
  for (const param of (m[2] ?? '').split(';').filter(Boolean)) {
    const [name = '', value = ''] = param.split('=');
    if (name.toUpperCase() === 'TZID') tzid = assertTimeZone(value.replace(/^"|"$/g, ''), `${kind} TZID`);
    else if (name.toUpperCase() === 'VALUE') valueType = value.toUpperCase();
  }
  if (valueType === 'PERIOD')
    throw new IntegrationError('unsupported', `${kind};VALUE=PERIOD is not supported`, { details: { field: 'line' } });
  const values = m[3]!.split(',').map((raw): DateLineValue => {
    const iso = basicToIso(raw.trim(), kind);
    if (iso.length === 10) return { date: parseDateChecked(iso, kind) };
    parseDateTime(iso, kind); // validates the calendar fields
    if (iso.endsWith('Z')) return { dateTime: iso.slice(0, -1), timeZone: 'UTC' };
    return tzid === undefined ? { dateTime: iso } : { dateTime: iso, timeZone: tzid };
  });
  return { kind, values };
}

function parseDateChecked(iso: string, field: string): string {
  parseDate(iso, field);
  return iso;
}

const toBasic = (iso: string) => iso.replace(/[-:]/g, '').slice(0, 15);

/**
 * Format values as EXDATE/RDATE lines, one line per zone (as Google and CalDAV expect):
 * dates → `;VALUE=DATE:`, UTC → `…Z`, zoned → `;TZID=…:`, floating → bare. Never emits an empty line.
 *
 * @example
 * formatDateLines('EXDATE', [{ dateTime: '2026-01-12T09:00:00', timeZone: 'America/New_York' }, { date: '2026-02-02' }]);
 * // ['EXDATE;TZID=America/New_York:20260112T090000', 'EXDATE;VALUE=DATE:20260202']
 */
export function formatDateLines(kind: 'EXDATE' | 'RDATE', values: readonly DateLineValue[]): string[] {
  const groups = new Map<string, string[]>();
  const add = (key: string, value: string) => {
    const list = groups.get(key) ?? [];
    list.push(value);
    groups.set(key, list);
  };
  for (const v of values) {
    if ('date' in v) add(`${kind};VALUE=DATE`, parseDateChecked(v.date, kind).replace(/-/g, ''));
    else {
      const iso = `${v.dateTime}`.replace(/\.\d+$/, '');
      parseDateTime(iso, kind);
      if (!('timeZone' in v)) add(kind, toBasic(iso));
      else if (v.timeZone === 'UTC') add(kind, `${toBasic(iso)}Z`);
      else add(`${kind};TZID=${assertTimeZone(v.timeZone, `${kind} timeZone`)}`, toBasic(iso));
    }
  }
  return [...groups].map(([head, list]) => `${head}:${list.join(',')}`);
}
