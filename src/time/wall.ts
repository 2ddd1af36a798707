/**
 * Wall-clock values as "fake UTC" milliseconds: the local date-time 2024-03-10T02:30 is stored as
 * Date.UTC(2024, 2, 10, 2, 30). Arithmetic on them (add a day, compare, format) is plain integer
 * math that never consults the host's TZ, which is what keeps every result TZ-independent. Only
 * `toInstant` / `toLocal` cross between wall time and real instants, through a named zone.
 */
import { IntegrationError } from '../core/errors.js';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface ParsedDateTime {
  /** Wall time as fake-UTC milliseconds. */
  wall: number;
  /** UTC offset written in the string, in minutes, when there was one. */
  offsetMinutes?: number;
}

function fail(field: string, value: string, expected: string): never {
  throw new IntegrationError('invalid_input', `${field} ${JSON.stringify(value.slice(0, 40))} is not ${expected}`, {
    details: { field },
  });
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function wallFromParts(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  if (y < 100) return new Date(t).setUTCFullYear(y);
  return t;
}

/** Parse `YYYY-MM-DDTHH:mm[:ss[.fff]][Z|±HH:MM]`, rejecting impossible fields (Feb 30, 24:00). */
export function parseDateTime(value: unknown, field = 'dateTime'): ParsedDateTime {
  if (typeof value !== 'string') return fail(field, String(value), 'an ISO-8601 date-time');
  const m = LOCAL_RE.exec(value);
  if (!m) return fail(field, value, 'an ISO-8601 date-time (YYYY-MM-DDTHH:mm:ss)');
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return fail(field, value, 'a real calendar date-time');
  }
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const wall = wallFromParts(y, mo, d, h, mi, s, ms);
  const off = m[8];
  if (off === undefined) return { wall };
  if (off === 'Z') return { wall, offsetMinutes: 0 };
  const digits = off.slice(1).replace(':', '');
  const oh = Number(digits.slice(0, 2));
  const om = Number(digits.slice(2) || '0');
  if (oh > 23 || om > 59) return fail(field, value, 'a date-time with a valid UTC offset');
  return { wall, offsetMinutes: (off[0] === '-' ? -1 : 1) * (oh * 60 + om) };
}

/** Parse an ISO-8601 instant; the offset (or Z) is required because a bare local time is not an instant. */
export function parseInstant(value: unknown, field = 'instant'): number {
  const parsed = parseDateTime(value, field);
  if (parsed.offsetMinutes === undefined) {
    return fail(field, String(value), 'an instant: add Z or a UTC offset (a bare local time would depend on the host TZ)');
  }
  return parsed.wall - parsed.offsetMinutes * MS_PER_MINUTE;
}

/** Parse `YYYY-MM-DD` into fake-UTC midnight. */
export function parseDate(value: unknown, field = 'date'): number {
  if (typeof value !== 'string') return fail(field, String(value), 'a date (YYYY-MM-DD)');
  const m = DATE_RE.exec(value);
  if (!m) return fail(field, value, 'a date (YYYY-MM-DD)');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return fail(field, value, 'a real calendar date');
  return wallFromParts(y, mo, d);
}

/** Fake-UTC midnight of the day holding `wall` (a floored modulo: correct before 1970 too). */
export function startOfDay(wall: number): number {
  return wall - (((wall % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of a fake-UTC wall value. */
export function formatDate(wall: number): string {
  const d = new Date(wall);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `YYYY-MM-DDTHH:mm:ss[.fff]` of a fake-UTC wall value. */
export function formatWall(wall: number): string {
  const d = new Date(wall);
  const ms = d.getUTCMilliseconds();
  return `${formatDate(wall)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ''}`;
}

/** `+HH:MM` / `-HH:MM` for an offset in minutes (`Z` is never used so the zone's offset stays visible). */
export function formatOffset(offsetMinutes: number): string {
  const total = Math.round(offsetMinutes);
  const sign = total < 0 ? '-' : '+';
  const abs = Math.abs(total);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
