/**
 * Outlook-specific behaviour over the msw model of Graph, and the cross-provider DST check: an
 * Outlook event in "Pacific Standard Time" and a Google event in America/Los_Angeles at the same
 * wall time are the same instant on both sides of the March DST change.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleCalendar } from '../../src/calendar/google/index.js';
import { createCalendarSync, type EventChange } from '../../src/calendar/index.js';
import { createOutlookCalendar } from '../../src/calendar/outlook/index.js';
import { IntegrationError } from '../../src/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { toInstant } from '../../src/time/index.js';
import { createGoogleApi } from './support/google-api.js';
import { createGraphApi, GRAPH_BASE, type GraphApi } from './support/graph-api.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const NOW = Date.parse('2026-02-20T12:00:00Z');
let api: GraphApi;
const make = (extra: Partial<Parameters<typeof createOutlookCalendar>[0]> = {}) =>
  createOutlookCalendar({
    auth: 'eyJ.secret-graph-token',
    pageSize: 2,
    now: () => NOW,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
const CAL = 'AAMkCal1';

beforeEach(() => {
  api = createGraphApi({ now: () => NOW });
  server.resetHandlers(...api.handlers);
});

async function failure(p: Promise<unknown>): Promise<IntegrationError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(IntegrationError);
  return e as IntegrationError;
}

describe('outlook adapter', () => {
  it('same wall time in "Pacific Standard Time" (Graph) and America/Los_Angeles (Google) is the same instant across DST', async () => {
    const google = createGoogleApi({ calendars: [{ id: 'primary', primary: true, timeZone: 'America/Los_Angeles' }] });
    server.resetHandlers(...api.handlers, ...google.handlers);
    const g = createGoogleCalendar({ auth: 'ya29.t', retry: { baseDelayMs: 1 } });
    const o = make();
    // Written to Graph with its Windows zone name, as another Outlook client would.
    await fetch(`${GRAPH_BASE}/me/calendars/${CAL}/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify({
        subject: 'Standup',
        start: { dateTime: '2026-03-06T09:00:00', timeZone: 'Pacific Standard Time' },
        end: { dateTime: '2026-03-06T09:30:00', timeZone: 'Pacific Standard Time' },
        recurrence: {
          pattern: { type: 'daily', interval: 1 },
          range: { type: 'numbered', startDate: '2026-03-06', numberOfOccurrences: 4 },
        },
      }),
    });
    await g.createEvent('primary', {
      title: 'Standup',
      start: { dateTime: '2026-03-06T09:00:00', timeZone: 'America/Los_Angeles' },
      end: { dateTime: '2026-03-06T09:30:00', timeZone: 'America/Los_Angeles' },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=4'],
    });
    const window = { from: '2026-03-01T00:00:00Z', to: '2026-03-15T00:00:00Z', expand: true };
    const fromOutlook = await o.listEvents(CAL, window);
    const fromGoogle = await g.listEvents('primary', window);
    const instants = (list: typeof fromOutlook) => list.map((e) => toInstant(e.start as { dateTime: string; timeZone: string })).sort();
    expect(fromOutlook.map((e) => e.start)).toContainEqual({ dateTime: '2026-03-08T09:00:00', timeZone: 'America/Los_Angeles' });
    expect(instants(fromOutlook).map((i) => Date.parse(i))).toEqual(instants(fromGoogle).map((i) => Date.parse(i)));
    // 09:00 PST is 17:00Z before the change (March 8, 2026), 16:00Z after.
    expect(instants(fromOutlook).map((i) => new Date(i).toISOString().slice(11, 16))).toEqual(['17:00', '17:00', '16:00', '16:00']);
  });

  it('all-day events come back as midnight and are restored to dates', async () => {
    const o = make();
    const created = await o.createEvent(CAL, { title: 'Offsite', start: { date: '2026-03-08' }, end: { date: '2026-03-09' } });
    expect(created.start).toEqual({ date: '2026-03-08' });
    const [listed] = await o.listEvents(CAL, { from: '2026-03-07T00:00:00Z', to: '2026-03-10T00:00:00Z' });
    expect(listed?.end).toEqual({ date: '2026-03-09' });
  });

  it('an RRULE Graph cannot express is unsupported, before any request', async () => {
    const before = api.stats.requests;
    const o = make();
    const e = await failure(
      o.createEvent(CAL, {
        start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Paris' },
        end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Paris' },
        recurrence: ['RRULE:FREQ=MONTHLY;BYMONTHDAY=31'],
      }),
    );
    expect(e.code).toBe('unsupported');
    const e2 = await failure(
      o.createEvent(CAL, {
        start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Paris' },
        end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Paris' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=3', 'EXDATE;TZID=Europe/Paris:20260303T090000'],
      }),
    );
    expect(e2.code).toBe('unsupported');
    // Only the mailbox zone lookup may have happened.
    expect(api.stats.requests - before).toBeLessThanOrEqual(1);
  });

  it('429 / 503 / 504 with Retry-After are retried', async () => {
    api.inject({ status: 429, retryAfter: '0' }, { status: 503, retryAfter: '0' }, { status: 504 });
    expect((await make().listCalendars()).map((c) => c.id)).toEqual([CAL]);
  });

  it('410 SyncStateNotFound is sync_token_expired; a retried create with a transactionId is one event', async () => {
    const o = make();
    const input = {
      id: 'booking000007',
      title: 'Once',
      start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Paris' },
    };
    let calls = 0;
    server.use(
      http.post(`${GRAPH_BASE}/me/calendars/${CAL}/events`, async ({ request }) => {
        if (calls++ > 0) return undefined;
        // The first attempt is created but answered 504.
        await fetch(request.url, { method: 'POST', headers: request.headers, body: await request.clone().text() });
        return HttpResponse.json({ error: { code: 'GatewayTimeout', message: 'x' } }, { status: 504 });
      }),
    );
    const created = await o.createEvent(CAL, input);
    const all = await o.listEvents(CAL, { from: '2026-03-01T00:00:00Z', to: '2026-03-03T00:00:00Z' });
    expect(all.map((e) => e.id)).toEqual([created.id]);
    let page = await o.listChanges(CAL);
    while (page.more) page = await o.listChanges(CAL, page.cursor);
    api.expireTokens();
    expect(await failure(o.listChanges(CAL, page.cursor))).toMatchObject({ code: 'sync_token_expired', status: 410 });
  });

  it('a delete that succeeded but answered 503 is retried and reported done', async () => {
    const o = make();
    const created = await o.createEvent(CAL, {
      title: 'bye',
      start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Paris' },
    });
    let first = true;
    server.use(
      http.delete(`${GRAPH_BASE}/me/events/:id`, async ({ request }) => {
        if (!first) return undefined;
        first = false;
        await fetch(request.url, { method: 'DELETE', headers: request.headers });
        return HttpResponse.json({ error: { code: 'ServiceUnavailable', message: 'x' } }, { status: 503, headers: { 'Retry-After': '0' } });
      }),
    );
    await o.deleteEvent(CAL, created.id);
    expect(await failure(o.getEvent(CAL, created.id))).toMatchObject({ code: 'not_found' });
    expect((await failure(o.deleteEvent(CAL, created.id))).code).toBe('not_found');
  });

  it('delta requests ask for UTC times and the page size in one Prefer header', async () => {
    const prefers: string[] = [];
    server.use(
      http.get(`${GRAPH_BASE}/me/calendars/:cal/calendarView/delta`, ({ request }) => {
        prefers.push(request.headers.get('prefer') ?? '');
        return undefined;
      }),
    );
    await make({ pageSize: 7 }).listChanges(CAL);
    expect(prefers[0]).toContain('outlook.timezone="UTC"');
    expect(prefers[0]).toContain('odata.maxpagesize=7');
  });

  it('the delta window rotates so it keeps covering the future', async () => {
    let now = NOW;
    const o = make({ now: () => now, futureDays: 60, rotateDays: 7 });
    let page = await o.listChanges(CAL);
    while (page.more) page = await o.listChanges(CAL, page.cursor);
    now += 3 * 86_400_000;
    expect((await o.listChanges(CAL, page.cursor)).full).toBe(false);
    now += 5 * 86_400_000;
    expect((await o.listChanges(CAL, page.cursor)).full).toBe(true);
  });

  it('sync converges on Graph; a cancelled occurrence is found by the next incremental sync', async () => {
    const o = make();
    const store = createMemoryStore();
    const copy = new Map<string, string>();
    const sync = createCalendarSync({
      provider: o,
      store,
      onChange: (c: EventChange) => {
        if (c.type === 'upsert') copy.set(c.event.id, c.event.etag);
        else copy.delete(c.eventId);
      },
    });
    const base = {
      start: { dateTime: '2026-03-02T18:00:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2026-03-02T19:00:00', timeZone: 'Europe/Paris' },
    };
    const single = await o.createEvent(CAL, { ...base, title: 'one' });
    await o.createEvent(CAL, { ...base, title: 'series', recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'] });
    await sync.sync(CAL);
    const window = { from: '2026-01-21T12:00:00Z', to: '2027-02-20T12:00:00Z' };
    expect(copy).toEqual(api.viewState(CAL, window.from, window.to));
    await o.updateEvent(CAL, single.id, { title: 'one!' });
    const occurrences = (await o.listEvents(CAL, { ...window, expand: true })).filter((e) => e.recurringEventId);
    await o.deleteEvent(CAL, occurrences[1]?.id ?? '');
    // v1.0 delta does not report the cancelled occurrence; the series' instance list reveals it.
    const inc = await sync.sync(CAL);
    expect(inc).toMatchObject({ fullSync: false, vanished: 1 });
    expect(copy.has(occurrences[1]?.id ?? '')).toBe(false);
    expect(copy).toEqual(api.viewState(CAL, window.from, window.to));
    api.expireTokens();
    await sync.sync(CAL);
    expect(copy).toEqual(api.viewState(CAL, window.from, window.to));
    // Deleting the whole series: delta reports each instance removed, an incremental sync is enough.
    await o.deleteEvent(CAL, occurrences[0]?.recurringEventId ?? '');
    const r = await sync.sync(CAL);
    expect(r.fullSync).toBe(false);
    expect(copy).toEqual(api.viewState(CAL, window.from, window.to));
    expect([...copy.values()]).toHaveLength(1);
  });

  it('free/busy: own calendars through calendarView, people through getSchedule (tentative kept apart)', async () => {
    const o = make();
    await o.createEvent(CAL, {
      title: 'maybe',
      status: 'tentative',
      start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Paris' },
    });
    await o.createEvent(CAL, {
      title: 'busy',
      start: { dateTime: '2026-03-02T11:00:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2026-03-02T12:00:00', timeZone: 'Europe/Paris' },
    });
    const result = await o.freeBusy({
      calendarIds: [CAL, api.owner, 'ghost@contoso.com'],
      from: '2026-03-02T00:00:00Z',
      to: '2026-03-03T00:00:00Z',
    });
    const expected = [
      { start: '2026-03-02T08:00:00.000Z', end: '2026-03-02T09:00:00.000Z', kind: 'tentative' },
      { start: '2026-03-02T10:00:00.000Z', end: '2026-03-02T11:00:00.000Z', kind: 'busy' },
    ];
    expect(result[CAL]?.busy).toEqual(expected);
    expect(result[api.owner]?.busy).toEqual(expected);
    expect(result['ghost@contoso.com']).toEqual({ busy: [], errors: ['ErrorMailRecipientNotFound'] });
  });

  it('bad options are invalid_config; errors carry no token', async () => {
    expect(() => createOutlookCalendar({} as never)).toThrow(IntegrationError);
    expect(() => createOutlookCalendar({ auth: 't', futureDays: 0 })).toThrow(/futureDays/);
    expect(() => createOutlookCalendar({ auth: 't', telemetry: { instrument: () => 1 } as never })).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'telemetry' } }),
    );
    api.inject({ status: 429 }, { status: 429 }, { status: 429 }, { status: 429 });
    const e = await failure(make({ retry: { maxAttempts: 2, baseDelayMs: 1 } }).listCalendars());
    expect(e.code).toBe('rate_limited');
    expect(JSON.stringify(e.toJSON()) + e.message).not.toContain('secret-graph-token');
  });
});
