/** The sync engine's contract around the edges: options, leases, shared runs, reset, runaway listings, ids. */
import { describe, expect, it } from 'vitest';
import {
  type CalendarProvider,
  createCalendarSync,
  createFakeCalendar,
  eventIdFromKey,
  type EventChange,
} from '../../src/calendar/index.js';
import { IntegrationError } from '../../src/index.js';
import { createMemoryStore, type Store } from '../../src/stores/index.js';

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
    await expect(createCalendarSync({ provider, store, onChange: () => undefined }).sync('')).rejects.toMatchObject({
      code: 'invalid_input',
    });
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

  it('works on a store without batch calls, and reads and writes per page in batches on one with them', async () => {
    const provider = createFakeCalendar({ pageSize: 10 });
    for (let i = 0; i < 25; i++) await provider.createEvent('primary', ev(`e${i}`));
    const memory = createMemoryStore();
    const plain: Store = {
      get: (k) => memory.get(k),
      set: (k, v, o) => memory.set(k, v, o),
      setIfAbsent: (k, v, o) => memory.setIfAbsent(k, v, o),
      compareAndSet: (k, ver, v, o) => memory.compareAndSet(k, ver, v, o),
      delete: (k) => memory.delete(k),
      compareAndDelete: (k, ver) => memory.compareAndDelete(k, ver),
    };
    const seen: string[] = [];
    const r1 = await createCalendarSync({ provider, store: plain, onChange: (c) => void seen.push(c.type) }).sync('primary');
    expect(r1.delivered).toBe(25);

    const counted = createMemoryStore();
    const calls = { get: 0, set: 0, getMany: 0, setMany: 0 };
    const spy: Store = {
      ...counted,
      get: (k) => {
        calls.get++;
        return counted.get(k);
      },
      set: (k, v, o) => {
        calls.set++;
        return counted.set(k, v, o);
      },
      getMany: (k) => {
        calls.getMany++;
        return counted.getMany?.(k) ?? Promise.resolve([]);
      },
      setMany: (e, o) => {
        calls.setMany++;
        return counted.setMany?.(e, o) ?? Promise.resolve([]);
      },
    };
    const r2 = await createCalendarSync({ provider, store: spy, onChange: () => undefined }).sync('primary');
    expect(r2.delivered).toBe(25);
    // 3 pages + the catch-up increment: no per-event store call.
    expect(calls.get + calls.set).toBeLessThan(10);
    expect(calls.getMany).toBeGreaterThanOrEqual(3);
  });

  it('an id repeated within one page is delivered once per etag', async () => {
    const provider = createFakeCalendar();
    const a = await provider.createEvent('primary', ev('a'));
    const twice: CalendarProvider = {
      ...provider,
      async listChanges(calendarId, cursor) {
        const page = await provider.listChanges(calendarId, cursor);
        return { ...page, changes: [...page.changes, ...page.changes] };
      },
    };
    const seen: EventChange[] = [];
    const r = await createCalendarSync({ provider: twice, store: createMemoryStore(), onChange: (c) => void seen.push(c) }).sync('primary');
    expect(seen.map((c) => (c.type === 'upsert' ? c.event.id : c.eventId))).toEqual([a.id]);
    expect(r.duplicates).toBe(1);
  });

  it('onChange throwing mid-page records what it already delivered; a prefetched page that fails is dropped quietly', async () => {
    const fake = createFakeCalendar({ pageSize: 2 });
    for (const t of ['a', 'b', 'c', 'd']) await fake.createEvent('primary', ev(t));
    let calls = 0;
    const provider: CalendarProvider = {
      ...fake,
      listChanges(calendarId, cursor) {
        // The second call is the prefetch of page 2, made before page 1 is delivered.
        if (++calls === 2) return Promise.reject(new IntegrationError('unavailable', 'page 2 lost', { retryable: true }));
        return fake.listChanges(calendarId, cursor);
      },
    };
    const store = createMemoryStore();
    const titles: string[] = [];
    let fail = true;
    const sync = createCalendarSync({
      provider,
      store,
      onChange: (c) => {
        if (c.type !== 'upsert') return;
        if (titles.length === 1 && fail) {
          fail = false;
          throw new Error('db down');
        }
        titles.push(c.event.title ?? '');
      },
    });
    await expect(sync.sync('primary')).rejects.toThrow('db down');
    expect(titles).toHaveLength(1);
    const r = await sync.sync('primary');
    expect(titles.sort()).toEqual(['a', 'b', 'c', 'd']);
    // The event delivered before the throw was recorded: seen again, not delivered again.
    expect(r.duplicates).toBe(1);
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
