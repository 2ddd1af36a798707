/**
 * All-day and floating values. An all-day event is a range of dates, never instants: "March 1" is
 * March 1 wherever the attendee is. switchyard keeps them as `{ date }` with an exclusive end, the
 * form Google (`end.date`) and iCalendar (`DTEND;VALUE=DATE`) use, and converts to Graph's
 * `isAllDay` form (midnight to midnight in a zone) only at the Graph boundary.
 */
import { IntegrationError } from '../core/errors.js';
import { type DstPolicy, formatInstantIn, type LocalDateTime, wallToEpoch } from './instant.js';
import { formatDate, formatWall, MS_PER_DAY, parseDate, parseDateTime } from './wall.js';
import { windowsToIana } from './windows.js';
import { assertTimeZone } from './zones.js';

/** An all-day value: a calendar date, `YYYY-MM-DD`. */
export interface AllDayDate {
  date: string;
}

/** A wall time with no zone (iCalendar "floating" time: 09:00 wherever the viewer is). */
export interface FloatingDateTime {
  dateTime: string;
}

/** A half-open date range `[start, end)`: a one-day event on March 1 ends on March 2. */
export interface AllDayRange {
  start: AllDayDate;
  end: AllDayDate;
}

/** Graph's all-day form: `isAllDay: true`, start and end at midnight in one zone. */
export interface GraphAllDayEvent {
  isAllDay: true;
  start: LocalDateTime;
  end: LocalDateTime;
}

/**
 * Add whole days to a date (`2024-02-28` + 1 → `2024-02-29`).
 *
 * @example
 * addDays('2024-02-28', 1); // '2024-02-29'
 */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new IntegrationError('invalid_input', 'days must be an integer', { details: { field: 'days' } });
  return formatDate(parseDate(date) + days * MS_PER_DAY);
}

/**
 * Build a checked all-day range. `end` defaults to the next day; an `end` that is not after `start`
 * throws `invalid_input` (a common bug is treating Google's exclusive `end.date` as inclusive).
 *
 * @example
 * allDayRange('2026-03-01'); // { start: { date: '2026-03-01' }, end: { date: '2026-03-02' } }
 */
export function allDayRange(start: string, end?: string): AllDayRange {
  const s = parseDate(start, 'start.date');
  const e = end === undefined ? s + MS_PER_DAY : parseDate(end, 'end.date');
  if (e <= s) {
    throw new IntegrationError(
      'invalid_input',
      `end.date ${end} must be after start.date ${start}: the end of an all-day range is exclusive`,
      {
        details: { field: 'end.date' },
      },
    );
  }
  return { start: { date: formatDate(s) }, end: { date: formatDate(e) } };
}

/**
 * Number of days in an all-day range (1 for a single-day event).
 *
 * @example
 * allDayLength(allDayRange('2026-03-01', '2026-03-04')); // 3
 */
export function allDayLength(range: AllDayRange): number {
  return Math.round((parseDate(range.end.date, 'end.date') - parseDate(range.start.date, 'start.date')) / MS_PER_DAY);
}

/**
 * Graph's `isAllDay` form: midnight-to-midnight in `timeZone`, with Graph's 7-digit fraction.
 *
 * @example
 * allDayToGraph(allDayRange('2026-03-01'), 'Europe/Berlin');
 * // { isAllDay: true, start: { dateTime: '2026-03-01T00:00:00.0000000', timeZone: 'Europe/Berlin' }, end: { dateTime: '2026-03-02T00:00:00.0000000', … } }
 */
export function allDayToGraph(range: AllDayRange, timeZone: string): GraphAllDayEvent {
  const checked = allDayRange(range.start.date, range.end.date);
  // Graph accepts Windows names as well as IANA ones: keep a Windows name as given, validate the rest.
  const zone = windowsToIana(timeZone) !== undefined ? timeZone : assertTimeZone(timeZone);
  return {
    isAllDay: true,
    start: { dateTime: `${checked.start.date}T00:00:00.0000000`, timeZone: zone },
    end: { dateTime: `${checked.end.date}T00:00:00.0000000`, timeZone: zone },
  };
}

/**
 * Back from Graph's `isAllDay` form. Graph requires midnight boundaries; anything else is not an
 * all-day event and throws `invalid_input` instead of being rounded to the wrong day.
 *
 * @example
 * graphToAllDay(graphEvent); // { start: { date: '2026-03-01' }, end: { date: '2026-03-02' } }
 */
export function graphToAllDay(event: { isAllDay?: boolean; start: { dateTime: string }; end: { dateTime: string } }): AllDayRange {
  if (event.isAllDay !== true) {
    throw new IntegrationError('invalid_input', 'event is not an all-day event (isAllDay is not true)', { details: { field: 'isAllDay' } });
  }
  const date = (value: string, field: string) => {
    const wall = parseDateTime(value.replace(/(\.\d{3})\d+$/, '$1'), field).wall;
    if (wall % MS_PER_DAY !== 0) {
      throw new IntegrationError('invalid_input', `${field} must be midnight for an all-day event`, { details: { field } });
    }
    return formatDate(wall);
  };
  return allDayRange(date(event.start.dateTime, 'start.dateTime'), date(event.end.dateTime, 'end.dateTime'));
}

/**
 * The instants an all-day range covers for someone in `timeZone` (for free/busy and reminders):
 * from the first instant of the start date to the first instant of the end date. Where midnight
 * does not exist (America/Santiago springs forward at 00:00), the day starts at 01:00.
 *
 * @example
 * allDayToInstants(allDayRange('2026-03-01'), 'America/New_York');
 * // { from: '2026-03-01T00:00:00-05:00', to: '2026-03-02T00:00:00-05:00' }
 */
export function allDayToInstants(range: AllDayRange, timeZone: string): { from: string; to: string } {
  const zone = assertTimeZone(timeZone);
  const checked = allDayRange(range.start.date, range.end.date);
  const at = (date: string) => formatInstantIn(wallToEpoch(parseDate(date), zone, { gap: 'forward', overlap: 'earlier' }), zone);
  return { from: at(checked.start.date), to: at(checked.end.date) };
}

/**
 * Pin a floating wall time to a zone (it becomes a timed value), validating both.
 *
 * @example
 * floatingToLocal({ dateTime: '2026-03-01T09:00:00' }, 'Europe/Paris'); // { dateTime: '2026-03-01T09:00:00', timeZone: 'Europe/Paris' }
 */
export function floatingToLocal(value: FloatingDateTime, timeZone: string): LocalDateTime {
  const parsed = parseDateTime(value.dateTime, 'dateTime');
  if (parsed.offsetMinutes !== undefined) {
    throw new IntegrationError('invalid_input', 'a floating dateTime has no offset; this one has one', { details: { field: 'dateTime' } });
  }
  return { dateTime: formatWall(parsed.wall), timeZone: assertTimeZone(timeZone) };
}

/**
 * True for `{ date }` values (all-day), false for `{ dateTime }` values.
 *
 * @example
 * const instant = isAllDay(event.start) ? undefined : toInstant(event.start);
 */
export function isAllDay(value: AllDayDate | { dateTime: string }): value is AllDayDate {
  return typeof (value as AllDayDate).date === 'string';
}

export type { DstPolicy };
