/** The sync engine's contract around the edges: options, leases, shared runs, reset, runaway listings, ids. */
import { describe, expect, it } from 'vitest';
import { type CalendarProvider, createCalendarSync, createFakeCalendar, eventIdFromKey, type EventChange } from '../../src/calendar/index.js';
import { IntegrationError } from '../../src/index.js';
import { createMemoryStore } from '../../src/stores/index.js';

const ev = (title: string) => ({
  title,
  start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Asia/Tokyo' },
  end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Asia/Tokyo' },
});

describe('createCalendarSync', () => {
  it('rejects bad options and bad calendar ids', async () => {
    const provider = createFakeCalendar();
    const store = createMemoryStore();
    expect(() => createCalendarSync({ provider: {} as CalendarProvider, store, onChange: () => undefined })).toThrow(IntegrationError);
    expect(() => createCalendarSync({ provider, store: {} as never, onChange: () => undefined })).toThrow(/store/);
    expect(() => createCalendarSync({ provider, store, onChange: 'x' as never })).toThrow(/onChange/);
    await expect(createCalendarSync({ provider, store, onChange: () => undefined }).sync('')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('a calendar leased by another worker is skipped; concurrent calls in one process share a run', async () => {
    const provider = createFakeCalendar();
    await provider.createEvent('primary', ev('a'));
    const store = createMemoryStore();
    const seen: EventChange[] = [];
    const sync = createCalendarSync({ provider, store, onChange: (c) => void seen.push(c) });
    const [a, b] = await Promise.all([sync.sync('primary'), sync.sync('primary')]);
    expect(a).toBe(b);
    expect(seen).toHaveLength(1);
    await store.set('switchyard:calsync:fake:primary:lease', true, { ttlSeconds: 60 });
    expect((await createCalendarSync({ provider, store, onChange: () => undefined }).sync('primary')).skipped).toBe(true);
  });

  it('a run that lost its lease to another worker stops with a retryable conflict', async () => {
    const provider = createFakeCalendar({ pageSize: 1 });
    await provider.createEvent('primary', ev('a'));
    await provider.createEvent('primary', ev('b'));
    const store = createMemoryStore();
    const sync = createCalendarSync({
      provider,
      store,
      // Simulates the lease expiring during a slow page and another worker taking it.
      onChange: async () => void (await store.set('switchyard:calsync:fake:primary:lease', 'other')),
    });
    await expect(sync.sync('primary')).rejects.toMatchObject({ code: 'conflict', retryable: true });
    expect((await store.get('switchyard:calsync:fake:primary:lease'))?.value).toBe('other');
  });

  it('onChange throwing delivers the change again next run, and only that one', async () => {
    const provider = createFakeCalendar();
    await provider.createEvent('primary', ev('a'));
    await provider.createEvent('primary', ev('b'));
    const store = createMemoryStore();
    const titles: string[] = [];
    let fail = true;
    const sync = createCalendarSync({
      provider,
      store,
      onChange: (c) => {
        if (c.type !== 'upsert') return;
        if (c.event.title === 'b' && fail) {
          fail = false;
          throw new Error('db down');
        }
        titles.push(c.event.title ?? '');
      },
    });
    await expect(sync.sync('primary')).rejects.toThrow('db down');
    await sync.sync('primary');
    expect(titles.sort()).toEqual(['a', 'b']);
  });

  it('reset makes the next run a full listing that redelivers nothing the host has', async () => {
    const provider = createFakeCalendar();
    const a = await provider.createEvent('primary', ev('a'));
    const store = createMemoryStore();
    const seen: EventChange[] = [];
    const sync = createCalendarSync({ provider, store, onChange: (c) => void seen.push(c) });
    await sync.sync('primary');
    await sync.reset('primary');
    await provider.deleteEvent('primary', a.id);
    const r = await sync.sync('primary');
    expect(r.fullSync).toBe(true);
    expect(seen.map((c) => c.type)).toEqual(['upsert', 'delete']);
  });

  it('a listing that never ends stops with provider_error', async () => {
    const provider = createFakeCalendar();
    const endless: CalendarProvider = { ...provider, listChanges: async () => ({ changes: [], cursor: 'c', more: true, full: false }) };
    const sync = createCalendarSync({ provider: endless, store: createMemoryStore(), onChange: () => undefined, maxPages: 5 });
    await expect(sync.sync('primary')).rejects.toMatchObject({ code: 'provider_error' });
  });

  it('keeps one cursor per calendar', async () => {
    const provider = createFakeCalendar({ calendars: [{ id: 'a' }, { id: 'b' }] });
    await provider.createEvent('a', ev('x'));
    const store = createMemoryStore();
    const sync = createCalendarSync({ provider, store, onChange: () => undefined });
    await sync.sync('a');
    await sync.sync('b');
    provider.expireCursors('a');
    expect((await sync.sync('b')).fullSync).toBe(false);
    expect((await sync.sync('a')).fullSync).toBe(true);
    expect(await sync.cursor('a')).not.toBe(await sync.cursor('b'));
  });
});

describe('eventIdFromKey', () => {
  it('is stable, base32hex, and differs per key', async () => {
    const a = await eventIdFromKey('booking:42');
    expect(a).toBe(await eventIdFromKey('booking:42'));
    expect(a).toMatch(/^[a-v0-9]{32}$/);
    expect(a).not.toBe(await eventIdFromKey('booking:43'));
  });
});
