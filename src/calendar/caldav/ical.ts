/**
 * iCalendar ↔ `CalendarEvent`, on ical.js (parsing, escaping and line folding are the library's,
 * never string concatenation). A CalDAV resource holds one series: the master VEVENT and any
 * number of `RECURRENCE-ID` overrides. Every VEVENT is read. Writes edit the parsed component in
 * place, so properties switchyard does not model (VALARM, other clients' X- properties) survive.
 */
import ICAL from 'ical.js';
import { IntegrationError } from '../../core/errors.js';
import { isValidTimeZone, toInstant, toLocal, windowsToIana } from '../../time/index.js';
import { expandSeries, instanceId, instantOf, originalKey } from '../instances.js';
import type { Attendee, CalendarEvent, EventInput, EventPatch, EventStatus, EventTime, ResponseStatus } from '../types.js';
import { buildVtimezone } from './vtimezone.js';

/** X- properties holding what iCalendar has no field for. */
const X_EXTENDED = 'x-switchyard-extended';
export const X_FINGERPRINT = 'x-switchyard-fingerprint';
const PRODID = '-//switchyard//calendar caldav//EN';

const PARTSTAT: Record<string, ResponseStatus> = {
  ACCEPTED: 'accepted',
  DECLINED: 'declined',
  TENTATIVE: 'tentative',
  'NEEDS-ACTION': 'needsAction',
};
const TO_PARTSTAT: Record<ResponseStatus, string> = {
  accepted: 'ACCEPTED',
  declined: 'DECLINED',
  tentative: 'TENTATIVE',
  needsAction: 'NEEDS-ACTION',
};

/**
 * A value type ical.js has no decoder for: a parameter of this type is read as written. Parameter
 * values have no backslash escaping in RFC 5545 (RFC 6868 uses `^`, which ical.js decodes apart), but
 * ical.js reads every parameter as TEXT and unescapes `\;`, `\,`, `\n`: a CN of `A, \;` came back as
 * `A, ;`. ical.js writes parameter values verbatim, so reading them verbatim makes the round trip exact.
 */
const RAW_PARAM_TYPE = 'x-switchyard-verbatim';
/** Free-text parameters switchyard reads. */
const VERBATIM_PARAMS = ['cn'] as const;

export function parseCalendar(text: string): ICAL.Component {
  // Set only for this synchronous call, so a host's own ical.js use is unaffected.
  const params = ICAL.design.icalendar.param as Record<string, { valueType?: string } | undefined>;
  const previous = VERBATIM_PARAMS.map((name) => [name, params[name]] as const);
  for (const name of VERBATIM_PARAMS) params[name] = { ...params[name], valueType: RAW_PARAM_TYPE };
  try {
    const comp = new ICAL.Component(ICAL.parse(text));
    if (comp.name !== 'vcalendar') throw new Error('not a VCALENDAR');
    return comp;
  } catch (error) {
    throw new IntegrationError('provider_error', 'the server returned calendar data that is not valid iCalendar', {
      provider: 'caldav',
      cause: error,
    });
  } finally {
    for (const [name, design] of previous) {
      if (design === undefined) delete params[name];
      else params[name] = design;
    }
  }
}

/**
 * The resource as iCalendar text. ical.js folds at `foldLength` octets counted before the leading
 * space of a continuation line, so its default (75) yields 76-octet lines: 74 keeps every line
 * within RFC 5545's 75. Set only for this synchronous call, so a host's own ical.js use is unaffected.
 */
export function serializeCalendar(cal: ICAL.Component): string {
  const previous = ICAL.foldLength;
  ICAL.foldLength = 74;
  try {
    return cal.toString();
  } finally {
    ICAL.foldLength = previous;
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function localString(t: ICAL.Time): string {
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
}

/** Resolve a TZID to an IANA name: IANA as is, Windows names mapped, `/mozilla.org/…/Europe/Paris` prefixes stripped. */
function ianaOf(tzid: string): string | undefined {
  if (isValidTimeZone(tzid)) return tzid;
  const mapped = windowsToIana(tzid);
  if (mapped) return mapped;
  const tail = tzid.match(/([A-Za-z_]+\/[A-Za-z_+-]+(?:\/[A-Za-z_+-]+)?)$/)?.[1];
  return tail && isValidTimeZone(tail) ? tail : undefined;
}

/** Read a DTSTART/DTEND/RECURRENCE-ID property. Floating times are read in `zone` (the calendar's). */
export function readTime(prop: ICAL.Property, zone: string): EventTime {
  const t = prop.getFirstValue() as ICAL.Time;
  if (t.isDate) return { date: `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}` };
  const tzid = prop.getParameter('tzid') as string | undefined;
  if (tzid) {
    const iana = ianaOf(tzid);
    if (iana) return { dateTime: localString(t), timeZone: iana };
    // An unknown TZID: trust its VTIMEZONE (ical.js applies it) and report the instant in UTC.
    return { dateTime: localString(t.convertToZone(ICAL.Timezone.utcTimezone)), timeZone: 'UTC' };
  }
  if (t.zone === ICAL.Timezone.utcTimezone) return { dateTime: localString(t), timeZone: 'UTC' };
  return { dateTime: localString(t), timeZone: zone };
}

/** Write a date or date-time property (`replace`: drop the existing ones of that name first). */
export function writeTime(vevent: ICAL.Component, name: string, time: EventTime, replace = true): void {
  if (replace) vevent.removeAllProperties(name);
  if ('date' in time) {
    vevent.addPropertyWithValue(name, ICAL.Time.fromDateString(time.date));
    return;
  }
  if (time.timeZone === 'UTC') {
    const t = ICAL.Time.fromDateTimeString(`${time.dateTime.slice(0, 19)}Z`);
    t.zone = ICAL.Timezone.utcTimezone;
    vevent.addPropertyWithValue(name, t);
    return;
  }
  const prop = vevent.addPropertyWithValue(name, ICAL.Time.fromDateTimeString(time.dateTime.slice(0, 19)));
  prop.setParameter('tzid', time.timeZone);
}

function setText(vevent: ICAL.Component, name: string, value: string | undefined): void {
  vevent.removeAllProperties(name);
  if (value !== undefined && value !== '') vevent.addPropertyWithValue(name, value);
}

/** What one VEVENT can say: a patch, where an override may also be cancelled. */
export type VeventFields = Omit<EventPatch, 'status'> & { status?: EventStatus };

const mailto = (email: string) => `mailto:${email}`;
const fromMailto = (value: string) => value.replace(/^mailto:/i, '');

/** The fields of an event input that map onto one VEVENT, applied in place (only what `fields` has). */
export function applyFields(vevent: ICAL.Component, fields: VeventFields, options: { ownerEmail?: string } = {}): void {
  if ('title' in fields) setText(vevent, 'summary', fields.title);
  if ('description' in fields) setText(vevent, 'description', fields.description);
  if ('location' in fields) setText(vevent, 'location', fields.location);
  if (fields.start) writeTime(vevent, 'dtstart', fields.start);
  if (fields.end) writeTime(vevent, 'dtend', fields.end);
  if (fields.start || fields.end) vevent.removeAllProperties('duration');
  if (fields.status) setText(vevent, 'status', fields.status.toUpperCase());
  if (fields.transparency) setText(vevent, 'transp', fields.transparency === 'transparent' ? 'TRANSPARENT' : 'OPAQUE');
  if ('recurrence' in fields) {
    for (const name of ['rrule', 'exdate', 'rdate']) vevent.removeAllProperties(name);
    for (const line of fields.recurrence ?? []) vevent.addProperty(ICAL.Property.fromString(line.includes(':') ? line : `RRULE:${line}`));
  }
  if ('attendees' in fields) {
    const previous = new Map(readAttendees(vevent, options.ownerEmail).map((a) => [a.email.toLowerCase(), a]));
    vevent.removeAllProperties('attendee');
    for (const a of fields.attendees ?? []) {
      const prop = vevent.addPropertyWithValue('attendee', mailto(a.email));
      if (a.displayName) prop.setParameter('cn', a.displayName);
      prop.setParameter('role', a.optional ? 'OPT-PARTICIPANT' : 'REQ-PARTICIPANT');
      // Keep an attendee's answer across an update that only re-lists them.
      prop.setParameter('partstat', TO_PARTSTAT[previous.get(a.email.toLowerCase())?.responseStatus ?? 'needsAction']);
    }
  }
  if ('extendedProperties' in fields) {
    vevent.removeAllProperties(X_EXTENDED);
    const ext = fields.extendedProperties;
    if (ext && Object.keys(ext).length > 0) vevent.addPropertyWithValue(X_EXTENDED, JSON.stringify(ext));
  }
  // SEQUENCE and DTSTAMP move on every write, as RFC 5546 expects of an organizer's update.
  const seq = Number(vevent.getFirstPropertyValue('sequence') ?? -1);
  vevent.updatePropertyWithValue('sequence', Number.isFinite(seq) ? seq + 1 : 0);
  vevent.updatePropertyWithValue('dtstamp', ICAL.Time.fromJSDate(new Date(), true));
}

export function setPartstat(vevent: ICAL.Component, email: string, response: ResponseStatus): boolean {
  let found = false;
  for (const prop of vevent.getAllProperties('attendee')) {
    if (fromMailto(String(prop.getFirstValue())).toLowerCase() !== email.toLowerCase()) continue;
    prop.setParameter('partstat', TO_PARTSTAT[response]);
    found = true;
  }
  return found;
}

function readAttendees(vevent: ICAL.Component, ownerEmail?: string): Attendee[] {
  return vevent.getAllProperties('attendee').map((prop) => {
    const email = fromMailto(String(prop.getFirstValue()));
    const cn = prop.getParameter('cn') as string | undefined;
    const partstat = String(prop.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase();
    const a: Attendee = { email, responseStatus: PARTSTAT[partstat] ?? 'needsAction' };
    if (cn) a.displayName = cn;
    if (String(prop.getParameter('role') ?? '').toUpperCase() === 'OPT-PARTICIPANT') a.optional = true;
    if (ownerEmail && email.toLowerCase() === ownerEmail.toLowerCase()) a.self = true;
    return a;
  });
}

/** A new override VEVENT for the occurrence of `master` at `originalStart`, copying the master's fields. */
export function newOverride(master: ICAL.Component, originalStart: EventTime, fields: VeventFields): ICAL.Component {
  const v = new ICAL.Component('vevent');
  v.addPropertyWithValue('uid', String(master.getFirstPropertyValue('uid')));
  writeTime(v, 'recurrence-id', originalStart);
  applyFields(v, fields);
  return v;
}

/** A new VCALENDAR holding one VEVENT for `input`, with VTIMEZONEs for its zones. */
export function newResource(uid: string, input: EventInput, fingerprint: string): ICAL.Component {
  const cal = new ICAL.Component('vcalendar');
  cal.addPropertyWithValue('prodid', PRODID);
  cal.addPropertyWithValue('version', '2.0');
  const vevent = new ICAL.Component('vevent');
  vevent.addPropertyWithValue('uid', uid);
  cal.addSubcomponent(vevent);
  const { id: _id, ...fields } = input;
  applyFields(vevent, { status: 'confirmed', transparency: 'opaque', ...fields });
  vevent.addPropertyWithValue(X_FINGERPRINT, fingerprint);
  return cal;
}

/** Add a VTIMEZONE for every TZID the resource uses that has none yet (RFC 5545 §3.2.19). */
export function ensureTimezones(cal: ICAL.Component): void {
  const have = new Set(cal.getAllSubcomponents('vtimezone').map((c) => String(c.getFirstPropertyValue('tzid'))));
  const years = new Map<string, { from: number; to: number }>();
  for (const vevent of cal.getAllSubcomponents('vevent')) {
    const recurring = vevent.hasProperty('rrule');
    for (const prop of vevent.getAllProperties()) {
      const tzid = prop.getParameter('tzid') as string | undefined;
      if (!tzid || have.has(tzid) || !isValidTimeZone(tzid)) continue;
      const t = prop.getFirstValue() as ICAL.Time;
      const year = typeof t?.year === 'number' ? t.year : new Date().getUTCFullYear();
      // A series needs the zone's rules for as long as it may run; ten years is what clients show.
      const span = years.get(tzid) ?? { from: year, to: year };
      years.set(tzid, { from: Math.min(span.from, year), to: Math.max(span.to, recurring ? year + 10 : year) });
    }
  }
  for (const [tzid, span] of years) cal.addSubcomponent(buildVtimezone(tzid, span.from, span.to));
}

export function masterOf(cal: ICAL.Component): ICAL.Component | undefined {
  const events = cal.getAllSubcomponents('vevent');
  return events.find((e) => !e.hasProperty('recurrence-id')) ?? events[0];
}

function readEvent(
  vevent: ICAL.Component,
  base: { id: string; calendarId: string; etag: string },
  zone: string,
  ownerEmail?: string,
): CalendarEvent {
  const dtstart = vevent.getFirstProperty('dtstart');
  if (!dtstart) throw new IntegrationError('provider_error', 'a VEVENT has no DTSTART', { provider: 'caldav' });
  const start = readTime(dtstart, zone);
  const dtend = vevent.getFirstProperty('dtend');
  let end: EventTime;
  if (dtend) end = readTime(dtend, zone);
  else {
    const duration = vevent.getFirstPropertyValue('duration') as ICAL.Duration | null;
    end = endFromDuration(start, duration ? duration.toSeconds() : 'date' in start ? 86_400 : 0);
  }
  const text = (name: string) => {
    const v = vevent.getFirstPropertyValue(name);
    return v === null || v === undefined || v === '' ? undefined : String(v);
  };
  const status = (text('status') ?? 'CONFIRMED').toLowerCase();
  const event: CalendarEvent = {
    id: base.id,
    calendarId: base.calendarId,
    etag: base.etag,
    start,
    end,
    attendees: readAttendees(vevent, ownerEmail),
    status: status === 'cancelled' || status === 'tentative' ? status : 'confirmed',
    transparency: text('transp')?.toUpperCase() === 'TRANSPARENT' ? 'transparent' : 'opaque',
  };
  const uid = text('uid');
  if (uid) event.iCalUID = uid;
  const title = text('summary');
  if (title !== undefined) event.title = title;
  const description = text('description');
  if (description !== undefined) event.description = description;
  const location = text('location');
  if (location !== undefined) event.location = location;
  const organizer = vevent.getFirstProperty('organizer');
  if (organizer) {
    const cn = organizer.getParameter('cn') as string | undefined;
    event.organizer = { email: fromMailto(String(organizer.getFirstValue())), ...(cn ? { displayName: cn } : {}) };
  }
  const ext = text(X_EXTENDED);
  if (ext) {
    try {
      const parsed: unknown = JSON.parse(ext);
      if (parsed && typeof parsed === 'object')
        event.extendedProperties = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      // Another client rewrote it: drop what cannot be read rather than fail the whole listing.
    }
  }
  const modified = vevent.getFirstPropertyValue('last-modified') as ICAL.Time | null;
  if (modified && typeof modified.toJSDate === 'function') event.updated = modified.toJSDate().toISOString();
  const lines = ['rrule', 'exdate', 'rdate'].flatMap((name) => vevent.getAllProperties(name).map((p) => p.toICALString()));
  if (lines.length > 0) event.recurrence = lines;
  return event;
}

function endFromDuration(start: EventTime, seconds: number): EventTime {
  if ('date' in start) {
    const d = new Date(Date.parse(`${start.date}T00:00:00Z`) + Math.max(1, Math.round(seconds / 86_400)) * 86_400_000);
    return { date: d.toISOString().slice(0, 10) };
  }
  return toLocal(new Date(Date.parse(toInstant(start)) + seconds * 1000).toISOString(), start.timeZone);
}

export interface ParsedResource {
  master?: CalendarEvent;
  /** `RECURRENCE-ID` overrides, each with the id `instanceId(master, originalStart)`. */
  overrides: CalendarEvent[];
  /**
   * Occurrences the master's EXDATEs remove (when asked for), as cancelled instances (id, `originalStart`,
   * `status: 'cancelled'`), the way Google and the fake report a deleted occurrence. Only EXDATEs
   * that name a real occurrence of the rule, and none that an override already stands for.
   */
  cancelled: CalendarEvent[];
}

const DAY_MS = 86_400_000;

/** The EXDATE values of a VEVENT (one property may list several), read like DTSTART. */
function readExdates(vevent: ICAL.Component, zone: string): EventTime[] {
  const out: EventTime[] = [];
  for (const prop of vevent.getAllProperties('exdate')) {
    const tzid = prop.getParameter('tzid') as string | undefined;
    for (const value of prop.getValues()) {
      // Each value read as its own one-value property, so TZID and VALUE=DATE apply as they do to DTSTART.
      const single = new ICAL.Property('exdate');
      if (tzid) single.setParameter('tzid', tzid);
      single.setValue(value as ICAL.Time);
      out.push(readTime(single, zone));
    }
  }
  return out;
}

function cancelledOccurrences(master: CalendarEvent, exdates: EventTime[], overrides: CalendarEvent[], zone: string): CalendarEvent[] {
  if (!master.recurrence || exdates.length === 0) return [];
  const overridden = new Set(overrides.flatMap((o) => (o.originalStart ? [originalKey(o.originalStart)] : [])));
  const wanted = new Set(exdates.map(originalKey));
  const instants = exdates.map((t) => instantOf(t, zone));
  // One expansion of the rule without its EXDATEs, over the span the EXDATEs cover.
  const ruleOnly = { ...master, recurrence: master.recurrence.filter((l) => !/^EXDATE/i.test(l)) };
  let occurrences: CalendarEvent[];
  try {
    occurrences = expandSeries(ruleOnly, [], { from: Math.min(...instants) - DAY_MS, to: Math.max(...instants) + 2 * DAY_MS });
  } catch {
    // A rule switchyard cannot expand (two RRULEs, RDATE only): no occurrence to report as cancelled.
    return [];
  }
  const out: CalendarEvent[] = [];
  for (const occ of occurrences) {
    const key = occ.originalStart ? originalKey(occ.originalStart) : '';
    if (!wanted.has(key) || overridden.has(key)) continue;
    wanted.delete(key);
    out.push({ ...occ, status: 'cancelled' });
  }
  return out;
}

/**
 * Every VEVENT of a resource: the master and all of its overrides; with `cancelled`, also the
 * occurrences its EXDATEs cancel (an expansion of the rule, so only asked for where it is shown:
 * change listings and `includeCancelled`).
 */
export function readResource(
  cal: ICAL.Component,
  base: { id: string; calendarId: string; etag: string },
  zone: string,
  ownerEmail?: string,
  options: { cancelled?: boolean } = {},
): ParsedResource {
  const out: ParsedResource = { overrides: [], cancelled: [] };
  let exdates: EventTime[] = [];
  for (const vevent of cal.getAllSubcomponents('vevent')) {
    const rid = vevent.getFirstProperty('recurrence-id');
    if (!rid) {
      out.master = readEvent(vevent, base, zone, ownerEmail);
      if (options.cancelled) exdates = readExdates(vevent, zone);
      continue;
    }
    const originalStart = readTime(rid, zone);
    const ev = readEvent(vevent, { ...base, id: instanceId(base.id, originalStart) }, zone, ownerEmail);
    ev.recurringEventId = base.id;
    ev.originalStart = originalStart;
    delete ev.recurrence;
    out.overrides.push(ev);
  }
  if (out.master && options.cancelled) out.cancelled = cancelledOccurrences(out.master, exdates, out.overrides, zone);
  return out;
}

/** Busy periods (FBTYPE BUSY, BUSY-TENTATIVE, BUSY-UNAVAILABLE; FREE skipped) of a free-busy-query answer, epoch ms. */
export function readFreeBusy(cal: ICAL.Component): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const vfb of cal.getAllSubcomponents('vfreebusy')) {
    for (const prop of vfb.getAllProperties('freebusy')) {
      if (String(prop.getParameter('fbtype') ?? 'BUSY').toUpperCase() === 'FREE') continue;
      for (const value of prop.getValues()) {
        const period = value as ICAL.Period;
        if (!period || typeof period.getEnd !== 'function') continue;
        out.push({ start: period.start.toJSDate().getTime(), end: period.getEnd().toJSDate().getTime() });
      }
    }
  }
  return out;
}
