/**
 * A stateful model of Microsoft Graph v1.0 calendars, served through msw. What it models, because
 * the adapter must get it right:
 * - `calendarView/delta` paging with `Prefer: odata.maxpagesize`, `@odata.nextLink` on every page
 *   but the last, `@odata.deltaLink` on the last; an expired token is 410 `SyncStateNotFound`;
 *   removals come as `{ id, '@removed': { reason: 'deleted' } }`; a deleted occurrence of a series
 *   is NOT reported (v1.0's known gap), only visible through `/events/{master}/instances`; the
 *   feed names series masters (`type: 'seriesMaster'`) besides their instances: a full listing the
 *   master of each series in the window, an increment a changed master even with no instance left;
 * - times in the zone of `Prefer: outlook.timezone` (UTC by default), `originalStartTimeZone` in
 *   Windows names, all-day events as midnight of their dates;
 * - `transactionId` dedupe of creates, `If-Match` → 412, `/accept|decline|tentativelyAccept`,
 *   `getSchedule`, subscriptions capped at 4230 minutes, PATCH renewal and DELETE;
 * - injected 429/503/504 answers with `Retry-After`.
 */
import { http, HttpResponse } from 'msw';
import { expandRecurrence, graphRecurrenceToRrule, type GraphPatternedRecurrence } from '../../../src/recurrence/index.js';
import { toInstant, toLocal, windowsToIana } from '../../../src/time/index.js';

export const GRAPH_BASE = 'https://graph.microsoft.com/v1.0';
export const EXT_PROP_ID = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name switchyard';
const MAX_SUBSCRIPTION_MINUTES = 4230;

type GTime = { dateTime: string; timeZone: string };
export interface GraphEvent {
  id: string;
  '@odata.etag': string;
  changeKey: string;
  iCalUId: string;
  subject?: string;
  body?: { contentType: string; content: string };
  location?: { displayName: string };
  start: GTime;
  end: GTime;
  isAllDay: boolean;
  originalStartTimeZone: string;
  originalEndTimeZone: string;
  showAs: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
  isCancelled: boolean;
  type: 'singleInstance' | 'seriesMaster' | 'occurrence' | 'exception';
  seriesMasterId?: string;
  originalStart?: string;
  recurrence?: GraphPatternedRecurrence | null;
  attendees: { emailAddress: { address: string; name?: string }; type: string; status: { response: string; time?: string } }[];
  organizer: { emailAddress: { address: string } };
  transactionId?: string;
  lastModifiedDateTime: string;
  onlineMeeting?: { joinUrl: string } | null;
  singleValueExtendedProperties?: { id: string; value: string }[];
}

interface Rec {
  ev: GraphEvent;
  seq: number;
  deleted: boolean;
  calendarId: string;
}

export interface GraphApiOptions {
  calendars?: { id: string; name?: string; canEdit?: boolean; isDefaultCalendar?: boolean }[];
  /** Mailbox zone, a Windows name (what Graph's mailboxSettings returns). */
  mailboxTimeZone?: string;
  ownerEmail?: string;
  now?: () => number;
}

type Fault = { status: number; retryAfter?: string };
const err = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  HttpResponse.json({ error: { code, message } }, { status, headers });

const zoneToIana = (z: string) => windowsToIana(z) ?? z;
const seven = (iso: string) => `${iso.slice(0, 19)}.0000000`;

export function createGraphApi(options: GraphApiOptions = {}) {
  const now = options.now ?? Date.now;
  const owner = options.ownerEmail ?? 'me@contoso.com';
  const mailboxZone = options.mailboxTimeZone ?? 'Pacific Standard Time';
  const calendars = options.calendars ?? [{ id: 'AAMkCal1', name: 'Calendar', canEdit: true, isDefaultCalendar: true }];
  const recs = new Map<string, Rec>();
  let seq = 0;
  let epoch = 0;
  let idn = 0;
  const faults: Fault[] = [];
  const subscriptions = new Map<string, { resource: string; expirationDateTime: string; clientState?: string; notificationUrl: string }>();
  const stats = { requests: 0, deltaRequests: 0 };

  const newId = (p: string) => `${p}${(++idn).toString(36).padStart(6, '0')}AAA=`;
  const instant = (t: GTime) => Date.parse(toInstant({ dateTime: t.dateTime.slice(0, 19), timeZone: zoneToIana(t.timeZone) }));

  function save(ev: GraphEvent, calendarId: string, deleted = false): GraphEvent {
    seq += 1;
    const stored = {
      ...ev,
      '@odata.etag': `W/"CQAAAB${seq}"`,
      changeKey: `CQAAAB${seq}`,
      lastModifiedDateTime: new Date(now()).toISOString(),
    };
    recs.set(ev.id, { ev: stored, seq, deleted, calendarId });
    return stored;
  }

  function occurrenceId(masterId: string, startInstant: number) {
    return `OCC${Buffer.from(JSON.stringify({ m: masterId, s: startInstant })).toString('base64url')}`;
  }

  /** Occurrences and exceptions of a master overlapping [from, to). */
  function instancesOf(master: GraphEvent, from: number, to: number, withCancelled = false): GraphEvent[] {
    if (!master.recurrence) return [];
    const zone = zoneToIana(master.start.timeZone);
    const start = master.isAllDay
      ? { date: master.start.dateTime.slice(0, 10) }
      : { dateTime: master.start.dateTime.slice(0, 19), timeZone: zone };
    const rrule = graphRecurrenceToRrule(master.recurrence, start);
    const duration = instant(master.end) - instant(master.start);
    const exceptions = [...recs.values()].filter((r) => !r.deleted && r.ev.seriesMasterId === master.id && r.ev.type === 'exception');
    const byOriginal = new Map(exceptions.map((r) => [Date.parse(r.ev.originalStart ?? ''), r.ev]));
    const occ = expandRecurrence(
      { rrule, start },
      { from: new Date(from - duration - 86_400_000).toISOString(), to: new Date(to).toISOString() },
    );
    const out: GraphEvent[] = [];
    for (const o of occ) {
      const s = o.instant
        ? Date.parse(o.instant)
        : Date.parse(toInstant({ dateTime: `${(o.start as { date: string }).date}T00:00:00`, timeZone: zone }));
      const exc = byOriginal.get(s);
      if (exc) {
        if (!exc.isCancelled || withCancelled) out.push(exc);
        continue;
      }
      const startLocal = o.instant ? toLocal(o.instant, zone).dateTime : `${(o.start as { date: string }).date}T00:00:00`;
      const endLocal = toLocal(new Date(s + duration).toISOString(), zone).dateTime;
      const { recurrence: _r, ...rest } = master;
      out.push({
        ...rest,
        id: occurrenceId(master.id, s),
        type: 'occurrence',
        seriesMasterId: master.id,
        originalStart: new Date(s).toISOString(),
        start: { dateTime: seven(startLocal), timeZone: master.start.timeZone },
        end: { dateTime: seven(endLocal), timeZone: master.end.timeZone },
        recurrence: null,
      });
    }
    return out.filter((e) => instant(e.start) < to && instant(e.end) > from);
  }

  function resolve(id: string): { ev: GraphEvent; calendarId: string } | undefined {
    const r = recs.get(id);
    if (r) return r.deleted ? undefined : { ev: r.ev, calendarId: r.calendarId };
    if (!id.startsWith('OCC')) return undefined;
    try {
      const { m, s } = JSON.parse(Buffer.from(id.slice(3), 'base64url').toString()) as { m: string; s: number };
      const master = recs.get(m);
      if (!master || master.deleted) return undefined;
      const ev = instancesOf(master.ev, s, s + 1).find((e) => e.id === id);
      return ev ? { ev, calendarId: master.calendarId } : undefined;
    } catch {
      return undefined;
    }
  }

  /** The resource as Graph returns it: times in the Prefer zone, extended properties only when expanded. */
  function shape(ev: GraphEvent, request: Request, url: URL): Record<string, unknown> {
    const prefer = /outlook\.timezone="([^"]+)"/.exec(request.headers.get('prefer') ?? '')?.[1] ?? 'UTC';
    const zone = zoneToIana(prefer);
    const conv = (t: GTime): GTime =>
      ev.isAllDay
        ? { dateTime: seven(`${t.dateTime.slice(0, 10)}T00:00:00`), timeZone: prefer }
        : { dateTime: seven(toLocal(new Date(instant(t)).toISOString(), zone).dateTime), timeZone: prefer };
    const out: Record<string, unknown> = { ...ev, start: conv(ev.start), end: conv(ev.end) };
    if (!(url.searchParams.get('$expand') ?? '').includes('singleValueExtendedProperties')) delete out.singleValueExtendedProperties;
    delete out.transactionId;
    return out;
  }

  function gate(request: Request): Response | undefined {
    stats.requests += 1;
    if (!/^Bearer \S+/.test(request.headers.get('authorization') ?? ''))
      return err(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const f = faults.shift();
    if (f)
      return err(
        f.status,
        f.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
        'try later',
        f.retryAfter ? { 'Retry-After': f.retryAfter } : undefined,
      );
    return undefined;
  }

  const cal = (id: unknown) => calendars.find((c) => c.id === decodeURIComponent(String(id)));
  const token = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const untoken = (t: string | null): Record<string, unknown> | undefined => {
    if (!t) return undefined;
    try {
      return JSON.parse(Buffer.from(t, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };

  /** Everything the calendar view shows in [from, to): singles, occurrences, exceptions. */
  function view(calendarId: string, from: number, to: number, withCancelled = false): GraphEvent[] {
    const out: GraphEvent[] = [];
    for (const r of recs.values()) {
      if (r.deleted || r.calendarId !== calendarId) continue;
      if (r.ev.type === 'seriesMaster') out.push(...instancesOf(r.ev, from, to, withCancelled));
      else if (r.ev.type === 'singleInstance' && instant(r.ev.start) < to && instant(r.ev.end) > from) out.push(r.ev);
    }
    return out;
  }

  function fromBody(body: Partial<GraphEvent>, id: string): GraphEvent | Response {
    if (!body.start || !body.end) return err(400, 'ErrorInvalidRequest', 'start and end are required');
    for (const t of [body.start, body.end]) {
      try {
        toInstant({ dateTime: '2026-01-01T00:00:00', timeZone: zoneToIana(t.timeZone) });
      } catch {
        return err(400, 'TimeZoneNotSupportedException', `A valid TimeZone value must be specified.`);
      }
    }
    if (instant(body.end) < instant(body.start)) return err(400, 'ErrorInvalidRequest', 'The end time must be after the start time.');
    if (body.isAllDay && (!body.start.dateTime.includes('T00:00:00') || !body.end.dateTime.includes('T00:00:00'))) {
      return err(400, 'ErrorInvalidRequest', 'All-day events must start and end at midnight.');
    }
    return {
      id,
      '@odata.etag': '',
      changeKey: '',
      iCalUId: `040000008200E00074C5B7101A82E008${id}`,
      start: body.start,
      end: body.end,
      isAllDay: body.isAllDay ?? false,
      originalStartTimeZone: body.start.timeZone,
      originalEndTimeZone: body.end.timeZone,
      showAs: body.showAs ?? 'busy',
      isCancelled: false,
      type: body.recurrence ? 'seriesMaster' : 'singleInstance',
      recurrence: body.recurrence ?? null,
      attendees: (body.attendees ?? []).map((a) => ({ ...a, status: { response: 'none' } })),
      organizer: { emailAddress: { address: owner } },
      lastModifiedDateTime: '',
      ...(body.subject !== undefined ? { subject: body.subject } : {}),
      ...(body.body ? { body: body.body } : {}),
      ...(body.location ? { location: body.location } : {}),
      ...(body.transactionId ? { transactionId: body.transactionId } : {}),
      ...(body.singleValueExtendedProperties ? { singleValueExtendedProperties: body.singleValueExtendedProperties } : {}),
    };
  }

  const eventPath = (p: string) => [`${GRAPH_BASE}/me/events/${p}`, `${GRAPH_BASE}/me/calendars/:cal/events/${p}`];

  const handlers = [
    http.get(`${GRAPH_BASE}/me/mailboxSettings`, ({ request }) => gate(request) ?? HttpResponse.json({ timeZone: mailboxZone })),
    http.get(
      `${GRAPH_BASE}/me/calendars`,
      ({ request }) =>
        gate(request) ??
        HttpResponse.json({
          value: calendars.map((c) => ({
            id: c.id,
            name: c.name ?? c.id,
            canEdit: c.canEdit ?? true,
            isDefaultCalendar: c.isDefaultCalendar ?? false,
            owner: { address: owner },
          })),
        }),
    ),

    http.get(`${GRAPH_BASE}/me/calendars/:cal/calendarView/delta`, ({ request, params }) => {
      const denied = gate(request);
      if (denied) return denied;
      stats.deltaRequests += 1;
      const c = cal(params.cal);
      if (!c) return err(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      const url = new URL(request.url);
      const pageSize = Number(/odata\.maxpagesize=(\d+)/.exec(request.headers.get('prefer') ?? '')?.[1] ?? 100);
      const skip = untoken(url.searchParams.get('$skiptoken'));
      const delta = untoken(url.searchParams.get('$deltatoken'));
      let state: Record<string, unknown>;
      if (skip) state = skip;
      else if (delta) state = { ...delta, mode: 'inc', after: delta.s };
      else {
        const from = Date.parse(url.searchParams.get('startDateTime') ?? '');
        const to = Date.parse(url.searchParams.get('endDateTime') ?? '');
        if (Number.isNaN(from) || Number.isNaN(to)) return err(400, 'ErrorInvalidParameter', 'startDateTime and endDateTime are required');
        state = { mode: 'full', from, to, s: seq, after: '', e: epoch };
      }
      if (state.e !== epoch) return err(410, 'SyncStateNotFound', 'The sync state generation is not found.');
      const from = state.from as number;
      const to = state.to as number;
      let items: { key: string | number; body: Record<string, unknown> }[];
      if (state.mode === 'full') {
        items = view(c.id, from, to).map((e) => ({ key: e.id, body: shape(e, request, url) }));
        // A full listing names the master of every series with instances in the window, too.
        const masters = new Set(
          items.flatMap((x) => ((x.body.seriesMasterId as string | undefined) ? [x.body.seriesMasterId as string] : [])),
        );
        for (const id of masters) {
          const m = recs.get(id);
          if (m && !m.deleted) items.push({ key: id, body: shape(m.ev, request, url) });
        }
        items = items
          .filter((x) => (x.key as string) > (state.after as string))
          .sort((a, b) => ((a.key as string) < (b.key as string) ? -1 : 1));
      } else {
        // Changed records since the token, in order. A changed master reports its instances in the
        // window; a deleted record is `@removed`; a cancelled occurrence is not reported at all.
        const changed = [...recs.values()]
          .filter((r) => r.seq > (state.after as number) && r.calendarId === c.id)
          .sort((a, b) => a.seq - b.seq);
        items = [];
        for (const r of changed) {
          if (r.deleted && r.ev.type === 'seriesMaster') {
            // A deleted series is reported instance by instance: the view never held the master.
            for (const i of instancesOf({ ...r.ev }, from, to, true))
              items.push({ key: r.seq, body: { id: i.id, '@removed': { reason: 'deleted' } } });
          } else if (r.deleted) items.push({ key: r.seq, body: { id: r.ev.id, '@removed': { reason: 'deleted' } } });
          else if (r.ev.type === 'seriesMaster') {
            // Graph's calendarView delta lists a changed series master itself, then its instances in
            // the window. The master comes even when no instance is left (all cancelled): it is the
            // only trace such a change leaves in the feed.
            items.push({ key: r.seq, body: shape(r.ev, request, url) });
            for (const i of instancesOf(r.ev, from, to)) items.push({ key: r.seq, body: shape(i, request, url) });
          } else if (r.ev.type === 'exception' && r.ev.isCancelled) continue;
          else if (instant(r.ev.start) < to && instant(r.ev.end) > from) items.push({ key: r.seq, body: shape(r.ev, request, url) });
        }
      }
      const page = items.slice(0, pageSize);
      const more = items.length > page.length;
      const base = `${GRAPH_BASE}/me/calendars/${c.id}/calendarView/delta`;
      const last = page[page.length - 1]?.key;
      const body: Record<string, unknown> = { value: page.map((x) => x.body) };
      if (more) {
        // Items of one record share a key: continue after the whole record (pages may run a little over).
        let cut = page.length;
        while (cut < items.length && items[cut]?.key === last) page.push(items[cut++] as (typeof items)[number]);
        body.value = page.map((x) => x.body);
        if (cut < items.length) body['@odata.nextLink'] = `${base}?$skiptoken=${token({ ...state, after: last })}`;
        else body['@odata.deltaLink'] = `${base}?$deltatoken=${token({ e: epoch, from, to, s: state.mode === 'full' ? state.s : last })}`;
      } else {
        body['@odata.deltaLink'] =
          `${base}?$deltatoken=${token({ e: epoch, from, to, s: state.mode === 'full' ? state.s : (last ?? state.after) })}`;
      }
      return HttpResponse.json(body);
    }),

    http.get(`${GRAPH_BASE}/me/calendars/:cal/calendarView`, ({ request, params }) => {
      const denied = gate(request);
      if (denied) return denied;
      const c = cal(params.cal);
      if (!c) return err(404, 'ErrorItemNotFound', 'not found');
      const url = new URL(request.url);
      const from = Date.parse(url.searchParams.get('startDateTime') ?? '');
      const to = Date.parse(url.searchParams.get('endDateTime') ?? '');
      if (Number.isNaN(from) || Number.isNaN(to)) return err(400, 'ErrorInvalidParameter', 'startDateTime and endDateTime are required');
      const top = Number(url.searchParams.get('$top') ?? 10);
      const skip = Number(url.searchParams.get('$skip') ?? 0);
      const all = view(c.id, from, to).sort((a, b) => instant(a.start) - instant(b.start) || (a.id < b.id ? -1 : 1));
      const page = all.slice(skip, skip + top);
      const body: Record<string, unknown> = { value: page.map((e) => shape(e, request, url)) };
      if (skip + top < all.length) {
        const next = new URL(url);
        next.searchParams.set('$skip', String(skip + top));
        body['@odata.nextLink'] = next.toString();
      }
      return HttpResponse.json(body);
    }),

    http.get(`${GRAPH_BASE}/me/events/:id/instances`, ({ request, params }) => {
      const denied = gate(request);
      if (denied) return denied;
      const r = recs.get(String(params.id));
      if (!r || r.deleted) return err(404, 'ErrorItemNotFound', 'not found');
      const url = new URL(request.url);
      const from = Date.parse(url.searchParams.get('startDateTime') ?? '');
      const to = Date.parse(url.searchParams.get('endDateTime') ?? '');
      // v1.0 lists cancelled occurrences nowhere: /instances simply omits them.
      return HttpResponse.json({ value: instancesOf(r.ev, from, to).map((e) => shape(e, request, url)) });
    }),

    http.post(`${GRAPH_BASE}/me/calendars/:cal/events`, async ({ request, params }) => {
      const denied = gate(request);
      if (denied) return denied;
      const c = cal(params.cal);
      if (!c) return err(404, 'ErrorItemNotFound', 'not found');
      if (c.canEdit === false) return err(403, 'ErrorAccessDenied', 'Access is denied.');
      const body = (await request.json()) as Partial<GraphEvent>;
      if (body.transactionId) {
        // Graph's retry guard: a second create with the same transactionId returns the first event.
        const prior = [...recs.values()].find((r) => r.ev.transactionId === body.transactionId && !r.deleted);
        if (prior) return HttpResponse.json(shape(prior.ev, request, new URL(request.url)), { status: 201 });
      }
      const ev = fromBody(body, newId('AAMkEv'));
      if (ev instanceof Response) return ev;
      return HttpResponse.json(shape(save(ev, c.id), request, new URL(request.url)), { status: 201 });
    }),

    ...eventPath(':id').map((path) =>
      http.get(path, ({ request, params }) => {
        const denied = gate(request);
        if (denied) return denied;
        const found = resolve(String(params.id));
        return found
          ? HttpResponse.json(shape(found.ev, request, new URL(request.url)))
          : err(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      }),
    ),

    ...eventPath(':id').map((path) =>
      http.patch(path, async ({ request, params }) => {
        const denied = gate(request);
        if (denied) return denied;
        const found = resolve(String(params.id));
        if (!found) return err(404, 'ErrorItemNotFound', 'not found');
        const ifMatch = request.headers.get('if-match');
        if (ifMatch && ifMatch !== found.ev['@odata.etag'])
          return err(
            412,
            'ErrorIrresolvableConflict',
            'The change key passed in the request does not match the current change key for the item.',
          );
        const patch = (await request.json()) as Partial<GraphEvent>;
        const next: GraphEvent = { ...found.ev, ...patch } as GraphEvent;
        if (found.ev.type === 'occurrence') next.type = 'exception';
        if (patch.start) next.originalStartTimeZone = patch.start.timeZone;
        if (patch.end) next.originalEndTimeZone = patch.end.timeZone;
        if (instant(next.end) < instant(next.start)) return err(400, 'ErrorInvalidRequest', 'The end time must be after the start time.');
        if (next.type === 'exception') next.recurrence = null;
        return HttpResponse.json(shape(save(next, found.calendarId), request, new URL(request.url)));
      }),
    ),

    ...eventPath(':id').map((path) =>
      http.delete(path, ({ request, params }) => {
        const denied = gate(request);
        if (denied) return denied;
        const found = resolve(String(params.id));
        if (!found || found.ev.isCancelled) return err(404, 'ErrorItemNotFound', 'not found');
        const ifMatch = request.headers.get('if-match');
        if (ifMatch && ifMatch !== found.ev['@odata.etag']) return err(412, 'ErrorIrresolvableConflict', 'change key mismatch');
        if (found.ev.type === 'occurrence' || found.ev.type === 'exception') {
          save({ ...found.ev, type: 'exception', isCancelled: true }, found.calendarId);
          // Cancelling an occurrence changes its series master (new changeKey), as Exchange does.
          const master = recs.get(found.ev.seriesMasterId ?? '');
          if (master && !master.deleted) save(master.ev, master.calendarId);
        } else {
          for (const r of recs.values()) if (!r.deleted && r.ev.seriesMasterId === found.ev.id) save(r.ev, r.calendarId, true);
          save(found.ev, found.calendarId, true);
        }
        return new HttpResponse(null, { status: 204 });
      }),
    ),

    ...['accept', 'decline', 'tentativelyAccept'].flatMap((action) =>
      eventPath(`:id/${action}`).map((path) =>
        http.post(path, ({ request, params }) => {
          const denied = gate(request);
          if (denied) return denied;
          const found = resolve(String(params.id));
          if (!found) return err(404, 'ErrorItemNotFound', 'not found');
          if (!found.ev.attendees.some((a) => a.emailAddress.address === owner))
            return err(400, 'ErrorInvalidRequest', 'You are not an attendee.');
          const response = action === 'accept' ? 'accepted' : action === 'decline' ? 'declined' : 'tentativelyAccepted';
          const attendees = found.ev.attendees.map((a) =>
            a.emailAddress.address === owner ? { ...a, status: { response, time: new Date(now()).toISOString() } } : a,
          );
          save({ ...found.ev, attendees, ...(found.ev.type === 'occurrence' ? { type: 'exception' as const } : {}) }, found.calendarId);
          return new HttpResponse(null, { status: 202 });
        }),
      ),
    ),

    http.post(`${GRAPH_BASE}/me/calendar/getSchedule`, async ({ request }) => {
      const denied = gate(request);
      if (denied) return denied;
      const body = (await request.json()) as { schedules: string[]; startTime: GTime; endTime: GTime };
      const from = instant(body.startTime);
      const to = instant(body.endTime);
      const defaultCal = calendars.find((c) => c.isDefaultCalendar)?.id ?? calendars[0]?.id ?? '';
      return HttpResponse.json({
        value: body.schedules.map((s) =>
          s === owner
            ? {
                scheduleId: s,
                scheduleItems: view(defaultCal, from, to)
                  .filter((e) => !e.isCancelled && e.showAs !== 'free')
                  .map((e) => ({
                    status: e.showAs,
                    start: { dateTime: seven(new Date(instant(e.start)).toISOString()), timeZone: 'UTC' },
                    end: { dateTime: seven(new Date(instant(e.end)).toISOString()), timeZone: 'UTC' },
                  })),
              }
            : {
                scheduleId: s,
                error: { message: 'The specified user could not be found', responseCode: 'ErrorMailRecipientNotFound' },
                scheduleItems: [],
              },
        ),
      });
    }),

    http.post(`${GRAPH_BASE}/subscriptions`, async ({ request }) => {
      const denied = gate(request);
      if (denied) return denied;
      const body = (await request.json()) as {
        changeType: string;
        notificationUrl: string;
        resource: string;
        expirationDateTime: string;
        clientState?: string;
        lifecycleNotificationUrl?: string;
      };
      if (!body.notificationUrl?.startsWith('https://')) return err(400, 'InvalidRequest', 'NotificationUrl must be https');
      const max = now() + MAX_SUBSCRIPTION_MINUTES * 60_000;
      if (Date.parse(body.expirationDateTime) > max)
        return err(400, 'InvalidRequest', 'Subscription expiration can only be 4230 minutes in the future.');
      const id = `sub-${++idn}`;
      subscriptions.set(id, {
        resource: body.resource,
        expirationDateTime: body.expirationDateTime,
        clientState: body.clientState,
        notificationUrl: body.notificationUrl,
      });
      return HttpResponse.json(
        {
          id,
          resource: body.resource,
          changeType: body.changeType,
          expirationDateTime: body.expirationDateTime,
          clientState: body.clientState,
        },
        { status: 201 },
      );
    }),
    http.patch(`${GRAPH_BASE}/subscriptions/:id`, async ({ request, params }) => {
      const denied = gate(request);
      if (denied) return denied;
      const sub = subscriptions.get(String(params.id));
      if (!sub) return err(404, 'ResourceNotFound', 'subscription not found');
      const body = (await request.json()) as { expirationDateTime: string };
      // Graph may grant less than asked: it caps at the maximum for the resource.
      const granted = Math.min(Date.parse(body.expirationDateTime), now() + MAX_SUBSCRIPTION_MINUTES * 60_000);
      sub.expirationDateTime = new Date(granted).toISOString();
      return HttpResponse.json({ id: params.id, resource: sub.resource, expirationDateTime: sub.expirationDateTime });
    }),
    http.delete(`${GRAPH_BASE}/subscriptions/:id`, ({ request, params }) => {
      const denied = gate(request);
      if (denied) return denied;
      return subscriptions.delete(String(params.id))
        ? new HttpResponse(null, { status: 204 })
        : err(404, 'ResourceNotFound', 'subscription not found');
    }),
  ];

  return {
    handlers,
    stats,
    subscriptions,
    owner,
    /** Invalidate every delta and skip token: the next use is 410 SyncStateNotFound. */
    expireTokens() {
      epoch += 1;
    },
    inject(...f: Fault[]) {
      faults.push(...f);
    },
    /** What the calendar view holds in a window, id → etag (the ground truth for sync tests). */
    viewState(calendarId: string, from: string, to: string): Map<string, string> {
      return new Map(view(calendarId, Date.parse(from), Date.parse(to)).map((e) => [e.id, e['@odata.etag']]));
    },
  };
}

export type GraphApi = ReturnType<typeof createGraphApi>;
