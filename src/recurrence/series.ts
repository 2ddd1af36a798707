/**
 * The series side of an expansion: its start (wall time and zone, or a date), its UNTIL, and the
 * rule checks that depend on the start. Shared by expansion, overrides and the Graph mapping.
 */
import { IntegrationError } from '../core/errors.js';
import { epochToWall } from '../time/instant.js';
import { MS_PER_DAY, MS_PER_MINUTE, parseDate, parseDateTime, parseInstant } from '../time/wall.js';
import { assertTimeZone } from '../time/zones.js';
import type { SeriesFrame } from './dates.js';
import { FREQ_INDEX } from './rrule-options.js';
import type { RecurrenceRule, SeriesStart } from './types.js';

export function invalid(field: string, message: string): IntegrationError {
  return new IntegrationError('invalid_input', message, { details: { field } });
}

export interface ResolvedStart extends SeriesFrame {
  /** DTSTART as fake-UTC wall ms. */
  wall: number;
}

export function resolveStart(start: SeriesStart, field = 'start'): ResolvedStart {
  if (typeof start !== 'object' || start === null) throw invalid(field, `${field} must be { dateTime, timeZone } or { date }`);
  if ('date' in start && typeof start.date === 'string') {
    return { allDay: true, zone: 'UTC', wall: parseDate(start.date, `${field}.date`) };
  }
  const local = start as { dateTime?: unknown; timeZone?: unknown };
  if (typeof local.dateTime !== 'string') throw invalid(field, `${field} must be { dateTime, timeZone } or { date }`);
  const zone = assertTimeZone(local.timeZone, `${field}.timeZone`);
  const parsed = parseDateTime(local.dateTime, `${field}.dateTime`);
  // Google sends `dateTime` with an offset; the wall time in the event's zone is what recurs.
  const wall = parsed.offsetMinutes === undefined ? parsed.wall : epochToWall(parsed.wall - parsed.offsetMinutes * MS_PER_MINUTE, zone);
  return { allDay: false, zone, wall };
}

export interface UntilBound {
  /** Inclusive bound on wall time handed to rrule. */
  wall: number;
  /** Exact inclusive bound on the instant, when UNTIL is in UTC. */
  instant?: number;
}

/**
 * UNTIL in the series' terms. `…Z` is an instant (compared exactly, after conversion); a floating
 * date-time is a wall time in the series' zone; a bare DATE on a timed series means "through that
 * local date" (Google writes `UNTIL=20240131` for timed series; RFC 5545 would want a UTC time).
 */
export function untilBound(until: string, start: ResolvedStart): UntilBound {
  const iso = `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}`;
  if (until.length === 8) {
    const date = parseDate(iso, 'rrule UNTIL');
    return { wall: start.allDay ? date : date + MS_PER_DAY - 1 };
  }
  const time = `${iso}T${until.slice(9, 11)}:${until.slice(11, 13)}:${until.slice(13, 15)}`;
  if (until.endsWith('Z')) {
    const instant = parseInstant(`${time}Z`, 'rrule UNTIL');
    if (start.allDay) return { wall: instant };
    return { wall: epochToWall(instant, start.zone) + MS_PER_DAY, instant };
  }
  return { wall: parseDateTime(time, 'rrule UNTIL').wall };
}

export function assertAllDayRule(rule: RecurrenceRule): void {
  if (FREQ_INDEX[rule.freq] > FREQ_INDEX.DAILY || rule.byHour || rule.byMinute || rule.bySecond) {
    throw invalid(
      'rrule',
      `an all-day series recurs by whole days: FREQ=${rule.freq} or BYHOUR/BYMINUTE/BYSECOND is not valid with start.date`,
    );
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * BYHOUR with FREQ=HOURLY (and BYMINUTE/BYSECOND with MINUTELY/SECONDLY) can only hit values
 * reachable from DTSTART in INTERVAL steps; a rule where none is reachable never matches and would
 * make rrule loop forever. python-dateutil refuses it the same way (empty byxxx set).
 */
export function assertReachable(rule: RecurrenceRule, dtstart: number): void {
  const d = new Date(dtstart);
  const checks = [
    ['HOURLY', 'BYHOUR', rule.byHour, d.getUTCHours(), 24],
    ['MINUTELY', 'BYMINUTE', rule.byMinute, d.getUTCMinutes(), 60],
    ['SECONDLY', 'BYSECOND', rule.bySecond, d.getUTCSeconds(), 60],
  ] as const;
  for (const [freq, part, values, from, base] of checks) {
    if (rule.freq !== freq || values === undefined) continue;
    const step = gcd(rule.interval ?? 1, base);
    if (!values.some((v) => (((v - from) % step) + step) % step === 0)) {
      throw new IntegrationError(
        'invalid_input',
        `RRULE ${part}: no value is reachable from the start in steps of INTERVAL=${rule.interval ?? 1}`,
        {
          details: { field: 'rrule', part },
        },
      );
    }
  }
}
