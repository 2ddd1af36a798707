/**
 * Provider shapes of a modified or cancelled instance → `InstanceOverride`, so one expansion handles
 * Google (`recurringEventId` + `originalStartTime`), Graph (`seriesMasterId` + `type: 'exception'`,
 * `originalStart`) and CalDAV (`RECURRENCE-ID` in a VEVENT of the same UID).
 */
import { IntegrationError } from '../core/errors.js';
import { windowsToIana } from '../time/windows.js';
import { basicToIso } from './dates.js';
import type { InstanceOverride, SeriesStart } from './types.js';

function invalid(field: string, why: string): never {
  throw new IntegrationError('invalid_input', `${field} ${why}`, { details: { field } });
}

/** A Google Calendar `start` / `end` / `originalStartTime`: a `dateTime` (with its `timeZone`) or an all-day `date`. */
export interface GoogleTime {
  dateTime?: string;
  date?: string;
  timeZone?: string;
}

function fromGoogleTime(t: GoogleTime | undefined, fallbackZone: string | undefined, field: string): SeriesStart {
  if (!t || typeof t !== 'object') invalid(field, 'is required');
  if (typeof t.date === 'string') return { date: t.date };
  if (typeof t.dateTime !== 'string') invalid(field, 'needs dateTime or date');
  const zone = t.timeZone ?? fallbackZone;
  // Google's dateTime carries an offset, so UTC is a faithful zone when none is given.
  if (zone === undefined && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(t.dateTime)) invalid(field, 'has neither timeZone nor a UTC offset');
  return { dateTime: t.dateTime, timeZone: zone ?? 'UTC' };
}

/**
 * A Google Calendar instance (from `events.instances` or an incremental sync) as an override.
 *
 * @example
 * const overrides = instances.map((instance) => overrideFromGoogle(instance));
 * expandRecurrence({ rrule, start, overrides }, window);
 */
export function overrideFromGoogle<T = unknown>(
  instance: { status?: string; originalStartTime?: GoogleTime; start?: GoogleTime },
  data?: T,
): InstanceOverride<T> {
  if (!instance || typeof instance !== 'object') invalid('instance', 'must be an object');
  const originalStart = fromGoogleTime(instance.originalStartTime, undefined, 'originalStartTime');
  const zone = 'timeZone' in originalStart ? originalStart.timeZone : undefined;
  const base = data === undefined ? {} : { data };
  if (instance.status === 'cancelled') return { originalStart, cancelled: true, ...base };
  return { originalStart, start: fromGoogleTime(instance.start, zone, 'start'), ...base };
}

/**
 * A Graph event of `type: 'exception'` as an override (`isCancelled` removes the occurrence).
 * Returns undefined for `type: 'occurrence'`, which is an unmodified instance. Graph's `start.timeZone`
 * may be a Windows name; it is mapped to IANA.
 *
 * @example
 * overrideFromGraph({ type: 'exception', originalStart: '2026-03-10T18:00:00Z', start: { dateTime: '2026-03-10T19:00:00.0000000', timeZone: 'GMT Standard Time' } });
 * // { originalStart: '2026-03-10T18:00:00Z', start: { dateTime: '2026-03-10T19:00:00.000', timeZone: 'Europe/London' } }
 */
export function overrideFromGraph<T = unknown>(
  event: {
    type?: string;
    originalStart?: string;
    isCancelled?: boolean;
    isAllDay?: boolean;
    start?: { dateTime: string; timeZone: string };
  },
  data?: T,
): InstanceOverride<T> | undefined {
  if (!event || typeof event !== 'object') invalid('event', 'must be an object');
  if (event.type === 'occurrence') return undefined;
  if (event.type !== undefined && event.type !== 'exception')
    invalid('event.type', `is ${JSON.stringify(event.type)}, not an instance of a series`);
  if (typeof event.originalStart !== 'string') invalid('event.originalStart', 'is required (an ISO-8601 instant)');
  const base = data === undefined ? {} : { data };
  if (event.isCancelled === true) return { originalStart: event.originalStart, cancelled: true, ...base };
  const start = event.start;
  if (!start || typeof start.dateTime !== 'string') invalid('event.start', 'is required');
  // Graph writes seven fractional digits; we keep milliseconds.
  const dateTime = start.dateTime.replace(/(\.\d{3})\d+$/, '$1');
  if (event.isAllDay === true) return { originalStart: event.originalStart, start: { date: dateTime.slice(0, 10) }, ...base };
  const timeZone = windowsToIana(start.timeZone) ?? start.timeZone;
  return { originalStart: event.originalStart, start: { dateTime, timeZone }, ...base };
}

/** `NAME;TZID=…:value`, `NAME:…Z` or `NAME;VALUE=DATE:…` → a series start value. */
function icalValue(line: string, name: string, seriesTimeZone: string | undefined): SeriesStart | string {
  const m = new RegExp(`^${name}((?:;[^:;]+)*):(\\d{8}(?:T\\d{6}Z?)?)$`, 'i').exec(line.trim());
  if (!m) invalid(name, `line ${JSON.stringify(line.slice(0, 60))} is not ${name}[;TZID=…]:YYYYMMDD[THHMMSS[Z]]`);
  const iso = basicToIso(m[2]!, name);
  if (iso.length === 10) return { date: iso };
  if (iso.endsWith('Z')) return iso;
  const tzid = /;TZID=("?)([^;:"]+)\1/i.exec(m[1] ?? '')?.[2] ?? seriesTimeZone;
  if (tzid === undefined) invalid(name, 'is a floating time: pass the series time zone');
  return { dateTime: iso, timeZone: tzid };
}

/**
 * A CalDAV override VEVENT (same UID as the master, with RECURRENCE-ID) as an override. Pass its
 * RECURRENCE-ID line, its DTSTART line and STATUS; floating values take `seriesTimeZone`.
 *
 * @example
 * overrideFromCaldav({ recurrenceId: 'RECURRENCE-ID;TZID=Europe/London:20260310T180000', status: 'CANCELLED' });
 * // { originalStart: { dateTime: '2026-03-10T18:00:00', timeZone: 'Europe/London' }, cancelled: true }
 */
export function overrideFromCaldav<T = unknown>(
  vevent: { recurrenceId: string; dtstart?: string; status?: string },
  options: { seriesTimeZone?: string; data?: T } = {},
): InstanceOverride<T> {
  if (!vevent || typeof vevent.recurrenceId !== 'string') invalid('recurrenceId', 'is required');
  const originalStart = icalValue(vevent.recurrenceId, 'RECURRENCE-ID', options.seriesTimeZone);
  const base = options.data === undefined ? {} : { data: options.data };
  if (vevent.status?.toUpperCase() === 'CANCELLED') return { originalStart, cancelled: true, ...base };
  if (vevent.dtstart === undefined) invalid('dtstart', 'is required unless STATUS is CANCELLED');
  const start = icalValue(vevent.dtstart, 'DTSTART', options.seriesTimeZone);
  return { originalStart, start: typeof start === 'string' ? { dateTime: start, timeZone: 'UTC' } : start, ...base };
}
