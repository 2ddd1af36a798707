/**
 * The sync engine on the durable stores (real Redis and PostgreSQL): state written by one engine is
 * picked up by another (a restarted process), exactly once, expiry and vanished events included.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createCalendarSync, createFakeCalendar, type EventChange } from '../../src/calendar/index.js';
import type { Store } from '../../src/stores/index.js';
import { peerSkipReason, uniqueName } from '../support/peers.js';
import { connectStore } from '../support/stores.js';

const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close?.();
});

describe.each(['redis', 'postgres'] as const)('calendar sync on %s', (kind) => {
  const skip = peerSkipReason(kind);
  it.skipIf(Boolean(skip))('a restarted engine continues from the committed state, exactly once', async () => {
    const store = connectStore(kind, uniqueName('calsync'));
    stores.push(store);
    await (store as Store & { migrate?: () => Promise<void> }).migrate?.();
    const provider = createFakeCalendar({ pageSize: 2 });
    const delivered: string[] = [];
    let crashAt = 3;
    const onChange = (c: EventChange) => {
      if (--crashAt === 0) throw new Error('process died');
      delivered.push(c.type === 'upsert' ? `${c.event.id}@${c.event.etag}` : `-${c.eventId}`);
    };
    const mk = () => createCalendarSync({ provider, store, onChange });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await provider.createEvent('primary', {
            title: `e${i}`,
            start: { dateTime: '2026-03-02T09:00:00', timeZone: 'UTC' },
            end: { dateTime: '2026-03-02T10:00:00', timeZone: 'UTC' },
          })
        ).id,
      );
    }
    await expect(mk().sync('primary')).rejects.toThrow('process died');
    expect(delivered).toHaveLength(2);
    await mk().sync('primary');
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered).toHaveLength(5);
    await provider.deleteEvent('primary', ids[0] as string);
    provider.expireCursors();
    const r = await mk().sync('primary');
    expect(r).toMatchObject({ fullSync: true, vanished: 1 });
    expect(delivered.at(-1)).toBe(`-${ids[0]}`);
  });
});
