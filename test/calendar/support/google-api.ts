/**
 * A stateful model of the Google Calendar v3 REST API, served through msw, for the conformance
 * suite, the sync property and the bench. It models what the adapter must get right:
 * - events.list paging (`maxResults`, `nextPageToken`) with `nextSyncToken` on the last page only;
 * - a `syncToken` cannot be combined with timeMin/timeMax/q/orderBy/updatedMin (400), and an
 *   expired one is 410 `fullSyncRequired`; with a sync token, deleted events come back `cancelled`;
 * - recurring masters, instances (`singleEvents=true`, ids `master_20260302T170000Z`), modified and
 *   cancelled instances stored as exceptions;
 * - client-chosen ids (base32hex; 409 `duplicate` when reused), `If-Match` → 412;
 * - freebusy.query (400 when the range is longer than the API accepts), events.watch, channels.stop;
 * - injected quota errors (403 `rateLimitExceeded` / `userRateLimitExceeded`, 429 with Retry-After) and 503s.
 * Times come back as Google sends them: `dateTime` with an offset plus `timeZone`.
 */
import { http, HttpResponse } from 'msw';
import { expandRecurrence, overrideFromGoogle } from '../../../src/recurrence/index.js';
import { toInstant } from '../../../src/time/index.js';

export const GOOGLE_BASE = 'https://www.googleapis.com/calendar/v3';
const MAX_FREEBUSY_DAYS = 90;

type GTime = { dateTime?: string; date?: string; timeZone?: string };
export interface GEvent {
  kind: 'calendar#event';
  id: string;
  etag: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  iCalUID: string;
  summary?: string;
  description?: string;
  location?: string;
  start: GTime;
  end: GTime;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: GTime;
  transparency?: 'opaque' | 'transparent';
  attendees?: { email: string; displayName?: string; responseStatus: string; optional?: boolean; self?: boolean }[];
  organizer?: { email: string; self?: boolean };
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
  reminders?: { useDefault: boolean; overrides?: { method: string; minutes: number }[] };
  hangoutLink?: string;
  updated: string;
  created: string;
}

interface Rec {
  ev: GEvent;
  seq: number;
  deleted: boolean;
}

interface Cal {
  id: string;
  summary: string;
  timeZone: string;
  accessRole: string;
  primary: boolean;
  seq: number;
  epoch: number;
  recs: Map<string, Rec>;
}

export interface GoogleApiOptions {
  calendars?: { id: string; timeZone?: string; accessRole?: string; primary?: boolean }[];
  ownerEmail?: string;
  now?: () => number;
  /** Largest maxResults honoured (Google: 2500). */
  maxPageSize?: number;
}

type Fault = { status: number; reason?: string; retryAfter?: string };

const err = (status: number, reason: string, message: string, headers?: Record<string, string>) =>
  HttpResponse.json({ error: { code: status, message, errors: [{ domain: 'global', reason, message }] } }, { status, headers });

export function createGoogleApi(options: GoogleApiOptions = {}) {
  const now = options.now ?? Date.now;
  const owner = options.ownerEmail ?? 'me@example.com';
  const maxPage = options.maxPageSize ?? 2500;
  const cals = new Map<string, Cal>();
  for (const c of options.calendars ?? [{ id: 'primary', primary: true, timeZone: 'UTC' }]) {
    cals.set(c.id, {
      id: c.id,
      summary: c.id,
      timeZone: c.timeZone ?? 'UTC',
      accessRole: c.accessRole ?? 'owner',
      primary: c.primary ?? false,
      seq: 0,
      epoch: 0,
      recs: new Map(),
    });
  }
  const faults: Fault[] = [];
  const channels = new Map<string, { resourceId: string; calendarId: string; expiration: number; token?: string; address: string }>();
  const stats = { requests: 0, listRequests: 0, freeBusyRequests: 0 };

  const zoneOf = (t: GTime, cal: Cal) => t.timeZone ?? cal.timeZone;
  function withOffset(t: GTime, cal: Cal): GTime {
    if (t.date) return { date: t.date };
    const tz = zoneOf(t, cal);
    return { dateTime: toInstant({ dateTime: t.dateTime as string, timeZone: tz }), ...(t.timeZone ? { timeZone: t.timeZone } : {}) };
  }
  const ms = (t: GTime, cal: Cal) =>
    t.date
      ? Date.parse(toInstant({ dateTime: `${t.date}T00:00:00`, timeZone: cal.timeZone }))
      : Date.parse(toInstant({ dateTime: t.dateTime as string, timeZone: zoneOf(t, cal) }));

  function save(cal: Cal, ev: GEvent, deleted = false): GEvent {
    cal.seq += 1;
    const stored = { ...ev, etag: `"${3_000_000_000_000 + cal.seq}"`, updated: new Date(now()).toISOString() };
    cal.recs.set(ev.id, { ev: stored, seq: cal.seq, deleted });
    return stored;
  }

  function instancesOf(cal: Cal, master: GEvent, from: number, to: number): GEvent[] {
    const rrule = (master.recurrence ?? []).find((l) => l.startsWith('RRULE'));
    if (!rrule) return [];
    const exdates = (master.recurrence ?? []).filter((l) => l.startsWith('EXDATE'));
    const exceptions = [...cal.recs.values()].filter((r) => !r.deleted && r.ev.recurringEventId === master.id).map((r) => r.ev);
    const start = master.start.date
      ? { date: master.start.date }
      : { dateTime: (master.start.dateTime as string).slice(0, 19), timeZone: zoneOf(master.start, cal) };
    const duration = ms(master.end, cal) - ms(master.start, cal);
    const overrides = exceptions.map((e) =>
      overrideFromGoogle(
        { ...e, originalStartTime: { ...e.originalStartTime, timeZone: e.originalStartTime?.timeZone ?? zoneOf(master.start, cal) } },
        e.id,
      ),
    );
    const occ = expandRecurrence(
      { rrule, start, exdates, overrides },
      { from: new Date(from - duration - 86_400_000).toISOString(), to: new Date(to).toISOString() },
    );
    const out: GEvent[] = [];
    for (const o of occ) {
      const exc = o.override?.data === undefined ? undefined : exceptions.find((e) => e.id === o.override?.data);
      if (exc) {
        out.push(exc);
        continue;
      }
      const id = o.instant
        ? `${master.id}_${new Date(o.instant)
            .toISOString()
            .replace(/[-:]/g, '')
            .replace(/\.\d{3}/, '')}`
        : `${master.id}_${(o.start as { date: string }).date.replaceAll('-', '')}`;
      const s: GTime = o.instant
        ? { dateTime: o.instant, timeZone: zoneOf(master.start, cal) }
        : { date: (o.start as { date: string }).date };
      const e: GTime = o.instant
        ? {
            dateTime: toInstant({ dateTime: new Date(Date.parse(o.instant) + duration).toISOString(), timeZone: zoneOf(master.end, cal) }),
            timeZone: zoneOf(master.end, cal),
          }
        : { date: new Date(Date.parse(`${s.date}T00:00:00Z`) + duration).toISOString().slice(0, 10) };
      const { recurrence: _r, ...rest } = master;
      out.push({ ...rest, id, start: s, end: e, recurringEventId: master.id, originalStartTime: s });
    }
    return out.filter((e) => ms(e.start, cal) < to && ms(e.end, cal) > from);
  }

  function resolve(cal: Cal, id: string): GEvent | undefined {
    const r = cal.recs.get(id);
    if (r && !r.deleted) return r.ev;
    const cut = id.lastIndexOf('_');
    if (cut <= 0) return undefined;
    const master = cal.recs.get(id.slice(0, cut));
    if (!master || master.deleted || !master.ev.recurrence) return undefined;
    const m = /^(\d{4})(\d{2})(\d{2})/.exec(id.slice(cut + 1));
    if (!m) return undefined;
    const day = Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
    return instancesOf(cal, master.ev, day - 2 * 86_400_000, day + 3 * 86_400_000).find((e) => e.id === id);
  }

  const out = (cal: Cal, ev: GEvent): GEvent => {
    const shaped: GEvent = { ...ev, start: withOffset(ev.start, cal), end: withOffset(ev.end, cal) };
    if (ev.originalStartTime) shaped.originalStartTime = withOffset(ev.originalStartTime, cal);
    if (ev.attendees) shaped.attendees = ev.attendees.map((a) => (a.email === owner ? { ...a, self: true } : a));
    return shaped;
  };
  /** A deleted event as Google reports it in an incremental sync: id, etag and status only. */
  const tombstone = (ev: GEvent) => ({ kind: 'calendar#event', id: ev.id, etag: ev.etag, status: 'cancelled' });

  function authorized(request: Request): Response | undefined {
    stats.requests += 1;
    if (!/^Bearer \S+/.test(request.headers.get('authorization') ?? '')) return err(401, 'authError', 'Invalid Credentials');
    const f = faults.shift();
    if (!f) return undefined;
    if (f.status === 403) return err(403, f.reason ?? 'rateLimitExceeded', 'Rate Limit Exceeded');
    return err(
      f.status,
      f.status === 429 ? 'rateLimitExceeded' : 'backendError',
      'try later',
      f.retryAfter ? { 'Retry-After': f.retryAfter } : undefined,
    );
  }

  function calOr404(id: string | readonly string[] | undefined): Cal | Response {
    const cal = cals.get(decodeURIComponent(String(id)));
    return cal ?? err(404, 'notFound', 'Not Found');
  }

  const token = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const untoken = (t: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(Buffer.from(t, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };

  function normalizeInput(cal: Cal, body: Partial<GEvent>, id: string): GEvent | Response {
    if (!body.start || !body.end) return err(400, 'required', 'Missing end time.');
    for (const t of [body.start, body.end]) {
      if (t.timeZone) {
        try {
          toInstant({ dateTime: '2026-01-01T00:00:00', timeZone: t.timeZone });
        } catch {
          return err(400, 'invalid', `Invalid time zone definition for start time.`);
        }
      }
    }
    if (ms(body.end, cal) < ms(body.start, cal)) return err(400, 'timeRangeEmpty', 'The specified time range is empty.');
    const created = new Date(now()).toISOString();
    return {
      kind: 'calendar#event',
      id,
      etag: '',
      status: body.status ?? 'confirmed',
      iCalUID: `${id}@google.com`,
      start: body.start,
      end: body.end,
      organizer: { email: owner, self: true },
      created,
      updated: created,
      ...(body.summary !== undefined ? { summary: body.summary } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.location !== undefined ? { location: body.location } : {}),
      ...(body.recurrence ? { recurrence: body.recurrence } : {}),
      ...(body.transparency ? { transparency: body.transparency } : {}),
      ...(body.attendees ? { attendees: body.attendees.map((a) => ({ ...a, responseStatus: a.responseStatus ?? 'needsAction' })) } : {}),
      ...(body.extendedProperties ? { extendedProperties: body.extendedProperties } : {}),
      ...(body.reminders ? { reminders: body.reminders } : { reminders: { useDefault: true } }),
    };
  }

  const handlers = [
    http.get(`${GOOGLE_BASE}/users/me/calendarList`, ({ request }) => {
      const denied = authorized(request);
      if (denied) return denied;
      return HttpResponse.json({
        kind: 'calendar#calendarList',
        items: [...cals.values()].map((c) => ({
          kind: 'calendar#calendarListEntry',
          id: c.id,
          summary: c.summary,
          timeZone: c.timeZone,
          accessRole: c.accessRole,
          ...(c.primary ? { primary: true } : {}),
        })),
      });
    }),

    http.get(`${GOOGLE_BASE}/calendars/:cal`, ({ request, params }) => {
      const denied = authorized(request);
      if (denied) return denied;
      const cal = calOr404(params.cal);
      if (cal instanceof Response) return cal;
      return HttpResponse.json({ kind: 'calendar#calendar', id: cal.id, summary: cal.summary, timeZone: cal.timeZone });
    }),

    http.get(`${GOOGLE_BASE}/calendars/:cal/events`, ({ request, params }) => {
      const denied = authorized(request);
      if (denied) return denied;
      stats.listRequests += 1;
      const cal = calOr404(params.cal);
      if (cal instanceof Response) return cal;
      const q = new URL(request.url).searchParams;
      const syncToken = q.get('syncToken');
      const pageToken = q.get('pageToken');
      const max = Math.min(Number(q.get('maxResults') ?? 250), maxPage);
      const single = q.get('singleEvents') === 'true';
      if (syncToken && ['timeMin', 'timeMax', 'q', 'orderBy', 'updatedMin', 'iCalUID', 'privateExtendedProperty'].some((k) => q.has(k))) {
        return err(400, 'invalid', 'Sync token cannot be combined with other filters.');
      }
      if (q.get('orderBy') === 'startTime' && !single) return err(400, 'invalid', 'orderBy startTime requires singleEvents');
      let state: Record<string, unknown>;
      if (pageToken) {
        const t = untoken(pageToken);
        if (!t) return err(400, 'invalid', 'Invalid page token');
        state = t;
      } else if (syncToken) {
        const t = untoken(syncToken);
        if (!t || t.epoch !== cal.epoch) return err(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');
        state = { mode: 'inc', s: t.s, after: t.s, epoch: cal.epoch };
      } else {
        state = { mode: 'full', s: cal.seq, after: '', epoch: cal.epoch };
      }
      if (state.epoch !== cal.epoch) return err(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');
      const showDeleted = q.get('showDeleted') === 'true' || state.mode === 'inc';
      let items: { key: string | number; ev: GEvent; deleted: boolean }[];
      if (state.mode === 'inc') {
        items = [...cal.recs.values()]
          .filter((r) => r.seq > (state.after as number))
          .sort((a, b) => a.seq - b.seq)
          .map((r) => ({ key: r.seq, ev: r.ev, deleted: r.deleted }));
      } else {
        const from = q.has('timeMin') ? Date.parse(q.get('timeMin') as string) : -8.64e15;
        const to = q.has('timeMax') ? Date.parse(q.get('timeMax') as string) : 8.64e15;
        let evs = [...cal.recs.values()].filter((r) => !r.deleted || showDeleted);
        const expanded: { ev: GEvent; deleted: boolean }[] = [];
        for (const r of evs) {
          if (single && r.ev.recurrence && !r.deleted) {
            for (const i of instancesOf(
              cal,
              r.ev,
              Math.max(from, Date.parse('1990-01-01T00:00:00Z')),
              Math.min(to, Date.parse('2100-01-01T00:00:00Z')),
            ))
              if (i.status !== 'cancelled' || showDeleted) expanded.push({ ev: i, deleted: false });
            continue;
          }
          if (single && r.ev.recurringEventId) continue;
          if (!showDeleted && r.ev.status === 'cancelled') continue;
          if (r.ev.recurrence) {
            if (
              instancesOf(cal, r.ev, Math.max(from, Date.parse('1990-01-01T00:00:00Z')), Math.min(to, Date.parse('2100-01-01T00:00:00Z')))
                .length === 0 &&
              (q.has('timeMin') || q.has('timeMax'))
            )
              continue;
          } else if (q.has('timeMin') || q.has('timeMax')) {
            const t = r.ev.status === 'cancelled' && r.ev.originalStartTime ? r.ev.originalStartTime : r.ev.start;
            const s = ms(t, cal);
            const e = r.ev.status === 'cancelled' ? s + 1 : ms(r.ev.end, cal);
            if (!(s < to && e > from)) continue;
          }
          expanded.push({ ev: r.ev, deleted: r.deleted });
        }
        evs = [];
        items = expanded
          .map((x) => ({ key: x.ev.id, ...x }))
          .filter((x) => (x.key as string) > (state.after as string))
          .sort((a, b) => ((a.key as string) < (b.key as string) ? -1 : 1));
      }
      const page = items.slice(0, max);
      const more = items.length > page.length;
      const body: Record<string, unknown> = {
        kind: 'calendar#events',
        summary: cal.summary,
        timeZone: cal.timeZone,
        accessRole: cal.accessRole,
        items: page.map((x) => (x.deleted ? tombstone(x.ev) : out(cal, x.ev))),
      };
      if (more) body.nextPageToken = token({ ...state, after: page[page.length - 1]?.key });
      else if (!q.has('timeMin') && !q.has('timeMax') && !q.has('q') && !single) {
        // Only the last page of a listing without filters carries a sync token.
        body.nextSyncToken = token({ epoch: cal.epoch, s: state.mode === 'inc' ? (page[page.length - 1]?.key ?? state.after) : state.s });
      }
      return HttpResponse.json(body);
    }),

    http.get(`${GOOGLE_BASE}/calendars/:cal/events/:id`, ({ request, params }) => {
      const denied = authorized(request);
      if (denied) return denied;
      const cal = calOr404(params.cal);
      if (cal instanceof Response) return cal;
      const ev = resolve(cal, String(params.id));
      return ev ? HttpResponse.json(out(cal, ev)) : err(404, 'notFound', 'Not Found');
    }),

    http.post(`${GOOGLE_BASE}/calendars/:cal/events`, async ({ request, params }) => {
      const denied = authorized(request);
      if (denied) return denied;
      const cal = calOr404(params.cal);
      if (cal instanceof Response) return cal;
      if (cal.accessRole === 'reader' || cal.accessRole === 'freeBusyReader')
        return err(403, 'requiredAccessLevel', 'You need to have writer access to this calendar.');
      const body = (await request.json()) as Partial<GEvent>;
      const id = body.id ?? `g${cal.seq}x${Math.random().toString(32).slice(2, 10)}`;
      if (!/^[a-v0-9]{5,1024}$/.test(id)) return err(400, 'invalid', 'Invalid resource id value.');
      if (cal.recs.has(id)) return err(409, 'duplicate', 'The requested identifier already exists.');
      const ev = normalizeInput(cal, body, id);
      if (ev instanceof Response) return ev;
      return HttpResponse.json(out(cal, save(cal, ev)));
    }),

    http.patch(`${GOOGLE_BASE}/calendars/:cal/events/:id`, async ({ request, params }) => {
      const denied = authorized(request);
      if (denied) return denied;
      const cal = calOr404(params.cal);
      if (cal instanceof Response) return cal;
      const current = resolve(cal, String(params.id));
      if (!current) return err(404, 'notFound', 'Not Found');
      const ifMatch = request.headers.get('if-match');
      if (ifMatch && ifMatch !== current.etag) return err(412, 'conditionNotMet', 'Precondition Failed');
      const patch = (await request.json()) as Partial<GEvent>;
      const next: GEvent = { ...current };
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
      if (next.attendees && current.attendees) {
        // Google keeps each attendee's response unless the patch sets it.
        const old = new Map(current.attendees.map((a) => [a.email, a.responseStatus]));
        next.attendees = next.attendees.map((a) => ({ ...a, responseStatus: a.responseStatus ?? old.get(a.email) ?? 'needsAction' }));
      }
      if (ms(next.end, cal) < ms(next.start, cal)) return err(400, 'timeRangeEmpty', 'The specified time range is empty.');
      return HttpResponse.json(out(cal, save(cal, next)));
    }),

    http.delete(`${GOOGLE_BASE}/calendars/:cal/events/:id`, ({ request, params }) => {
      const denied = authorized(request);
      if (denied) return denied;
      const cal = calOr404(params.cal);
      if (cal instanceof Response) return cal;
      const r = cal.recs.get(String(params.id));
      if (r?.deleted || r?.ev.status === 'cancelled') return err(410, 'deleted', 'Resource has been deleted');
      const current = resolve(cal, String(params.id));
      if (!current) return err(404, 'notFound', 'Not Found');
      const ifMatch = request.headers.get('if-match');
      if (ifMatch && ifMatch !== current.etag) return err(412, 'conditionNotMet', 'Precondition Failed');
      if (current.recurringEventId) save(cal, { ...current, status: 'cancelled' });
      else {
        for (const x of cal.recs.values())
          if (!x.deleted && x.ev.recurringEventId === current.id) save(cal, { ...x.ev, status: 'cancelled' }, true);
        save(cal, { ...current, status: 'cancelled' }, true);
      }
      return new HttpResponse(null, { status: 204 });
    }),

    http.post(`${GOOGLE_BASE}/freeBusy`, async ({ request }) => {
      const denied = authorized(request);
      if (denied) return denied;
      stats.freeBusyRequests += 1;
      const body = (await request.json()) as { timeMin: string; timeMax: string; items: { id: string }[] };
      const from = Date.parse(body.timeMin);
      const to = Date.parse(body.timeMax);
      if (!(to > from)) return err(400, 'timeRangeEmpty', 'The specified time range is empty.');
      if (to - from > MAX_FREEBUSY_DAYS * 86_400_000) return err(400, 'invalid', 'The requested time range is too long.');
      const calendars: Record<string, unknown> = {};
      for (const { id } of body.items) {
        const cal = cals.get(id);
        if (!cal) {
          calendars[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
          continue;
        }
        const spans: [number, number][] = [];
        for (const r of cal.recs.values()) {
          if (r.deleted || r.ev.recurringEventId) continue;
          const evs = r.ev.recurrence ? instancesOf(cal, r.ev, from, to) : [r.ev];
          for (const e of evs) {
            if (e.status === 'cancelled' || e.transparency === 'transparent') continue;
            const s = Math.max(ms(e.start, cal), from);
            const en = Math.min(ms(e.end, cal), to);
            if (en > s) spans.push([s, en]);
          }
        }
        spans.sort((a, b) => a[0] - b[0]);
        const merged: [number, number][] = [];
        for (const s of spans) {
          const last = merged[merged.length - 1];
          if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
          else merged.push([...s]);
        }
        calendars[id] = { busy: merged.map(([s, e]) => ({ start: new Date(s).toISOString(), end: new Date(e).toISOString() })) };
      }
      return HttpResponse.json({ kind: 'calendar#freeBusy', timeMin: body.timeMin, timeMax: body.timeMax, calendars });
    }),

    http.post(`${GOOGLE_BASE}/calendars/:cal/events/watch`, async ({ request, params }) => {
      const denied = authorized(request);
      if (denied) return denied;
      const cal = calOr404(params.cal);
      if (cal instanceof Response) return cal;
      const body = (await request.json()) as { id: string; type: string; address: string; token?: string; params?: { ttl?: string } };
      if (body.type !== 'web_hook' || !body.address?.startsWith('https://'))
        return err(400, 'push.webhookUrlNotHttps', 'WebHook callback must be HTTPS');
      if (channels.has(body.id)) return err(400, 'channelIdNotUnique', 'Channel id not unique');
      // Google grants at most 7 days (and may grant less than asked for).
      const ttl = Math.min(Number(body.params?.ttl ?? 604_800), 604_800);
      const ch = {
        resourceId: `res-${cal.id}`,
        calendarId: cal.id,
        expiration: now() + ttl * 1000,
        token: body.token,
        address: body.address,
      };
      channels.set(body.id, ch);
      return HttpResponse.json({
        kind: 'api#channel',
        id: body.id,
        resourceId: ch.resourceId,
        resourceUri: `${GOOGLE_BASE}/calendars/${cal.id}/events?alt=json`,
        token: body.token,
        expiration: String(ch.expiration),
      });
    }),

    http.post(`${GOOGLE_BASE.replace('/calendar/v3', '')}/calendar/v3/channels/stop`, async ({ request }) => {
      const denied = authorized(request);
      if (denied) return denied;
      const body = (await request.json()) as { id: string; resourceId: string };
      const ch = channels.get(body.id);
      if (!ch || ch.resourceId !== body.resourceId) return err(404, 'notFound', 'Channel not found');
      channels.delete(body.id);
      return new HttpResponse(null, { status: 204 });
    }),
  ];

  return {
    handlers,
    stats,
    channels,
    /**
     * Invalidate every sync and page token of a calendar (or all): the next use is 410. Deletion
     * markers are purged too, as Google does after a while: that is why old tokens expire, and
     * why a full resync must find vanished events by difference.
     */
    expireTokens(calendarId?: string) {
      for (const c of cals.values()) {
        if (calendarId !== undefined && c.id !== calendarId) continue;
        c.epoch += 1;
        for (const [id, r] of c.recs) if (r.deleted) c.recs.delete(id);
      }
    },
    /** The next requests fail with these answers, in order. */
    inject(...f: Fault[]) {
      faults.push(...f);
    },
    /** Everything stored (masters, exceptions, singles; cancelled exceptions included), id → etag. */
    state(calendarId: string): Map<string, string> {
      const cal = cals.get(calendarId);
      return new Map([...(cal?.recs.values() ?? [])].filter((r) => !r.deleted).map((r) => [r.ev.id, r.ev.etag]));
    },
    /** Seed events directly (bench and tests that need many). */
    seed(calendarId: string, events: Partial<GEvent>[]) {
      const cal = cals.get(calendarId);
      if (!cal) throw new Error(`no calendar ${calendarId}`);
      for (const e of events) {
        const ev = normalizeInput(cal, e, e.id ?? `seed${cal.seq}`);
        if (ev instanceof Response) throw new Error('bad seed');
        save(cal, ev);
      }
    },
    update(calendarId: string, id: string, patch: Partial<GEvent>) {
      const cal = cals.get(calendarId);
      const r = cal?.recs.get(id);
      if (!cal || !r || r.deleted) throw new Error(`no event ${id}`);
      save(cal, { ...r.ev, ...patch });
    },
    remove(calendarId: string, id: string) {
      const cal = cals.get(calendarId);
      const r = cal?.recs.get(id);
      if (!cal || !r || r.deleted) throw new Error(`no event ${id}`);
      save(cal, { ...r.ev, status: 'cancelled' }, true);
    },
  };
}

export type GoogleApi = ReturnType<typeof createGoogleApi>;
