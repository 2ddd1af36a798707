/**
 * The calendar conformance suite against a real Radicale 3 (started here with its own config),
 * one fresh calendar per test. Radicale has no `expand` and no `free-busy-query`: the expansion
 * and free/busy the suite checks are the adapter's client-side ones.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeCalendar } from 'tsdav';
import { describe, expect, it } from 'vitest';
import { createCalDavCalendar } from '../../src/calendar/caldav/index.js';
import { describeCalendarConformance, drainChanges } from '../conformance/calendar.js';
import { radicaleSkipReason, useRadicale } from '../support/radicale.js';

const skip = radicaleSkipReason();
const USER = 'alice';
const headers = { Authorization: `Basic ${btoa(`${USER}:unused`)}` };

describe.skipIf(skip)('caldav on Radicale', () => {
  const server = useRadicale();
  let n = 0;

  describeCalendarConformance(
    'caldav (Radicale)',
    async () => {
      n += 1;
      const name = `cal${n}`;
      await makeCalendar({ url: `${server.url}${USER}/${name}/`, props: { 'd:displayname': name }, headers });
      const provider = createCalDavCalendar({
        serverUrl: server.url,
        credentials: { username: USER, password: 'unused' },
        ownerEmail: 'alice@example.com',
        pageSize: 3,
      });
      return {
        provider,
        calendarId: `/${USER}/${name}/`,
        ownerEmail: 'alice@example.com',
        async expireCursors() {
          // Radicale forgets sync tokens by deleting their cached state (max age): do that, and
          // add an unrelated item so the old token no longer names the current state either.
          rmSync(join(server.storage, 'collection-root', USER, name, '.Radicale.cache', 'sync-token'), { recursive: true, force: true });
          await provider.createEvent(`/${USER}/${name}/`, {
            title: 'other client',
            start: { date: '2026-05-01' },
            end: { date: '2026-05-02' },
          });
          rmSync(join(server.storage, 'collection-root', USER, name, '.Radicale.cache', 'sync-token'), { recursive: true, force: true });
        },
        now: () => Date.now(),
      };
    },
    { skip: ['watch'] },
  );

  describe('CalDAV specifics on Radicale', () => {
    const base = {
      start: { dateTime: '2026-03-02T09:00:00', timeZone: 'America/Los_Angeles' },
      end: { dateTime: '2026-03-02T10:00:00', timeZone: 'America/Los_Angeles' },
    };
    async function fresh(options: { syncMethod?: 'auto' | 'ctag'; pageSize?: number } = {}) {
      n += 1;
      const name = `x${n}`;
      await makeCalendar({ url: `${server.url}${USER}/${name}/`, props: { 'd:displayname': name }, headers });
      const make = () =>
        createCalDavCalendar({
          serverUrl: server.url,
          credentials: { username: USER, password: 'unused' },
          ownerEmail: 'alice@example.com',
          ...options,
        });
      return { calendarId: `/${USER}/${name}/`, url: `${server.url}${USER}/${name}/`, a: make(), b: make() };
    }

    it('two clients: the second writer with a stale etag gets precondition_failed and nothing is lost', async () => {
      const { calendarId, a, b } = await fresh();
      const created = await a.createEvent(calendarId, { ...base, title: 'v1' });
      const seenByB = await b.getEvent(calendarId, created.id);
      await a.updateEvent(calendarId, created.id, { title: 'from a' }, { etag: created.etag });
      await expect(b.updateEvent(calendarId, created.id, { title: 'from b' }, { etag: seenByB.etag })).rejects.toMatchObject({
        code: 'precondition_failed',
      });
      await expect(b.deleteEvent(calendarId, created.id, { etag: seenByB.etag })).rejects.toMatchObject({
        code: 'precondition_failed',
        status: 412,
      });
      expect((await b.getEvent(calendarId, created.id)).title).toBe('from a');
    });

    it('a recurring series with a moved and a cancelled occurrence round-trips through the server as one resource', async () => {
      const { calendarId, url, a, b } = await fresh();
      const master = await a.createEvent(calendarId, { ...base, title: 'Weekly', recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'] });
      const window = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
      const [, second, third] = await a.listEvents(calendarId, { ...window, expand: true });
      await a.updateEvent(calendarId, (second as { id: string }).id, {
        start: { dateTime: '2026-03-10T11:00:00', timeZone: 'America/Los_Angeles' },
        end: { dateTime: '2026-03-10T12:00:00', timeZone: 'America/Los_Angeles' },
        title: 'Moved',
      });
      await a.deleteEvent(calendarId, (third as { id: string }).id);
      // The stored resource: one master, one RECURRENCE-ID override, an EXDATE, a VTIMEZONE.
      const raw = await (await fetch(`${url}${master.id}.ics`, { headers })).text();
      expect(raw.match(/BEGIN:VEVENT/g)).toHaveLength(2);
      expect(raw).toMatch(/RECURRENCE-ID;TZID=America\/Los_Angeles:20260309T090000/);
      expect(raw).toMatch(/EXDATE;TZID=America\/Los_Angeles:20260316T090000/);
      expect(raw).toMatch(/BEGIN:VTIMEZONE/);
      // A second client reads every VEVENT: the moved occurrence is where it was moved to.
      const seen = await b.listEvents(calendarId, { ...window, expand: true });
      expect(seen.map((e) => [(e.start as { dateTime: string }).dateTime, e.title])).toEqual([
        ['2026-03-02T09:00:00', 'Weekly'],
        ['2026-03-10T11:00:00', 'Moved'],
        ['2026-03-23T09:00:00', 'Weekly'],
      ]);
      const changes = (await drainChanges(b, calendarId)).changes;
      // The master, the override, and the EXDATE as a cancelled instance (as Google reports a deleted occurrence).
      expect(
        changes.flatMap((c) => (c.type === 'upsert' ? [[c.event.recurringEventId ?? 'master', c.event.status, c.event.id]] : [])),
      ).toEqual([
        ['master', 'confirmed', master.id],
        [master.id, 'confirmed', (second as { id: string }).id],
        [master.id, 'cancelled', (third as { id: string }).id],
      ]);
    });

    it('reads resources other clients stored under any name, with several VEVENTs', async () => {
      const { calendarId, url, a } = await fresh();
      const ics = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//other//EN',
        'BEGIN:VEVENT',
        'UID:foreign-1',
        'DTSTAMP:20260101T000000Z',
        'DTSTART:20260302T170000Z',
        'DTEND:20260302T180000Z',
        'RRULE:FREQ=DAILY;COUNT=3',
        'SUMMARY:Daily\\, with comma',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:foreign-1',
        'DTSTAMP:20260101T000000Z',
        'RECURRENCE-ID:20260303T170000Z',
        'DTSTART:20260303T200000Z',
        'DTEND:20260303T210000Z',
        'SUMMARY:Later that day',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
      const put = await fetch(`${url}foreign-object`, {
        method: 'PUT',
        headers: { ...headers, 'Content-Type': 'text/calendar' },
        body: ics,
      });
      expect(put.status).toBe(201);
      const events = await a.listEvents(calendarId, { from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z', expand: true });
      expect(events.map((e) => [(e.start as { dateTime: string }).dateTime, e.title])).toEqual([
        ['2026-03-02T17:00:00', 'Daily, with comma'],
        ['2026-03-03T20:00:00', 'Later that day'],
        ['2026-03-04T17:00:00', 'Daily, with comma'],
      ]);
      const full = await drainChanges(a, calendarId);
      expect(full.changes.filter((c) => c.type === 'upsert')).toHaveLength(2);
      // The id reaches the same object for reads and writes, though its name is not `<id>.ics`.
      expect((await a.getEvent(calendarId, 'foreign-object')).title).toBe('Daily, with comma');
      await a.updateEvent(calendarId, 'foreign-object', { location: 'Here' });
      expect((await fetch(`${url}foreign-object`, { headers })).status).toBe(200);
      expect(await (await fetch(`${url}foreign-object.ics`, { headers })).status).toBe(404);
      await a.deleteEvent(calendarId, 'foreign-object');
      expect((await fetch(`${url}foreign-object`, { headers })).status).toBe(404);
    });

    it('ctag + etag fallback: full listing, then only what changed, deletions included, in pages', async () => {
      const { calendarId, a } = await fresh({ syncMethod: 'ctag', pageSize: 2 });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await a.createEvent(calendarId, { ...base, title: `e${i}` })).id);
      const full = await drainChanges(a, calendarId);
      expect(full.pages).toBe(3);
      expect(new Set(full.changes.map((c) => (c.type === 'upsert' ? c.event.id : '')))).toEqual(new Set(ids));
      await a.updateEvent(calendarId, ids[0] as string, { title: 'changed' });
      await a.deleteEvent(calendarId, ids[1] as string);
      const inc = await drainChanges(a, calendarId, full.cursor);
      expect(inc.changes).toHaveLength(2);
      expect(inc.changes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'delete', eventId: ids[1] }),
          expect.objectContaining({ type: 'upsert', event: expect.objectContaining({ title: 'changed' }) }),
        ]),
      );
      expect((await drainChanges(a, calendarId, inc.cursor)).changes).toEqual([]);
    });

    it('has no push channel: watch is unsupported', async () => {
      const { calendarId, a } = await fresh();
      await expect(a.watch({ calendarId, address: 'https://hooks.example.com/c', token: 't' })).rejects.toMatchObject({
        code: 'unsupported',
      });
    });

    it('maps a server that is not there to unavailable, and wrong calendars to not_found', async () => {
      const { calendarId, a } = await fresh();
      await expect(a.getEvent(calendarId, 'nosuchevent00')).rejects.toMatchObject({ code: 'not_found' });
      const dead = createCalDavCalendar({ serverUrl: 'http://127.0.0.1:1/', retry: { maxAttempts: 1 } });
      await expect(dead.getEvent('/x/y/', 'abcde')).rejects.toMatchObject({ code: 'unavailable' });
    });
  });
});
