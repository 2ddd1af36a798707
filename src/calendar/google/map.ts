/**
 * Google event resources ↔ `CalendarEvent`. Google sends `dateTime` with an offset plus the
 * event's `timeZone`; switchyard keeps the wall time in that zone, so "09:00 Los Angeles" stays
 * 09:00 whatever the offset of that day.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import { toGoogleRecurrence } from '../../recurrence/index.js';
import { offsetAt } from '../../time/instant.js';
import { formatDate, formatWall } from '../../time/wall.js';
import { assertTimeZone, toLocal } from '../../time/index.js';
import type { Attendee, CalendarEvent, EventPatch, EventTime, ResponseStatus } from '../types.js';

/** Private extended property holding the fingerprint of a create, so a retried create can be recognised. */
export const FINGERPRINT_KEY = 'switchyardCreateFingerprint';

const RESPONSES: ReadonlySet<string> = new Set(['needsAction', 'accepted', 'declined', 'tentative']);

const DAY = 86_400_000;
/**
 * zone → its canonical name and (UTC day → offset in minutes, or the day's one transition). A full
 * sync converts two times per event; this keeps zone validation and Intl off the hot path
 * (measured in bench/calendar-sync.bench.ts). A transition day is asked of Intl once, to find the
 * instant of its transition (no zone has had two within one day since 1970), then answered from
 * the cache like any other day.
 */
interface DayOffset {
  /** Offset before `at` (or all day when `at` is undefined), minutes. */
  before: number;
  /** Epoch ms of the transition, on a transition day. */
  at?: number;
  /** Offset from `at` on. */
  after?: number;
}
const zoneCache = new Map<string, { canonical: string; days: Map<number, DayOffset> }>();

function dayOffset(zone: string, day: number): DayOffset {
  const start = offsetAt(zone, day * DAY);
  const end = offsetAt(zone, (day + 1) * DAY);
  if (start === end) return { before: start };
  // Binary search for the first millisecond with the new offset.
  let lo = day * DAY;
  let hi = (day + 1) * DAY;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid) === start) lo = mid;
    else hi = mid;
  }
  return { before: start, at: hi, after: end };
}

/** `YYYY-MM-DDTHH:mm:ss±HH:MM` (25 characters): the one shape whose wall time can be read off the string. */
const PLAIN_LENGTH = 25;
/** Characters of the plain shape that must be digits. */
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24];

/** The two-digit number at `i` (the caller checked both are digits). */
const two = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;

/** Days in each month of a non-leap year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The epoch ms and written offset of a plain-shape instant, read with char codes instead of a
 * regex and `Date.parse` (this runs twice per event in a sync). `null`: the plain shape, but not a
 * real date-time (month 13, February 30, hour 24, second 60, offset +24:00), which `toLocal`
 * rejects with its own error. `undefined`: another shape, for the general path.
 */
function readPlain(s: string): { ts: number; written: number } | null | undefined {
  if (s.length !== PLAIN_LENGTH) return undefined;
  const sign = s.charCodeAt(19);
  if ((sign !== 43 && sign !== 45) || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[22] !== ':')
    return undefined;
  for (const i of DIGITS) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  const offH = two(s, 20);
  const offM = two(s, 23);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || offH > 23 || offM > 59 || day < 1) return null;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (MONTH_DAYS[month - 1] as number) + (leap ? 1 : 0)) return null;
  const written = (sign === 45 ? -1 : 1) * (offH * 60 + offM);
  // Date.UTC reads years 0-99 as 1900-1999: those are computed 400 years (146,097 days, a whole
  // Gregorian cycle) later and moved back.
  const ts =
    year < 100
      ? Date.UTC(year + 400, month - 1, day, hour, minute, second) - 146_097 * DAY
      : Date.UTC(year, month - 1, day, hour, minute, second);
  return { ts: ts - written * 60_000, written };
}

/** Formatted dates of UTC day numbers (wall days), shared by every zone: a sync sees few distinct days. */
const dateCache = new Map<number, string>();
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** `formatWall` without a `Date` per call: the day's date from a cache, the time of day by arithmetic. */
function formatWallCached(wall: number): string {
  const day = Math.floor(wall / DAY);
  let date = dateCache.get(day);
  if (date === undefined) {
    if (dateCache.size > 4000) dateCache.clear();
    date = formatDate(wall);
    dateCache.set(day, date);
  }
  const ms = wall - day * DAY;
  if (ms % 1000 !== 0) return formatWall(wall); // Google sends whole seconds; keep the general formatter for the rest
  const seconds = ms / 1000;
  return `${date}T${TWO[Math.floor(seconds / 3600)]}:${TWO[Math.floor(seconds / 60) % 60]}:${TWO[seconds % 60]}`;
}

function zoneEntry(zone: string): { canonical: string; days: Map<number, DayOffset> } {
  let cached = zoneCache.get(zone);
  if (!cached) {
    if (zoneCache.size > 500) zoneCache.clear();
    cached = { canonical: assertTimeZone(zone), days: new Map() };
    zoneCache.set(zone, cached);
  }
  return cached;
}

function offsetOn(cached: { canonical: string; days: Map<number, DayOffset> }, ts: number): number {
  const day = Math.floor(ts / DAY);
  let known = cached.days.get(day);
  if (known === undefined) {
    if (cached.days.size > 4000) cached.days.clear();
    known = dayOffset(cached.canonical, day);
    cached.days.set(day, known);
  }
  return known.at === undefined || ts < known.at ? known.before : (known.after as number);
}

function localWall(instant: string, zone: string, plain: { ts: number; written: number } | undefined): EventTime {
  const ts = plain ? plain.ts : Date.parse(instant);
  if (Number.isNaN(ts)) return toLocal(instant, zone); // let the time module produce the error
  const cached = zoneEntry(zone);
  const offset = offsetOn(cached, ts);
  // Google usually writes the instant with the zone's own offset: then the wall time is the
  // string without its offset, and formatting it again would only cost time.
  if (plain && plain.written === offset) return { dateTime: instant.slice(0, 19), timeZone: cached.canonical };
  return { dateTime: formatWallCached(ts + offset * 60_000), timeZone: cached.canonical };
}

export function fromGoogleTime(t: calendar_v3.Schema$EventDateTime | undefined, fallbackZone: string): EventTime {
  if (t?.date) return { date: t.date };
  if (!t?.dateTime) return { date: '1970-01-01' };
  const zone = t.timeZone ?? fallbackZone;
  const plain = readPlain(t.dateTime);
  if (plain === null) return toLocal(t.dateTime, zone); // not a real date-time: the time module's error
  // A dateTime without offset is already local to its zone (Google echoes what it was given in some paths).
  if (!plain && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(t.dateTime)) return { dateTime: t.dateTime, timeZone: zone };
  return localWall(t.dateTime, zone, plain);
}

/** A Google resource that is only a deletion marker: `{ id, status: 'cancelled' }` with no times. */
export function isTombstone(ev: calendar_v3.Schema$Event): boolean {
  return ev.status === 'cancelled' && !ev.recurringEventId;
}

function attendeesOf(list: calendar_v3.Schema$EventAttendee[] | undefined): Attendee[] {
  const out: Attendee[] = [];
  for (const a of list ?? []) {
    if (!a.email) continue;
    const attendee: Attendee = {
      email: a.email,
      responseStatus: (RESPONSES.has(a.responseStatus ?? '') ? a.responseStatus : 'needsAction') as ResponseStatus,
    };
    if (a.displayName) attendee.displayName = a.displayName;
    if (a.optional) attendee.optional = true;
    if (a.self) attendee.self = true;
    out.push(attendee);
  }
  return out;
}

export function fromGoogle(ev: calendar_v3.Schema$Event, calendarId: string, calendarZone: string): CalendarEvent {
  const start = fromGoogleTime(ev.start, calendarZone);
  const out: CalendarEvent = {
    id: ev.id ?? '',
    calendarId,
    etag: ev.etag ?? '',
    start,
    end: ev.end ? fromGoogleTime(ev.end, calendarZone) : start,
    attendees: attendeesOf(ev.attendees),
    status: ev.status === 'cancelled' ? 'cancelled' : ev.status === 'tentative' ? 'tentative' : 'confirmed',
    transparency: ev.transparency === 'transparent' ? 'transparent' : 'opaque',
  };
  if (ev.iCalUID) out.iCalUID = ev.iCalUID;
  if (ev.summary != null) out.title = ev.summary;
  if (ev.description != null) out.description = ev.description;
  if (ev.location != null) out.location = ev.location;
  if (ev.organizer?.email)
    out.organizer = { email: ev.organizer.email, ...(ev.organizer.displayName ? { displayName: ev.organizer.displayName } : {}) };
  if (ev.recurrence?.length) out.recurrence = [...ev.recurrence];
  if (ev.recurringEventId) out.recurringEventId = ev.recurringEventId;
  if (ev.originalStartTime) out.originalStart = fromGoogleTime(ev.originalStartTime, calendarZone);
  const video = ev.hangoutLink ?? ev.conferenceData?.entryPoints?.find((p) => p.entryPointType === 'video')?.uri;
  if (video) out.conferenceUrl = video;
  if (ev.reminders) {
    out.reminders = { useDefault: ev.reminders.useDefault ?? false };
    if (ev.reminders.overrides?.length) {
      out.reminders.overrides = ev.reminders.overrides.map((o) => ({
        method: o.method === 'email' ? 'email' : 'popup',
        minutes: o.minutes ?? 0,
      }));
    }
  }
  // Copied without our create fingerprint (built up, not spread and deleted: this runs per event in a sync).
  const source = ev.extendedProperties?.private;
  if (source) {
    let priv: Record<string, string> | undefined;
    for (const key of Object.keys(source)) if (key !== FINGERPRINT_KEY) (priv ??= {})[key] = source[key] as string;
    if (priv) out.extendedProperties = priv;
  }
  if (ev.updated) out.updated = ev.updated;
  return out;
}

function toGoogleTime(t: EventTime): calendar_v3.Schema$EventDateTime {
  return 'date' in t ? { date: t.date } : { dateTime: t.dateTime, timeZone: t.timeZone };
}

export function toGoogle(input: EventPatch & { id?: string }, fingerprint?: string): calendar_v3.Schema$Event {
  const body: calendar_v3.Schema$Event = {};
  if (input.id !== undefined) body.id = input.id;
  if (input.title !== undefined) body.summary = input.title;
  if (input.description !== undefined) body.description = input.description;
  if (input.location !== undefined) body.location = input.location;
  if (input.start) body.start = toGoogleTime(input.start);
  if (input.end) body.end = toGoogleTime(input.end);
  if (input.status) body.status = input.status;
  if (input.transparency) body.transparency = input.transparency;
  if (input.recurrence) body.recurrence = toGoogleRecurrence(input.recurrence);
  if (input.attendees)
    body.attendees = input.attendees.map((a) => ({
      email: a.email,
      ...(a.displayName ? { displayName: a.displayName } : {}),
      ...(a.optional ? { optional: true } : {}),
    }));
  if (input.reminders) body.reminders = input.reminders;
  if (input.extendedProperties || fingerprint) {
    body.extendedProperties = {
      private: { ...(input.extendedProperties ?? {}), ...(fingerprint ? { [FINGERPRINT_KEY]: fingerprint } : {}) },
    };
  }
  return body;
}
