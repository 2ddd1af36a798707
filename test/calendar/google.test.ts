/**
 * Google-specific behaviour over the msw model: quota errors and 429 retried with backoff and
 * Retry-After, 410 → sync_token_expired and a full resync that emits deletions, a create whose
 * answer was lost is not duplicated, free/busy in ≤ 90-day chunks, token refresh on 401, no token
 * in errors, and the sync engine converging on the real client.
 */
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCalendarSync, type EventChange } from '../../src/calendar/index.js';
import { createGoogleCalendar } from '../../src/calendar/google/index.js';
import { createTelemetry, IntegrationError, silentLogger } from '../../src/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { createGoogleApi, GOOGLE_BASE, type GoogleApi } from './support/google-api.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

let api: GoogleApi;
const fast = { baseDelayMs: 1, maxDelayMs: 5 };
const make = (extra: Partial<Parameters<typeof createGoogleCalendar>[0]> = {}) =>
  createGoogleCalendar({ auth: 'ya29.secret-token-value', pageSize: 2, retry: fast, ...extra });
const ev = {
  start: { dateTime: '2026-03-02T09:00:00', timeZone: 'America/Los_Angeles' },
  end: { dateTime: '2026-03-02T10:00:00', timeZone: 'America/Los_Angeles' },
};

beforeEach(() => {
  api = createGoogleApi({
    calendars: [
      { id: 'primary', primary: true, timeZone: 'America/Los_Angeles' },
      { id: 'team', timeZone: 'Europe/London' },
    ],
  });
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

describe('google adapter', () => {
  it('retries 403 rateLimitExceeded, 403 userRateLimitExceeded, 429 with Retry-After and 503', async () => {
    api.inject(
      { status: 403, reason: 'rateLimitExceeded' },
      { status: 403, reason: 'userRateLimitExceeded' },
      { status: 429, retryAfter: '0' },
    );
    expect((await make().listCalendars()).map((c) => c.id)).toEqual(['primary', 'team']);
    api.inject({ status: 503 });
    expect(await make().listEvents('primary', { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' })).toEqual([]);
  });

  it('gives up with rate_limited (retryAfterMs set) when the quota stays exhausted', async () => {
    api.inject(...Array.from({ length: 5 }, () => ({ status: 429, retryAfter: '0' })));
    const e = await failure(make({ retry: { ...fast, maxAttempts: 3 } }).listCalendars());
    expect(e).toMatchObject({ code: 'rate_limited', provider: 'google', status: 429, retryable: true });
  });

  it('a plain 403 (no quota reason) is permission and is not retried', async () => {
    api.inject({ status: 403, reason: 'forbidden' });
    const before = api.stats.requests;
    expect((await failure(make().listCalendars())).code).toBe('permission');
    expect(api.stats.requests - before).toBe(1);
  });

  it('a create that succeeded but answered 503 is retried with the same id and returns the one event', async () => {
    let dropped = false;
    server.use(
      http.post(`${GOOGLE_BASE}/calendars/primary/events`, async ({ request }) => {
        if (dropped) return undefined; // fall through to the model
        dropped = true;
        // The event is created, but the client is told 503 (a backend timeout after the write).
        const body = await request.clone().json();
        await fetch(new Request(request.url, { method: 'POST', headers: request.headers, body: JSON.stringify(body) }));
        return HttpResponse.json({ error: { code: 503, message: 'Backend Error', errors: [{ reason: 'backendError' }] } }, { status: 503 });
      }),
    );
    const created = await make().createEvent('primary', { ...ev, title: 'Once' });
    expect([...api.state('primary').keys()]).toEqual([created.id]);
  });

  it('a delete that succeeded but answered 503 is retried and reported done', async () => {
    const g = make();
    const created = await g.createEvent('primary', { ...ev, title: 'bye' });
    let first = true;
    server.use(
      http.delete(`${GOOGLE_BASE}/calendars/primary/events/:id`, async ({ request }) => {
        if (!first) return undefined;
        first = false;
        await fetch(request.url, { method: 'DELETE', headers: request.headers });
        return HttpResponse.json({ error: { code: 503, message: 'x', errors: [{ reason: 'backendError' }] } }, { status: 503 });
      }),
    );
    await g.deleteEvent('primary', created.id);
    expect(api.state('primary').size).toBe(0);
    expect((await failure(g.deleteEvent('primary', created.id))).code).toBe('not_found');
  });

  it('a different event with a taken id is a conflict', async () => {
    await make().createEvent('primary', { ...ev, id: 'booking00001', title: 'A' });
    expect((await failure(make().createEvent('primary', { ...ev, id: 'booking00001', title: 'B' }))).code).toBe('conflict');
  });

  it('410 fullSyncRequired on a sync token is sync_token_expired, never combined with filters', async () => {
    const g = make();
    await g.createEvent('primary', { ...ev, title: 'x' });
    let page = await g.listChanges('primary');
    while (page.more) page = await g.listChanges('primary', page.cursor);
    api.expireTokens();
    const e = await failure(g.listChanges('primary', page.cursor));
    expect(e).toMatchObject({ code: 'sync_token_expired', status: 410, retryable: false });
  });

  it('the sync engine converges on the real client: paging, expiry, vanished events, cancelled instances', async () => {
    const g = make();
    const store = createMemoryStore();
    const copy = new Map<string, string>();
    const seen = new Set<string>();
    const onChange = (c: EventChange) => {
      const key = c.type === 'upsert' ? `${c.event.id}|${c.event.etag}` : `del|${c.eventId}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      if (c.type === 'upsert') copy.set(c.event.id, c.event.etag);
      else copy.delete(c.eventId);
    };
    const sync = createCalendarSync({ provider: g, store, onChange });
    const a = await g.createEvent('primary', { ...ev, title: 'a' });
    const b = await g.createEvent('primary', { ...ev, title: 'b' });
    const series = await g.createEvent('primary', { ...ev, title: 's', recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] });
    expect((await sync.sync('primary')).fullSync).toBe(true);
    const instances = (await g.listEvents('primary', { from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z', expand: true })).filter(
      (e) => e.recurringEventId === series.id,
    );
    await g.deleteEvent('primary', instances[2]?.id ?? '');
    await g.updateEvent('primary', a.id, { title: 'a2' });
    api.inject({ status: 503 });
    const r = await sync.sync('primary');
    expect(r.fullSync).toBe(false);
    // Expire while b is deleted: the full resync must report b gone.
    await g.deleteEvent('primary', b.id);
    api.expireTokens();
    const r2 = await sync.sync('primary');
    expect(r2).toMatchObject({ fullSync: true, vanished: 1 });
    expect(copy).toEqual(api.state('primary'));
    const cancelled = [...copy.keys()].find((id) => id.startsWith(`${series.id}_`));
    expect(cancelled).toBe(instances[2]?.id);
  });

  it('splits free/busy into ≤ 90-day requests and joins busy time across chunk edges', async () => {
    const g = make();
    await g.createEvent('primary', { ...ev, title: 'a' });
    const result = await g.freeBusy({ calendarIds: ['primary', 'team', 'nope'], from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z' });
    expect(api.stats.freeBusyRequests).toBe(5);
    expect(result.primary?.busy).toEqual([{ start: '2026-03-02T17:00:00.000Z', end: '2026-03-02T18:00:00.000Z', kind: 'busy' }]);
    expect(result.nope?.errors).toEqual(['notFound']);
  });

  it('refreshes the token once on 401 through the token provider', async () => {
    const seenRejected: (string | undefined)[] = [];
    let n = 0;
    server.use(
      http.get(`${GOOGLE_BASE}/users/me/calendarList`, ({ request }) =>
        request.headers.get('authorization') === 'Bearer old'
          ? HttpResponse.json({ error: { code: 401, message: 'Invalid Credentials' } }, { status: 401 })
          : undefined,
      ),
    );
    const g = make({
      auth: async (o) => {
        seenRejected.push(o?.rejected);
        return n++ === 0 ? 'old' : 'new';
      },
    });
    expect(await g.listCalendars()).toHaveLength(2);
    expect(seenRejected).toEqual([undefined, 'old']);
  });

  it('errors never carry the access token', async () => {
    api.inject({ status: 403, reason: 'forbidden' });
    const e = await failure(make().listCalendars());
    expect(JSON.stringify(e.toJSON())).not.toContain('secret-token-value');
    expect(e.message).not.toContain('secret-token-value');
  });

  it('rejects bad options with invalid_config', () => {
    expect(() => createGoogleCalendar({} as never)).toThrow(/auth/);
    expect(() => createGoogleCalendar({ auth: 'x', pageSize: 0 })).toThrow(IntegrationError);
    for (const [options, field] of [
      [{ telemetry: {} }, 'telemetry'],
      [{ logger: 'debug' }, 'logger'],
      [{ telemetry: createTelemetry(), logger: silentLogger }, 'logger'],
    ] as const) {
      expect(() => createGoogleCalendar({ auth: 'x', ...(options as object) })).toThrow(
        expect.objectContaining({ code: 'invalid_config', details: { field } }),
      );
    }
  });

  it('a Google event in America/Los_Angeles keeps its wall time on both sides of the DST change', async () => {
    const g = make();
    const before = await g.createEvent('primary', {
      ...ev,
      start: { dateTime: '2026-03-07T09:00:00', timeZone: 'America/Los_Angeles' },
      end: { dateTime: '2026-03-07T10:00:00', timeZone: 'America/Los_Angeles' },
    });
    const after = await g.createEvent('primary', {
      ...ev,
      start: { dateTime: '2026-03-09T09:00:00', timeZone: 'America/Los_Angeles' },
      end: { dateTime: '2026-03-09T10:00:00', timeZone: 'America/Los_Angeles' },
    });
    expect(before.start).toEqual({ dateTime: '2026-03-07T09:00:00', timeZone: 'America/Los_Angeles' });
    expect(after.start).toEqual({ dateTime: '2026-03-09T09:00:00', timeZone: 'America/Los_Angeles' });
    const busy = await g.freeBusy({ calendarIds: ['primary'], from: '2026-03-07T00:00:00Z', to: '2026-03-10T00:00:00Z' });
    expect(busy.primary?.busy.map((b) => b.start)).toEqual(['2026-03-07T17:00:00.000Z', '2026-03-09T16:00:00.000Z']);
  });
});
