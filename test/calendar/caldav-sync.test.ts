/**
 * CalDAV listing and change feed against a real Radicale 3, with another client editing the
 * stored iCalendar directly and a fetch layer that plays servers Radicale is not:
 * - `listEvents` narrows by `calendar-query` time-range (Radicale implements it), stays correct
 *   when a server ignores the filter, and falls back to PROPFIND + multiget when it refuses it;
 * - an override removed from a resource, an EXDATE added to a master and a deleted series reach
 *   the host through the sync engine (instance deleted, occurrence cancelled, instances gone);
 * - a `sync-collection` answer truncated with 507 (RFC 6578 §3.6) is continued, not mistaken
 *   for the end of a full listing;
 * - an object deleted between the change report and its multiget is a deletion, not a stuck page;
 * - an invalid sync token (403 `valid-sync-token`) makes the sync engine resync in full;
 * - a tricky resource (historical VTIMEZONE, folding, non-ASCII, escapes) round-trips through the
 *   server and through an update by switchyard without losing anything.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { makeCalendar } from 'tsdav';
import { describe, expect, it } from 'vitest';
import { parseCalendar, readResource, serializeCalendar } from '../../src/calendar/caldav/ical.js';
import { createCalDavCalendar } from '../../src/calendar/caldav/index.js';
import { type CalendarEvent, createCalendarSync, type EventChange } from '../../src/calendar/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { drainChanges } from '../conformance/calendar.js';
import { radicaleSkipReason, useRadicale } from '../support/radicale.js';

const skip = radicaleSkipReason();
const USER = 'carol';
const headers = { Authorization: `Basic ${btoa(`${USER}:unused`)}` };
const LA = 'America/Los_Angeles';
const at = (date: string, hour: number, minutes = 60) => ({
  start: { dateTime: `${date}T${String(hour).padStart(2, '0')}:00:00`, timeZone: LA },
  end: {
    dateTime: `${date}T${String(hour + Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`,
    timeZone: LA,
  },
});

type Rewrite = (url: string, init: RequestInit) => Response | RequestInit | undefined | Promise<Response | RequestInit | undefined>;

describe.skipIf(skip)('caldav listing and changes on Radicale', () => {
  const server = useRadicale();
  let n = 0;

  /** A fresh calendar, a provider whose requests pass through `rewrite`, and a log of REPORT kinds and answers. */
  async function setup(
    rewrite: Rewrite = () => undefined,
    options: { pageSize?: number; timeRangeQuery?: boolean; syncMethod?: 'auto' | 'ctag' } = {},
  ) {
    n += 1;
    const calendarId = `/${USER}/s${n}/`;
    const url = new URL(calendarId, server.url).href;
    await makeCalendar({ url, props: { 'd:displayname': `s${n}` }, headers });
    const log: { kind: string; url: string; answer: string }[] = [];
    const fetchVia: typeof fetch = async (input, init = {}) => {
      const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const body = String(init.body ?? '');
      const kind =
        init.method === 'REPORT'
          ? (['calendar-query', 'calendar-multiget', 'sync-collection', 'free-busy-query'].find((r) => body.includes(r)) ?? 'REPORT')
          : `${init.method ?? 'GET'}${init.method === 'PROPFIND' ? ` ${new Headers(init.headers).get('depth') ?? ''}` : ''}`;
      const changed = await rewrite(target, init);
      const res = changed instanceof Response ? changed : await fetch(input, changed ?? init);
      log.push({ kind, url: target, answer: init.method === 'REPORT' ? await res.clone().text() : '' });
      return res;
    };
    const make = () =>
      createCalDavCalendar({
        serverUrl: server.url,
        credentials: { username: USER, password: 'unused' },
        fetch: fetchVia,
        retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 },
        ...options,
      });
    return { provider: make(), calendarId, url, log };
  }

  /** Another client's edit of a stored resource, by ical.js, written back with If-Match. */
  async function editRaw(url: string, edit: (cal: ICAL.Component) => void): Promise<void> {
    const res = await fetch(url, { headers });
    expect(res.status).toBe(200);
    const cal = new ICAL.Component(ICAL.parse(await res.text()));
    edit(cal);
    const put = await fetch(url, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'text/calendar', 'If-Match': res.headers.get('etag') ?? '*' },
      body: cal.toString(),
    });
    expect(put.status).toBeLessThan(300);
  }

  const objectsIn = (answer: string) => (answer.match(/BEGIN:VCALENDAR/g) ?? []).length;
  const WINDOW = { from: '2026-03-09T00:00:00Z', to: '2026-03-16T00:00:00Z' };

  async function seedWindowCalendar(provider: ReturnType<typeof createCalDavCalendar>, calendarId: string) {
    await provider.createEvent(calendarId, { ...at('2026-03-10', 9), title: 'inside' });
    await provider.createEvent(calendarId, { ...at('2026-06-10', 9), title: 'june' });
    await provider.createEvent(calendarId, { ...at('2026-01-05', 9), title: 'weekly', recurrence: ['RRULE:FREQ=WEEKLY;COUNT=20'] });
    await provider.createEvent(calendarId, { ...at('2026-01-01', 7), title: 'ended', recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] });
    await provider.createEvent(calendarId, { start: { date: '2026-03-15' }, end: { date: '2026-03-16' }, title: 'all day' });
  }
  const shown = (events: CalendarEvent[]) => events.map((e) => `${e.title}@${'date' in e.start ? e.start.date : e.start.dateTime}`).sort();
  const EXPECTED = ['all day@2026-03-15', 'inside@2026-03-10T09:00:00', 'weekly@2026-03-09T09:00:00'];

  describe('listEvents by window', () => {
    it('the server narrows by time-range: only the resources in the window come back, and no collection PROPFIND', async () => {
      const { provider, calendarId, url, log } = await setup();
      await seedWindowCalendar(provider, calendarId);
      log.length = 0;
      expect(shown(await provider.listEvents(calendarId, { ...WINDOW, expand: true }))).toEqual(EXPECTED);
      const queries = log.filter((l) => l.kind === 'calendar-query');
      expect(queries).toHaveLength(1);
      // inside, weekly, all day: not June, not the series that ended in January.
      expect(objectsIn(queries[0]?.answer ?? '')).toBe(3);
      expect(log.filter((l) => l.kind === 'PROPFIND 1' && l.url === url)).toEqual([]);
    });

    it('a server that ignores the filter (answers every object) gives the same events', async () => {
      const { provider, calendarId, log } = await setup((_url, init) => {
        const body = String(init.body ?? '');
        return body.includes('calendar-query') ? { ...init, body: body.replace(/<c:time-range[^>]*\/>/, '') } : undefined;
      });
      await seedWindowCalendar(provider, calendarId);
      log.length = 0;
      expect(shown(await provider.listEvents(calendarId, { ...WINDOW, expand: true }))).toEqual(EXPECTED);
      expect(objectsIn(log.find((l) => l.kind === 'calendar-query')?.answer ?? '')).toBe(5);
      const masters = await provider.listEvents(calendarId, { ...WINDOW, expand: false });
      expect(masters.map((e) => e.title).sort()).toEqual(['all day', 'inside', 'weekly']);
    });

    it('a server that refuses calendar-query is read by PROPFIND + multiget, and not asked again', async () => {
      const { provider, calendarId, url, log } = await setup((_url, init) =>
        String(init.body ?? '').includes('calendar-query') ? new Response('no such report', { status: 501 }) : undefined,
      );
      await seedWindowCalendar(provider, calendarId);
      for (let i = 0; i < 2; i++) expect(shown(await provider.listEvents(calendarId, { ...WINDOW, expand: true }))).toEqual(EXPECTED);
      expect(log.filter((l) => l.kind === 'calendar-query')).toHaveLength(1);
      expect(log.filter((l) => l.kind === 'PROPFIND 1' && l.url === url)).toHaveLength(2);
    });

    it('a calendar-query that fails for real (503 that lasts) is unavailable, not a silent fallback', async () => {
      const { provider, calendarId } = await setup((_url, init) =>
        String(init.body ?? '').includes('calendar-query') ? new Response('down', { status: 503 }) : undefined,
      );
      await expect(provider.listEvents(calendarId, { ...WINDOW })).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    });

    it('Radicale’s time-range answer equals reading the whole collection, for any window (series, overrides moved across the window, all-day, cancelled)', async () => {
      const { provider, calendarId } = await setup();
      await seedWindowCalendar(provider, calendarId);
      const daily = await provider.createEvent(calendarId, {
        ...at('2026-02-01', 20),
        title: 'daily',
        recurrence: ['RRULE:FREQ=DAILY;COUNT=10'],
      });
      const instances = await provider.listEvents(calendarId, { from: '2026-02-01T00:00:00Z', to: '2026-02-12T00:00:00Z', expand: true });
      const ofDaily = instances.filter((e) => e.recurringEventId === daily.id);
      // One occurrence moved a month later (out of the series' span), one cancelled.
      await provider.updateEvent(calendarId, (ofDaily[2] as CalendarEvent).id, { ...at('2026-03-12', 12), title: 'moved far' });
      await provider.deleteEvent(calendarId, (ofDaily[4] as CalendarEvent).id);
      const whole = createCalDavCalendar({
        serverUrl: server.url,
        credentials: { username: USER, password: 'unused' },
        timeRangeQuery: false,
      });
      const day = Date.parse('2026-01-01T00:00:00Z');
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 200 * 24 }),
          fc.integer({ min: 1, max: 20 * 24 }),
          fc.boolean(),
          fc.boolean(),
          async (startHour, hours, expand, includeCancelled) => {
            const from = new Date(day + startHour * 3_600_000).toISOString();
            const to = new Date(day + (startHour + hours) * 3_600_000).toISOString();
            const opts = { from, to, expand, includeCancelled };
            const narrowed = (await provider.listEvents(calendarId, opts)).map((e) => `${e.id}|${e.status}`).sort();
            const all = (await whole.listEvents(calendarId, opts)).map((e) => `${e.id}|${e.status}`).sort();
            expect(narrowed).toEqual(all);
          },
        ),
        { numRuns: 30 },
      );
      // The moved occurrence is found in March through the time-range query, though its series ended in February.
      const march = await provider.listEvents(calendarId, { from: '2026-03-12T00:00:00Z', to: '2026-03-13T00:00:00Z', expand: true });
      expect(march.map((e) => e.title)).toContain('moved far');
    });

    it('includeCancelled shows an occurrence removed by an EXDATE as a cancelled instance', async () => {
      const { provider, calendarId } = await setup();
      const weekly = await provider.createEvent(calendarId, {
        ...at('2026-03-02', 9),
        title: 'w',
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
      });
      const [, second] = await provider.listEvents(calendarId, { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', expand: true });
      await provider.deleteEvent(calendarId, (second as CalendarEvent).id);
      const listed = await provider.listEvents(calendarId, {
        from: '2026-03-01T00:00:00Z',
        to: '2026-04-01T00:00:00Z',
        expand: true,
        includeCancelled: true,
      });
      expect(listed.map((e) => [e.id, e.status])).toEqual(
        expect.arrayContaining([
          [(second as CalendarEvent).id, 'cancelled'],
          [`${weekly.id}_20260302T170000Z`, 'confirmed'],
          [`${weekly.id}_20260316T160000Z`, 'confirmed'],
        ]),
      );
      expect(listed).toHaveLength(3);
      // Deleted twice: the occurrence is already gone.
      await expect(provider.deleteEvent(calendarId, (second as CalendarEvent).id)).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  describe('changes reach the host through the sync engine', () => {
    /** A host copy kept by createCalendarSync over the provider. */
    function host(provider: ReturnType<typeof createCalDavCalendar>, calendarId: string) {
      const store = createMemoryStore();
      const copy = new Map<string, CalendarEvent>();
      const onChange = (c: EventChange) => {
        if (c.type === 'upsert') copy.set(c.event.id, c.event);
        else copy.delete(c.eventId);
      };
      return { copy, sync: () => createCalendarSync({ provider, store, onChange }).sync(calendarId) };
    }
    const state = (copy: Map<string, CalendarEvent>) => [...copy.values()].map((e) => `${e.title ?? ''}|${e.status}|${e.id}`).sort();

    it('an override another client removes is deleted from the host; an EXDATE it adds is a cancelled occurrence; a deleted series takes its instances', async () => {
      const { provider, calendarId, url } = await setup();
      const weekly = await provider.createEvent(calendarId, {
        ...at('2026-03-02', 9),
        title: 'w',
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
      });
      const [, second, third] = await provider.listEvents(calendarId, {
        from: '2026-03-01T00:00:00Z',
        to: '2026-04-01T00:00:00Z',
        expand: true,
      });
      await provider.updateEvent(calendarId, (second as CalendarEvent).id, { title: 'moved' });
      await provider.updateEvent(calendarId, (third as CalendarEvent).id, { title: 'renamed' });
      const h = host(provider, calendarId);
      await h.sync();
      expect(state(h.copy)).toEqual([
        `moved|confirmed|${(second as CalendarEvent).id}`,
        `renamed|confirmed|${(third as CalendarEvent).id}`,
        `w|confirmed|${weekly.id}`,
      ]);

      // Another client drops the 'moved' override (the occurrence reverts to the series).
      const resource = `${url}${weekly.id}.ics`;
      await editRaw(resource, (cal) => {
        for (const v of cal.getAllSubcomponents('vevent'))
          if (String(v.getFirstPropertyValue('summary')) === 'moved') cal.removeSubcomponent(v);
      });
      await h.sync();
      expect(state(h.copy)).toEqual([`renamed|confirmed|${(third as CalendarEvent).id}`, `w|confirmed|${weekly.id}`]);

      // Another client adds an EXDATE for the first occurrence: a cancelled instance.
      await editRaw(resource, (cal) => {
        const master = cal.getAllSubcomponents('vevent').find((v) => !v.hasProperty('recurrence-id')) as ICAL.Component;
        const prop = master.addPropertyWithValue('exdate', ICAL.Time.fromDateTimeString('2026-03-02T09:00:00'));
        prop.setParameter('tzid', LA);
      });
      await h.sync();
      expect(state(h.copy)).toEqual([
        `renamed|confirmed|${(third as CalendarEvent).id}`,
        `w|cancelled|${weekly.id}_20260302T170000Z`,
        `w|confirmed|${weekly.id}`,
      ]);
      expect(h.copy.get(`${weekly.id}_20260302T170000Z`)).toMatchObject({
        recurringEventId: weekly.id,
        originalStart: at('2026-03-02', 9).start,
      });

      // The whole series is deleted: nothing of it stays with the host.
      await provider.deleteEvent(calendarId, weekly.id);
      await h.sync();
      expect(state(h.copy)).toEqual([]);
    });

    it('a series another client turns into a single event leaves none of its instances with the host', async () => {
      const { provider, calendarId, url } = await setup();
      const weekly = await provider.createEvent(calendarId, {
        ...at('2026-03-02', 9),
        title: 'w',
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
      });
      const [, second] = await provider.listEvents(calendarId, { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', expand: true });
      await provider.updateEvent(calendarId, (second as CalendarEvent).id, { title: 'moved' });
      const h = host(provider, calendarId);
      await h.sync();
      expect(h.copy.size).toBe(2);
      await editRaw(`${url}${weekly.id}.ics`, (cal) => {
        for (const v of cal.getAllSubcomponents('vevent')) {
          if (v.hasProperty('recurrence-id')) cal.removeSubcomponent(v);
          else v.removeAllProperties('rrule');
        }
      });
      await h.sync();
      expect(state(h.copy)).toEqual([`w|confirmed|${weekly.id}`]);
      expect(h.copy.get(weekly.id)?.recurrence).toBeUndefined();
    });

    it('an invalid sync token (403 valid-sync-token) makes the engine resync in full, and deletions made meanwhile arrive', async () => {
      let expire = false;
      const { provider, calendarId } = await setup((_url, init) => {
        const body = String(init.body ?? '');
        if (!expire || !body.includes('sync-collection') || /<d:sync-token\s*\/>|<d:sync-token><\/d:sync-token>/.test(body))
          return undefined;
        expire = false;
        return new Response('<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>', {
          status: 403,
          headers: { 'Content-Type': 'application/xml' },
        });
      });
      const a = await provider.createEvent(calendarId, { ...at('2026-03-02', 9), title: 'a' });
      await provider.createEvent(calendarId, { ...at('2026-03-03', 9), title: 'b' });
      const h = host(provider, calendarId);
      await h.sync();
      expect(h.copy.size).toBe(2);
      await provider.deleteEvent(calendarId, a.id);
      await provider.createEvent(calendarId, { ...at('2026-03-04', 9), title: 'c' });
      expire = true;
      const result = await h.sync();
      expect(result.fullSync).toBe(true);
      expect(expire).toBe(false);
      expect(state(h.copy).map((s) => s.split('|')[0])).toEqual(['b', 'c']);
    });
  });

  describe('sync-collection edge cases', () => {
    it('a 507-truncated answer (RFC 6578 §3.6) continues from its token, within the same full listing', async () => {
      let truncateNext = false;
      let truncated = 0;
      let earlyToken = '';
      const ids: string[] = [];
      const { provider, calendarId, url } = await setup(async (target, init) => {
        const body = String(init.body ?? '');
        if (!truncateNext || !body.includes('sync-collection')) return undefined;
        truncateNext = false;
        truncated += 1;
        // The server's real answer cut to its first two objects, with a 507 for the collection and
        // the token of an earlier state (what a truncating server hands out: "resume from here").
        const real = await (await fetch(target, init)).text();
        const responses = real.match(/<(\w+:)?response>[\s\S]*?<\/(\w+:)?response>/g) ?? [];
        const ns = /<(\w+:)?multistatus/.exec(real)?.[1] ?? '';
        const head = responses.filter((r) => ids.slice(0, 2).some((id) => r.includes(id))).join('');
        const token = earlyToken;
        return new Response(
          `<?xml version="1.0"?><${ns}multistatus xmlns${ns ? `:${ns.slice(0, -1)}` : ''}="DAV:">${head}<${ns}response><${ns}href>${new URL(url).pathname}</${ns}href><${ns}status>HTTP/1.1 507 Insufficient Storage</${ns}status></${ns}response><${ns}sync-token>${token}</${ns}sync-token></${ns}multistatus>`,
          { status: 207, headers: { 'Content-Type': 'application/xml; charset=utf-8' } },
        );
      });
      for (let i = 0; i < 2; i++) ids.push((await provider.createEvent(calendarId, { ...at('2026-03-02', 9 + i), title: `early${i}` })).id);
      earlyToken = await tokenNow(url);
      for (let i = 0; i < 3; i++) ids.push((await provider.createEvent(calendarId, { ...at('2026-03-05', 9 + i), title: `late${i}` })).id);

      truncateNext = true;
      const pages = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await provider.listChanges(calendarId, cursor);
        pages.push(page);
        cursor = page.cursor;
        if (!page.more) break;
        expect(pages.length).toBeLessThan(20);
      }
      expect(truncated).toBe(1);
      expect(pages.every((p) => p.full)).toBe(true);
      expect(pages.length).toBeGreaterThanOrEqual(2);
      const upserted = pages.flatMap((p) => p.changes.flatMap((c) => (c.type === 'upsert' ? [c.event.id] : [])));
      expect(new Set(upserted)).toEqual(new Set(ids));
      // The final cursor is an ordinary incremental one: nothing more to report.
      expect((await drainChanges(provider, calendarId, cursor)).changes).toEqual([]);

      // Through the engine: a truncated full listing is not taken for the end (which would drop the rest as vanished).
      const copy = new Map<string, string>();
      truncateNext = true;
      await createCalendarSync({
        provider,
        store: createMemoryStore(),
        onChange: (c) => {
          if (c.type === 'upsert') copy.set(c.event.id, c.event.etag);
          else copy.delete(c.eventId);
        },
      }).sync(calendarId);
      expect(new Set(copy.keys())).toEqual(new Set(ids));
    });

    /** The collection's current sync token, asked of Radicale directly. */
    async function tokenNow(url: string): Promise<string> {
      const res = await fetch(url, {
        method: 'REPORT',
        headers: { ...headers, 'Content-Type': 'application/xml', Depth: '1' },
        body: '<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>',
      });
      const token = /<(?:\w+:)?sync-token>([^<]+)</.exec(await res.text())?.[1];
      expect(token).toBeTruthy();
      return token as string;
    }

    it('an object deleted between the change report and its multiget is a deletion, not a page that fails forever', async () => {
      const { provider, calendarId } = await setup(() => undefined, { pageSize: 1 });
      const a = await provider.createEvent(calendarId, { ...at('2026-03-02', 9), title: 'a' });
      const b = await provider.createEvent(calendarId, { ...at('2026-03-03', 9), title: 'b' });
      const first = await provider.listChanges(calendarId);
      expect(first.more).toBe(true);
      const firstId = first.changes.find((c) => c.type === 'upsert')?.event.id;
      const other = firstId === a.id ? b : a;
      await provider.deleteEvent(calendarId, other.id);
      const second = await provider.listChanges(calendarId, first.cursor);
      expect(second.changes).toEqual([{ type: 'delete', calendarId, eventId: other.id }]);
      expect(second.series).toEqual([{ seriesId: other.id, instanceIds: [] }]);
    });
  });

  describe('ctag + etag fallback', () => {
    it('an unchanged ctag costs one depth-0 PROPFIND; a changed one lists the etags', async () => {
      const { provider, calendarId, url, log } = await setup(() => undefined, { syncMethod: 'ctag' });
      const a = await provider.createEvent(calendarId, { ...at('2026-03-02', 9), title: 'a' });
      const full = await drainChanges(provider, calendarId);
      log.length = 0;
      const quiet = await drainChanges(provider, calendarId, full.cursor);
      expect(quiet.changes).toEqual([]);
      expect(log.filter((l) => l.url === url).map((l) => l.kind)).toEqual(['PROPFIND 0']);
      await provider.updateEvent(calendarId, a.id, { title: 'a2' });
      log.length = 0;
      const inc = await drainChanges(provider, calendarId, quiet.cursor);
      expect(inc.changes).toMatchObject([{ type: 'upsert', event: { id: a.id, title: 'a2' } }]);
      expect(log.filter((l) => l.url === url).map((l) => l.kind)).toEqual(['PROPFIND 0', 'PROPFIND 1', 'calendar-multiget']);
      expect((await drainChanges(provider, calendarId, inc.cursor)).changes).toEqual([]);
    });
  });

  describe('a tricky resource through the server', () => {
    const tricky = readFileSync(new URL('../fixtures/caldav/tricky.ics', import.meta.url), 'utf8');
    const meaning = (text: string) => {
      const { master, overrides, cancelled } = readResource(
        parseCalendar(text),
        { id: 'tricky', calendarId: 'c', etag: '' },
        'UTC',
        undefined,
        {
          cancelled: true,
        },
      );
      return { master, overrides, cancelled };
    };

    it('reads back as the same events, stays byte-stable through parse → serialize → parse, and survives an update', async () => {
      const { provider, calendarId, url } = await setup();
      const put = await fetch(`${url}tricky.ics`, {
        method: 'PUT',
        headers: { ...headers, 'Content-Type': 'text/calendar' },
        body: tricky,
      });
      expect(put.status).toBe(201);
      const stored = await (await fetch(`${url}tricky.ics`, { headers })).text();
      // Whatever the server did to the text, it means the same events.
      expect(meaning(stored)).toEqual(meaning(tricky));
      const once = serializeCalendar(parseCalendar(stored));
      expect(serializeCalendar(parseCalendar(once))).toBe(once);

      const seen = await provider.listEvents(calendarId, {
        from: '2005-01-01T00:00:00Z',
        to: '2008-01-01T00:00:00Z',
        expand: true,
        includeCancelled: true,
      });
      expect(seen.map((e) => [e.id, e.status, e.title, e.start])).toEqual([
        [
          'tricky_20050403T063000Z',
          'confirmed',
          'Café crème, naïve résumé; 日本語の会議',
          { dateTime: '2005-04-03T01:30:00', timeZone: 'America/New_York' },
        ],
        [
          'tricky_20070403T053000Z',
          'confirmed',
          'Moved; after the 2007 rule change',
          { dateTime: '2007-04-03T15:00:00', timeZone: 'America/New_York' },
        ],
        [
          'tricky_20060403T053000Z',
          'cancelled',
          'Café crème, naïve résumé; 日本語の会議',
          { dateTime: '2006-04-03T01:30:00', timeZone: 'America/New_York' },
        ],
      ]);

      await provider.updateEvent(calendarId, 'tricky', { location: 'Bern, Bundesplatz; 3' });
      const after = await (await fetch(`${url}tricky.ics`, { headers })).text();
      const { master: before } = meaning(tricky);
      const { master: updated, overrides } = meaning(after);
      expect(updated).toMatchObject({
        location: 'Bern, Bundesplatz; 3',
        title: before?.title,
        description: before?.description,
        attendees: before?.attendees,
      });
      expect(overrides.map((o) => o.title)).toEqual(['Moved; after the 2007 rule change']);
      // The resource's own historical VTIMEZONE is kept (not replaced by a generated one), 1975 RDATE included.
      expect(after).toMatch(/RDATE:19750223T020000/);
      expect(after.match(/BEGIN:VTIMEZONE/g)).toHaveLength(1);
    });
  });
});
