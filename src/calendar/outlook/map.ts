/**
 * Graph events ↔ `CalendarEvent`. The adapter asks for every time in UTC (`Prefer:
 * outlook.timezone="UTC"`) and rebuilds the wall time in the event's own zone from
 * `originalStartTimeZone` (a Windows name, mapped to IANA through `switchyard/time`), so the
 * instant is exact and the zone is the organiser's. All-day events come back as midnight of their
 * dates and are restored to `{ date }`.
 */
import { IntegrationError } from '../../core/errors.js';
import {
  type GraphPatternedRecurrence,
  graphRecurrenceToRrule,
  parseRecurrenceLines,
  rruleToGraphRecurrence,
} from '../../recurrence/index.js';
import { allDayToGraph, graphToAllDay, ianaToWindows, isValidTimeZone, toInstant, toLocal, windowsToIana } from '../../time/index.js';
import type { CalendarEvent, EventPatch, EventTime, ResponseStatus } from '../types.js';

/** Where switchyard keeps `extendedProperties` (and its create fingerprint): one MAPI string property. */
export const EXT_PROP_ID = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name switchyard';
export const FINGERPRINT_FIELD = '__switchyardFingerprint';

export interface GraphTime {
  dateTime: string;
  timeZone: string;
}

export interface GraphEventResource {
  id?: string;
  '@odata.etag'?: string;
  '@removed'?: { reason: string };
  iCalUId?: string;
  subject?: string | null;
  body?: { contentType?: string; content?: string } | null;
  location?: { displayName?: string } | null;
  start?: GraphTime;
  end?: GraphTime;
  isAllDay?: boolean;
  originalStartTimeZone?: string;
  originalEndTimeZone?: string;
  showAs?: string;
  isCancelled?: boolean;
  type?: string;
  seriesMasterId?: string | null;
  originalStart?: string | null;
  recurrence?: GraphPatternedRecurrence | null;
  attendees?: { emailAddress?: { address?: string; name?: string }; type?: string; status?: { response?: string } }[];
  organizer?: { emailAddress?: { address?: string; name?: string } };
  lastModifiedDateTime?: string;
  onlineMeeting?: { joinUrl?: string } | null;
  singleValueExtendedProperties?: { id: string; value: string }[];
  transactionId?: string;
}

const RESPONSES: Record<string, ResponseStatus> = {
  none: 'needsAction',
  notResponded: 'needsAction',
  accepted: 'accepted',
  organizer: 'accepted',
  declined: 'declined',
  tentativelyAccepted: 'tentative',
};

/** A Graph zone name (Windows or IANA) as IANA; custom zones fall back to the mailbox zone. */
export function ianaOf(zone: string | undefined, fallback: string): string {
  if (!zone) return fallback;
  return windowsToIana(zone) ?? (isValidTimeZone(zone) ? zone : fallback);
}

function utcWall(t: GraphTime): string {
  // Graph's 7-digit fractions: keep the seconds.
  return `${t.dateTime.slice(0, 19)}Z`;
}

function readTime(t: GraphTime | undefined, zone: string): EventTime {
  if (!t) return { date: '1970-01-01' };
  if (t.timeZone === 'UTC' || t.timeZone === 'Etc/UTC') return toLocal(utcWall(t), zone);
  // A response in another zone (a client whose Prefer header asked for one): read it there first.
  return toLocal(toInstant({ dateTime: t.dateTime.slice(0, 19), timeZone: ianaOf(t.timeZone, 'UTC') }), zone);
}

export function fromGraph(ev: GraphEventResource, calendarId: string, mailboxZone: string, ownerEmail: string | undefined): CalendarEvent {
  const zone = ianaOf(ev.originalStartTimeZone, mailboxZone);
  const endZone = ianaOf(ev.originalEndTimeZone, zone);
  let start: EventTime;
  let end: EventTime;
  if (ev.isAllDay && ev.start && ev.end) {
    const range = graphToAllDay({ isAllDay: true, start: ev.start, end: ev.end });
    start = range.start;
    end = range.end;
  } else {
    start = readTime(ev.start, zone);
    end = readTime(ev.end, endZone);
  }
  let ext: Record<string, string> | undefined;
  const prop = ev.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === EXT_PROP_ID.toLowerCase());
  if (prop) {
    try {
      const parsed = JSON.parse(prop.value) as Record<string, string>;
      delete parsed[FINGERPRINT_FIELD];
      if (Object.keys(parsed).length > 0) ext = parsed;
    } catch {
      // Someone else wrote the property: ignore it rather than fail the whole read.
    }
  }
  const out: CalendarEvent = {
    id: ev.id ?? '',
    calendarId,
    etag: ev['@odata.etag'] ?? '',
    start,
    end,
    attendees: (ev.attendees ?? []).flatMap((a) => {
      const email = a.emailAddress?.address;
      if (!email) return [];
      return [
        {
          email,
          responseStatus: RESPONSES[a.status?.response ?? 'none'] ?? 'needsAction',
          ...(a.emailAddress?.name ? { displayName: a.emailAddress.name } : {}),
          ...(a.type === 'optional' ? { optional: true } : {}),
          ...(ownerEmail && email.toLowerCase() === ownerEmail.toLowerCase() ? { self: true } : {}),
        },
      ];
    }),
    status: ev.isCancelled ? 'cancelled' : ev.showAs === 'tentative' ? 'tentative' : 'confirmed',
    transparency: ev.showAs === 'free' ? 'transparent' : 'opaque',
  };
  if (ev.iCalUId) out.iCalUID = ev.iCalUId;
  if (ev.subject != null) out.title = ev.subject;
  if (ev.body?.content) out.description = ev.body.content;
  if (ev.location?.displayName) out.location = ev.location.displayName;
  const org = ev.organizer?.emailAddress?.address;
  if (org) out.organizer = { email: org, ...(ev.organizer?.emailAddress?.name ? { displayName: ev.organizer.emailAddress.name } : {}) };
  if (ev.type === 'seriesMaster' && ev.recurrence) {
    const rule = graphRecurrenceToRrule(ev.recurrence, start);
    out.recurrence = [rule.startsWith('RRULE:') ? rule : `RRULE:${rule}`];
  }
  if (ev.seriesMasterId) out.recurringEventId = ev.seriesMasterId;
  if (ev.originalStart)
    out.originalStart = 'date' in start ? { date: toLocal(ev.originalStart, zone).dateTime.slice(0, 10) } : toLocal(ev.originalStart, zone);
  if (ev.onlineMeeting?.joinUrl) out.conferenceUrl = ev.onlineMeeting.joinUrl;
  if (ext) out.extendedProperties = ext;
  if (ev.lastModifiedDateTime) out.updated = ev.lastModifiedDateTime;
  return out;
}

function writeTime(t: EventTime): GraphTime {
  if ('date' in t) throw new IntegrationError('invalid_input', 'internal: all-day times go through allDayToGraph');
  // Graph's canonical zone names are Windows ones; a zone without a mapping is sent as IANA.
  return { dateTime: t.dateTime, timeZone: ianaToWindows(t.timeZone) ?? t.timeZone };
}

export function toGraph(
  input: EventPatch,
  allDayZone: string,
  extra: { fingerprint?: string; transactionId?: string } = {},
): GraphEventResource {
  const body: GraphEventResource = {};
  if (input.title !== undefined) body.subject = input.title;
  if (input.description !== undefined) body.body = { contentType: 'text', content: input.description };
  if (input.location !== undefined) body.location = { displayName: input.location };
  if (input.start && input.end) {
    if ('date' in input.start && 'date' in input.end) {
      const g = allDayToGraph({ start: input.start, end: input.end }, allDayZone);
      body.isAllDay = true;
      body.start = g.start;
      body.end = g.end;
    } else {
      body.isAllDay = false;
      body.start = writeTime(input.start);
      body.end = writeTime(input.end);
    }
  } else if (input.start || input.end) {
    const t = (input.start ?? input.end) as EventTime;
    if ('date' in t)
      throw new IntegrationError('invalid_input', 'change start and end together for all-day events', { details: { field: 'end' } });
    if (input.start) body.start = writeTime(input.start);
    if (input.end) body.end = writeTime(input.end);
  }
  if (input.recurrence) {
    if (!input.start)
      throw new IntegrationError('invalid_input', 'a recurrence needs the start in the same write', { details: { field: 'start' } });
    const lines = parseRecurrenceLines(input.recurrence);
    if (lines.exdates.length || lines.rdates.length) {
      throw new IntegrationError(
        'unsupported',
        'Graph recurrences cannot carry EXDATE or RDATE: create the series, then delete or move occurrences',
        {
          provider: 'outlook',
          details: { field: 'recurrence' },
        },
      );
    }
    body.recurrence = rruleToGraphRecurrence(lines.rrule, input.start);
  }
  if (input.transparency || input.status) {
    body.showAs = input.transparency === 'transparent' ? 'free' : input.status === 'tentative' ? 'tentative' : 'busy';
  }
  if (input.attendees) {
    body.attendees = input.attendees.map((a) => ({
      emailAddress: { address: a.email, ...(a.displayName ? { name: a.displayName } : {}) },
      type: a.optional ? 'optional' : 'required',
    }));
  }
  if (input.extendedProperties || extra.fingerprint) {
    const value = { ...(input.extendedProperties ?? {}), ...(extra.fingerprint ? { [FINGERPRINT_FIELD]: extra.fingerprint } : {}) };
    body.singleValueExtendedProperties = [{ id: EXT_PROP_ID, value: JSON.stringify(value) }];
  }
  if (extra.transactionId) body.transactionId = extra.transactionId;
  return body;
}

export function fingerprintOf(ev: GraphEventResource): string | undefined {
  const prop = ev.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === EXT_PROP_ID.toLowerCase());
  if (!prop) return undefined;
  try {
    return (JSON.parse(prop.value) as Record<string, string>)[FINGERPRINT_FIELD];
  } catch {
    return undefined;
  }
}
