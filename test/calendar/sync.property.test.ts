/**
 * The sync convergence property: for random histories of creates, updates, deletes, recurring
 * exceptions (modified and cancelled instances), interleaved with cursor expiries, failed pages and
 * crashes inside `onChange`, the host's synced copy ends equal to the provider's final state, and
 * no event is ever delivered twice for the same etag.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CalendarEvent, createCalendarSync, createFakeCalendar, type EventChange } from '../../src/calendar/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { HOST_CRASHED, syncTolerant, syncUntilSettled } from './support/sync-steps.js';

type Step =
  | { op: 'create'; day: number }
  | { op: 'createSeries'; day: number }
  | { op: 'update'; pick: number }
  | { op: 'delete'; pick: number }
  | { op: 'editInstance'; pick: number; k: number; cancel: boolean }
  | { op: 'expire' }
  | { op: 'failPage' }
  | { op: 'crashInOnChange'; after: number }
  | { op: 'sync' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), day: fc.integer({ min: 1, max: 28 }) }),
  fc.record({ op: fc.constant('createSeries' as const), day: fc.integer({ min: 1, max: 28 }) }),
  fc.record({ op: fc.constant('update' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('editInstance' as const), pick: fc.nat(), k: fc.integer({ min: 0, max: 5 }), cancel: fc.boolean() }),
  fc.constant({ op: 'expire' as const }),
  fc.constant({ op: 'failPage' as const }),
  fc.record({ op: fc.constant('crashInOnChange' as const), after: fc.integer({ min: 0, max: 4 }) }),
  fc.constant({ op: 'sync' as const }),
  fc.constant({ op: 'sync' as const }),
);

const at = (day: number, hour = 9) => ({
  start: { dateTime: `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00`, timeZone: 'Europe/Berlin' },
  end: { dateTime: `2026-03-${String(day).padStart(2, '0')}T${String(hour + 1).padStart(2, '0')}:00:00`, timeZone: 'Europe/Berlin' },
});

async function runHistory(steps: Step[], pageSize: number) {
  const provider = createFakeCalendar({ pageSize, calendars: [{ id: 'cal', timeZone: 'Europe/Berlin' }] });
  const store = createMemoryStore();
  const copy = new Map<string, CalendarEvent>();
  const delivered = new Set<string>();
  let crashAfter: number | undefined;
  const onChange = (change: EventChange) => {
    if (crashAfter !== undefined && crashAfter-- === 0) {
      crashAfter = undefined;
      throw new Error(HOST_CRASHED);
    }
    const key = change.type === 'upsert' ? `u|${change.event.id}|${change.event.etag}` : `d|${change.eventId}`;
    if (delivered.has(key)) throw new Error(`delivered twice: ${key}`);
    delivered.add(key);
    if (change.type === 'upsert') copy.set(change.event.id, change.event);
    else copy.delete(change.eventId);
  };
  // Every sync in a history uses a fresh engine, as a restarted process would.
  const sync = () => createCalendarSync({ provider, store, onChange }).sync('cal');
  const masters = () => provider.snapshot('cal').filter((e) => e.recurrence);
  const singles = () => provider.snapshot('cal').filter((e) => e.status !== 'cancelled' && !e.recurringEventId);

  for (const s of steps) {
    switch (s.op) {
      case 'create':
        await provider.createEvent('cal', { ...at(s.day), title: `c${s.day}` });
        break;
      case 'createSeries':
        await provider.createEvent('cal', { ...at(s.day, 18), title: 'series', recurrence: ['RRULE:FREQ=DAILY;COUNT=6'] });
        break;
      case 'update': {
        const list = singles();
        const e = list[s.pick % Math.max(1, list.length)];
        if (e) await provider.updateEvent('cal', e.id, { title: `u${s.pick}` });
        break;
      }
      case 'delete': {
        const list = singles();
        const e = list[s.pick % Math.max(1, list.length)];
        if (e) await provider.deleteEvent('cal', e.id);
        break;
      }
      case 'editInstance': {
        const list = masters();
        const m = list[s.pick % Math.max(1, list.length)];
        if (!m) break;
        const instances = (
          await provider.listEvents('cal', { from: '2026-02-01T00:00:00Z', to: '2026-05-01T00:00:00Z', expand: true })
        ).filter((e) => e.recurringEventId === m.id);
        const inst = instances[s.k % Math.max(1, instances.length)];
        if (!inst) break;
        if (s.cancel) await provider.deleteEvent('cal', inst.id);
        else await provider.updateEvent('cal', inst.id, { title: `moved${s.k}` });
        break;
      }
      case 'expire':
        provider.expireCursors('cal');
        break;
      case 'failPage':
        provider.failNext('listChanges');
        break;
      case 'crashInOnChange':
        crashAfter = s.after;
        break;
      case 'sync':
        await syncTolerant(sync);
        break;
    }
  }
  crashAfter = undefined;
  // Failures still queued make the first runs fail; a run that succeeds has converged.
  await syncUntilSettled(sync, 50);
  const expected = new Map(provider.snapshot('cal').map((e) => [e.id, e.etag]));
  const actual = new Map([...copy].map(([id, e]) => [id, e.etag]));
  return { expected, actual };
}

describe('calendar sync convergence', () => {
  it('the synced copy equals the provider state, with no etag delivered twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5 }), async (steps, pageSize) => {
        const { expected, actual } = await runHistory(steps, pageSize);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('regression: a full listing restarted from scratch does not reuse ids seen by an aborted attempt', async () => {
    const { expected, actual } = await runHistory(
      [
        { op: 'crashInOnChange', after: 1 },
        { op: 'create', day: 1 },
        { op: 'sync' },
        { op: 'expire' },
        { op: 'update', pick: 0 },
        { op: 'sync' },
        { op: 'delete', pick: 0 },
      ],
      1,
    );
    expect(actual).toEqual(expected);
  });

  it('a cursor expiry while an event is deleted delivers that deletion from the full resync', async () => {
    const { expected, actual } = await runHistory(
      [{ op: 'create', day: 3 }, { op: 'create', day: 4 }, { op: 'sync' }, { op: 'delete', pick: 0 }, { op: 'expire' }, { op: 'sync' }],
      1,
    );
    expect(actual).toEqual(expected);
    expect(actual.size).toBe(1);
  });
});
