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
import type { CalendarEvent, EventPatch, EventTime, ResponseStatus } from '../types.js';

/** Private extended property holding the fingerprint of a create, so a retried create can be recognised. */
export const FINGERPRINT_KEY = 'switchyardCreateFingerprint';

const RESPONSES: ReadonlySet<string> = new Set(['needsAction', 'accepted', 'declined', 'tentative']);

const DAY = 86_400_000;
/**
 * zone → its canonical name and (UTC day → offset in minutes) for days without a transition. A
 * full sync converts two times per event; this keeps zone validation and Intl off the hot path
 * (measured in bench/calendar-sync.bench.ts). Transition days take the exact `offsetAt` path.
 */
const zoneCache = new Map<string, { canonical: string; days: Map<number, number> }>();

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
  let offset = cached.days.get(day);
  if (offset === undefined) {
    const start = offsetAt(cached.canonical, day * DAY);
    if (start === offsetAt(cached.canonical, (day + 1) * DAY)) {
      if (cached.days.size > 4000) cached.days.clear();
      cached.days.set(day, start);
      offset = start;
    } else offset = offsetAt(cached.canonical, ts);
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

export function fromGoogle(ev: calendar_v3.Schema$Event, calendarId: string, calendarZone: string): CalendarEvent {
  const start = fromGoogleTime(ev.start, calendarZone);
  const out: CalendarEvent = {
    id: ev.id ?? '',
    calendarId,
    etag: ev.etag ?? '',
    start,
    end: ev.end ? fromGoogleTime(ev.end, calendarZone) : start,
    attendees: (ev.attendees ?? []).flatMap((a) =>
      a.email
        ? [
            {
              email: a.email,
              responseStatus: (RESPONSES.has(a.responseStatus ?? '') ? a.responseStatus : 'needsAction') as ResponseStatus,
              ...(a.displayName ? { displayName: a.displayName } : {}),
              ...(a.optional ? { optional: true } : {}),
              ...(a.self ? { self: true } : {}),
            },
          ]
        : [],
    ),
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
  const priv = { ...(ev.extendedProperties?.private ?? {}) };
  delete priv[FINGERPRINT_KEY];
  if (Object.keys(priv).length > 0) out.extendedProperties = priv;
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

