/**
 * Faults injected between the adapter and a real Radicale (through the `fetch` option): 503s and
 * 429s are retried, resets become `unavailable`, a server that refuses `sync-collection` is served
 * by the ctag + etag fallback, Nextcloud's 418 is `sync_token_expired`, malformed calendar data is
 * `provider_error`.
 */
import { makeCalendar } from 'tsdav';
import { describe, expect, it } from 'vitest';
import { createCalDavCalendar } from '../../src/calendar/caldav/index.js';
import { drainChanges } from '../conformance/calendar.js';
import { radicaleSkipReason, useRadicale } from '../support/radicale.js';

const skip = radicaleSkipReason();
const USER = 'bob';
const headers = { Authorization: `Basic ${btoa(`${USER}:unused`)}` };
const base = {
  start: { dateTime: '2026-03-02T09:00:00', timeZone: 'America/Los_Angeles' },
  end: { dateTime: '2026-03-02T10:00:00', timeZone: 'America/Los_Angeles' },
};

type Fault = (input: string, init: RequestInit) => Response | undefined;

describe.skipIf(skip)('caldav faults on Radicale', () => {
  const server = useRadicale();
  let n = 0;

  async function setup(fault: Fault) {
    n += 1;
    const calendarId = `/${USER}/f${n}/`;
    await makeCalendar({ url: new URL(calendarId, server.url).href, props: { 'd:displayname': `f${n}` }, headers });
    const seen: string[] = [];
    const fetchWithFaults: typeof fetch = async (input, init = {}) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const body = String(init.body ?? '');
      const report = ['sync-collection', 'free-busy-query'].find((r) => body.includes(r)) ?? '';
      seen.push(`${init.method ?? 'GET'} ${report}`.trim());
      const injected = fault(url, init);
      if (injected) return injected;
      return fetch(input, init);
    };
    const provider = createCalDavCalendar({
      serverUrl: server.url,
      credentials: { username: USER, password: 'unused' },
      fetch: fetchWithFaults,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    return { provider, calendarId, seen };
  }

  it('retries a 503 and a 429 on reads, and a reset on a create (If-None-Match makes it safe)', async () => {
    const queue = [503, 429];
    let resetNextPut = true;
    const { provider, calendarId } = await setup((_url, init) => {
      if (init.method === 'PUT' && resetNextPut) {
        resetNextPut = false;
        throw new TypeError('fetch failed: socket hang up');
      }
      if (init.method === 'GET' && queue.length > 0)
        return new Response('busy', { status: queue.shift() as number, headers: { 'Retry-After': '0' } });
      return undefined;
    });
    const created = await provider.createEvent(calendarId, { ...base, id: 'faultsevent01', title: 'x' });
    expect(created.title).toBe('x');
    expect(queue).toEqual([]);
  });

  it('a 503 that lasts is unavailable and retryable', async () => {
    const { provider, calendarId } = await setup((_url, init) =>
      init.method === 'GET' ? new Response('down', { status: 503 }) : undefined,
    );
    await expect(provider.getEvent(calendarId, 'abcdefgh')).rejects.toMatchObject({ code: 'unavailable', retryable: true });
  });

  it('a server that refuses sync-collection is served by ctag + etag comparison', async () => {
    const { provider, calendarId, seen } = await setup((_url, init) =>
      String(init.body ?? '').includes('sync-collection') ? new Response('not implemented', { status: 501 }) : undefined,
    );
    const a = await provider.createEvent(calendarId, { ...base, title: 'a' });
    const full = await drainChanges(provider, calendarId);
    expect(full.changes.map((c) => c.type === 'upsert' && c.event.id)).toEqual([a.id]);
    await provider.updateEvent(calendarId, a.id, { title: 'a2' });
    const inc = await drainChanges(provider, calendarId, full.cursor);
    expect(inc.changes).toMatchObject([{ type: 'upsert', event: { id: a.id, title: 'a2' } }]);
    // Once refused, it is not asked again for that calendar.
    expect(seen.filter((s) => s.endsWith('sync-collection'))).toHaveLength(1);
  });

  it("Nextcloud's 418 on an old token is sync_token_expired", async () => {
    let expire = false;
    const { provider, calendarId } = await setup((_url, init) =>
      expire && String(init.body ?? '').includes('sync-collection') ? new Response("I'm a teapot", { status: 418 }) : undefined,
    );
    await provider.createEvent(calendarId, { ...base, title: 'a' });
    const full = await drainChanges(provider, calendarId);
    expire = true;
    await expect(provider.listChanges(calendarId, full.cursor)).rejects.toMatchObject({ code: 'sync_token_expired' });
  });

  it('calendar data that is not iCalendar is provider_error', async () => {
    const { provider, calendarId } = await setup((_url, init) =>
      init.method === 'GET' ? new Response('BEGIN:VCALENDAR\r\nthis is not ical', { status: 200, headers: { ETag: '"x"' } }) : undefined,
    );
    await expect(provider.getEvent(calendarId, 'abcdefgh')).rejects.toMatchObject({ code: 'provider_error' });
  });

  it('uses free-busy-query where the server answers it, and events where it does not (asked once)', async () => {
    const vfreebusy = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//server//EN',
      'BEGIN:VFREEBUSY',
      'DTSTAMP:20260301T000000Z',
      'DTSTART:20260302T000000Z',
      'DTEND:20260303T000000Z',
      'FREEBUSY;FBTYPE=BUSY:20260302T170000Z/PT1H,20260302T200000Z/20260302T210000Z',
      'FREEBUSY;FBTYPE=FREE:20260302T220000Z/PT1H',
      'END:VFREEBUSY',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const withQuery = await setup((_url, init) =>
      String(init.body ?? '').includes('free-busy-query')
        ? new Response(vfreebusy, { status: 200, headers: { 'Content-Type': 'text/calendar' } })
        : undefined,
    );
    const fb = await withQuery.provider.freeBusy({
      calendarIds: [withQuery.calendarId],
      from: '2026-03-02T00:00:00Z',
      to: '2026-03-03T00:00:00Z',
    });
    expect(fb[withQuery.calendarId]?.busy.map((b) => [b.start, b.end])).toEqual([
      ['2026-03-02T17:00:00.000Z', '2026-03-02T18:00:00.000Z'],
      ['2026-03-02T20:00:00.000Z', '2026-03-02T21:00:00.000Z'],
    ]);

    // Real Radicale: no free-busy-query, so the busy time comes from the events, and the REPORT is not repeated.
    const plain = await setup(() => undefined);
    await plain.provider.createEvent(plain.calendarId, { ...base, title: 'busy' });
    for (let i = 0; i < 2; i++) {
      const r = await plain.provider.freeBusy({
        calendarIds: [plain.calendarId],
        from: '2026-03-02T00:00:00Z',
        to: '2026-03-03T00:00:00Z',
      });
      expect(r[plain.calendarId]?.busy.map((b) => [b.start, b.end])).toEqual([['2026-03-02T17:00:00.000Z', '2026-03-02T18:00:00.000Z']]);
    }
    expect(plain.seen.filter((s) => s === 'REPORT free-busy-query')).toHaveLength(1);
  });

  it('an update without an etag survives a concurrent writer (re-read and re-applied); with one it is precondition_failed', async () => {
    let other: (() => Promise<unknown>) | undefined;
    const { provider, calendarId } = await setup(() => undefined);
    const created = await provider.createEvent(calendarId, { ...base, title: 'v1' });
    // A wrapper that lets another client write between our read and our PUT, once.
    const raced = createCalDavCalendarWithHook(calendarId, async () => {
      const run = other;
      other = undefined;
      await run?.();
    });
    other = () => provider.updateEvent(calendarId, created.id, { location: 'Room 9' });
    const updated = await raced.updateEvent(calendarId, created.id, { title: 'v2' });
    expect(updated).toMatchObject({ title: 'v2', location: 'Room 9' });
    const fresh = await provider.getEvent(calendarId, created.id);
    other = () => provider.updateEvent(calendarId, created.id, { location: 'Room 10' });
    await expect(raced.updateEvent(calendarId, created.id, { title: 'v3' }, { etag: fresh.etag })).rejects.toMatchObject({
      code: 'precondition_failed',
    });
    expect(await provider.getEvent(calendarId, created.id)).toMatchObject({ title: 'v2', location: 'Room 10' });
  });

  function createCalDavCalendarWithHook(_calendarId: string, beforePut: () => Promise<void>) {
    return createCalDavCalendar({
      serverUrl: server.url,
      credentials: { username: USER, password: 'unused' },
      fetch: async (input, init = {}) => {
        if (init.method === 'PUT') await beforePut();
        return fetch(input, init);
      },
    });
  }
});
