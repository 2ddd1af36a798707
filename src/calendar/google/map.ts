/**
 * Google event resources ↔ `CalendarEvent`. Google sends `dateTime` with an offset plus the
 * event's `timeZone`; switchyard keeps the wall time in that zone, so "09:00 Los Angeles" stays
 * 09:00 whatever the offset of that day.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import { toGoogleRecurrence } from '../../recurrence/index.js';
import { offsetAt } from '../../time/instant.js';
import { formatWall } from '../../time/wall.js';
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

/** `YYYY-MM-DDTHH:mm:ss±HH:MM`: the one shape whose wall time can be read off the string. */
const PLAIN_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-](\d{2}):(\d{2})$/;

function localWall(instant: string, zone: string): EventTime {
  const ts = Date.parse(instant);
  if (Number.isNaN(ts)) return toLocal(instant, zone); // let the time module produce the error
  let cached = zoneCache.get(zone);
  if (!cached) {
    if (zoneCache.size > 500) zoneCache.clear();
    cached = { canonical: assertTimeZone(zone), days: new Map() };
    zoneCache.set(zone, cached);
  }
  const day = Math.floor(ts / DAY);
  let known = cached.days.get(day);
  if (known === undefined) {
    if (cached.days.size > 4000) cached.days.clear();
    known = dayOffset(cached.canonical, day);
    cached.days.set(day, known);
  }
  const offset = known.at === undefined || ts < known.at ? known.before : (known.after as number);
  // Google usually writes the instant with the zone's own offset: then the wall time is the
  // string without its offset, and formatting it again would only cost time.
  const m = PLAIN_OFFSET.exec(instant);
  if (m) {
    const written = (instant.charCodeAt(19) === 45 ? -1 : 1) * (Number(m[1]) * 60 + Number(m[2]));
    if (written === offset) return { dateTime: instant.slice(0, 19), timeZone: cached.canonical };
  }
  return { dateTime: formatWall(ts + offset * 60_000), timeZone: cached.canonical };
}

export function fromGoogleTime(t: calendar_v3.Schema$EventDateTime | undefined, fallbackZone: string): EventTime {
  if (t?.date) return { date: t.date };
  if (!t?.dateTime) return { date: '1970-01-01' };
  const zone = t.timeZone ?? fallbackZone;
  // A dateTime without offset is already local to its zone (Google echoes what it was given in some paths).
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/.test(t.dateTime)) return { dateTime: t.dateTime, timeZone: zone };
  return localWall(t.dateTime, zone);
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
  if (ev.organizer?.email) out.organizer = { email: ev.organizer.email, ...(ev.organizer.displayName ? { displayName: ev.organizer.displayName } : {}) };
  if (ev.recurrence?.length) out.recurrence = [...ev.recurrence];
  if (ev.recurringEventId) out.recurringEventId = ev.recurringEventId;
  if (ev.originalStartTime) out.originalStart = fromGoogleTime(ev.originalStartTime, calendarZone);
  const video = ev.hangoutLink ?? ev.conferenceData?.entryPoints?.find((p) => p.entryPointType === 'video')?.uri;
  if (video) out.conferenceUrl = video;
  if (ev.reminders) {
    out.reminders = { useDefault: ev.reminders.useDefault ?? false };
    if (ev.reminders.overrides?.length) {
      out.reminders.overrides = ev.reminders.overrides.map((o) => ({ method: o.method === 'email' ? 'email' : 'popup', minutes: o.minutes ?? 0 }));
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
  if (input.attendees) body.attendees = input.attendees.map((a) => ({ email: a.email, ...(a.displayName ? { displayName: a.displayName } : {}), ...(a.optional ? { optional: true } : {}) }));
  if (input.reminders) body.reminders = input.reminders;
  if (input.extendedProperties || fingerprint) {
    body.extendedProperties = { private: { ...(input.extendedProperties ?? {}), ...(fingerprint ? { [FINGERPRINT_KEY]: fingerprint } : {}) } };
  }
  return body;
}

