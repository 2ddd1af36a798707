/**
 * The offline queue against the CalDAV adapter and a real Radicale 3: a second client edits the
 * server while the offline one has queued changes, a create survives a crash after the PUT, and
 * each conflict kind is resolved as documented.
 */
import { makeCalendar } from 'tsdav';
import { describe, expect, it } from 'vitest';
import { createCalDavCalendar } from '../../src/calendar/caldav/index.js';
import { type CalendarProvider, createOfflineCalendar, type OfflineCalendarOptions } from '../../src/calendar/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { radicaleSkipReason, useRadicale } from '../support/radicale.js';

const skip = radicaleSkipReason();
const USER = 'alice';
const headers = { Authorization: `Basic ${btoa(`${USER}:unused`)}` };
const slot = (hour: number) => ({
  start: { dateTime: `2026-09-07T${String(hour).padStart(2, '0')}:00:00`, timeZone: 'Europe/Berlin' },
  end: { dateTime: `2026-09-07T${String(hour + 1).padStart(2, '0')}:00:00`, timeZone: 'Europe/Berlin' },
});

describe.skipIf(skip)('offline calendar on CalDAV (Radicale)', () => {
  const server = useRadicale();
  let n = 0;

  async function fresh(options: Partial<OfflineCalendarOptions> = {}) {
    n += 1;
    const name = `offline${n}`;
    await makeCalendar({ url: `${server.url}${USER}/${name}/`, props: { 'd:displayname': name }, headers });
    const client = () =>
      createCalDavCalendar({ serverUrl: server.url, credentials: { username: USER, password: 'unused' }, ownerEmail: 'alice@example.com' });
    const remote = client();
    const store = createMemoryStore();
    const open = (provider: CalendarProvider = client()) => createOfflineCalendar({ provider, store, ...options });
    return { calendarId: `/${USER}/${name}/`, remote, open, offline: open() };
  }

  it('merge-fields: a queued edit and another client’s edit of the same event both survive', async () => {
    const { calendarId, remote, offline } = await fresh({ policy: 'merge-fields' });
    const event = await remote.createEvent(calendarId, { title: 'Standup', location: 'Room 1', ...slot(9) });
    await offline.pull(calendarId);
    await offline.updateEvent(calendarId, event.id, { location: 'Room 2', description: 'bring notes' });
    const created = await offline.createEvent(calendarId, { title: 'Offline one', ...slot(11) });
    await remote.updateEvent(calendarId, event.id, { title: 'Standup (moved)', location: 'Room 3', ...slot(10) });
    const result = await offline.flush();
    expect(result).toMatchObject({ applied: 1, remaining: 0 });
    expect(result.conflicts).toMatchObject([{ kind: 'update', resolution: 'merge-fields', conflictingFields: ['location'] }]);
    expect(await remote.getEvent(calendarId, event.id)).toMatchObject({
      title: 'Standup (moved)',
      location: 'Room 3',
      description: 'bring notes',
      ...slot(10),
    });
    expect(await remote.getEvent(calendarId, created.id)).toMatchObject({ title: 'Offline one' });
  });

  it('a create whose PUT landed before a crash is not duplicated on replay', async () => {
    const { calendarId, remote, open } = await fresh();
    const inner = createCalDavCalendar({
      serverUrl: server.url,
      credentials: { username: USER, password: 'unused' },
      ownerEmail: 'alice@example.com',
    });
    let crash = true;
    const crashing: CalendarProvider = {
      ...inner,
      name: inner.name,
      async createEvent(calendarId, input) {
        const made = await inner.createEvent(calendarId, input);
        if (crash) {
          crash = false;
          throw new Error('crashed after the PUT');
        }
        return made;
      },
    };
    const first = open(crashing);
    const local = await first.createEvent(calendarId, { title: 'Once', ...slot(9) });
    await first.updateEvent(calendarId, local.id, { location: 'Hall' });
    await expect(first.flush()).rejects.toThrow('crashed');
    expect(await open().flush()).toMatchObject({ applied: 2, conflicts: [], remaining: 0 });
    const events = await remote.listEvents(calendarId, { from: '2026-09-01T00:00:00Z', to: '2026-09-30T00:00:00Z' });
    expect(events.map((e) => [e.id, e.title, e.location])).toEqual([[local.id, 'Once', 'Hall']]);
  });

  it('merge-fields on deletes: a deletion beats an update on either side', async () => {
    const { calendarId, remote, open } = await fresh();
    const a = await remote.createEvent(calendarId, { title: 'A', ...slot(9) });
    const b = await remote.createEvent(calendarId, { title: 'B', ...slot(10) });
    const offline = open();
    await offline.pull(calendarId);
    await offline.updateEvent(calendarId, a.id, { title: 'A local' });
    await offline.deleteEvent(calendarId, b.id);
    await remote.deleteEvent(calendarId, a.id);
    await remote.updateEvent(calendarId, b.id, { title: 'B remote' });
    const result = await offline.flush();
    expect(result.conflicts.map((c) => [c.kind, c.resolution])).toEqual([
      ['remote-deleted', 'merge-fields'],
      ['local-delete', 'merge-fields'],
    ]);
    expect(await remote.listEvents(calendarId, { from: '2026-09-01T00:00:00Z', to: '2026-09-30T00:00:00Z' })).toEqual([]);
  });

  it('local-wins revives an event deleted on the server under an id derived from the op', async () => {
    const { calendarId, remote, offline } = await fresh({ policy: 'local-wins' });
    const a = await remote.createEvent(calendarId, { title: 'A', ...slot(9) });
    await offline.pull(calendarId);
    await offline.updateEvent(calendarId, a.id, { title: 'A kept' });
    await remote.deleteEvent(calendarId, a.id);
    const result = await offline.flush();
    const revived = result.conflicts[0]?.recreatedAs as string;
    expect(revived).toBeTruthy();
    expect(await remote.getEvent(calendarId, revived)).toMatchObject({ title: 'A kept', ...slot(9) });
    expect(await offline.getEvent(calendarId, a.id)).toMatchObject({ id: revived });
  });
});
