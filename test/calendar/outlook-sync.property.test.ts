/**
 * The sync convergence property on the real Graph client over the msw model: random histories of
 * creates, updates, deletes, cancelled and modified occurrences and deleted series, interleaved with
 * delta-token expiries, failed pages and crashes in `onChange`. The synced copy must equal the
 * calendar view's final state (Graph syncs instances in a window), with no etag delivered twice.
 */
import fc from 'fast-check';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendarSync } from '../../src/calendar/index.js';
import { createOutlookCalendar } from '../../src/calendar/outlook/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { createGraphApi } from './support/graph-api.js';
import { createHostCopy } from './support/sync-steps.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const NOW = Date.parse('2026-02-20T12:00:00Z');
const WINDOW = { from: new Date(NOW - 30 * 86_400_000).toISOString(), to: new Date(NOW + 365 * 86_400_000).toISOString() };
const CAL = 'AAMkCal1';

type Step =
  | { op: 'create' | 'series'; day: number }
  | { op: 'update' | 'delete' | 'deleteSeries'; pick: number }
  | { op: 'occurrence'; pick: number; cancel: boolean }
  | { op: 'expire' | 'failPage' | 'sync' }
  | { op: 'crash'; after: number };

// Series and their occurrences are weighted up: they are where Graph's feed is incomplete.
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom('create' as const, 'series' as const), day: fc.integer({ min: 1, max: 20 }) }), weight: 3 },
  {
    arbitrary: fc.record({ op: fc.constantFrom('update' as const, 'delete' as const, 'deleteSeries' as const), pick: fc.nat() }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('occurrence' as const), pick: fc.nat(), cancel: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('sync' as const) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constantFrom('expire' as const, 'failPage' as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('crash' as const), after: fc.integer({ min: 0, max: 3 }) }), weight: 1 },
);

async function runHistory(steps: Step[]): Promise<void> {
  const api = createGraphApi({ now: () => NOW });
  server.resetHandlers(...api.handlers);
  const o = createOutlookCalendar({ auth: 't', pageSize: 2, now: () => NOW, retry: { maxAttempts: 1 } });
  const store = createMemoryStore();
  const host = createHostCopy();
  const { copy, onChange } = host;
  let failNextSync = false;
  const sync = () => createCalendarSync({ provider: o, store, onChange }).sync(CAL);
  const at = (day: number) => ({
    start: { dateTime: `2026-03-${String(day).padStart(2, '0')}T18:00:00`, timeZone: 'Europe/Berlin' },
    end: { dateTime: `2026-03-${String(day).padStart(2, '0')}T19:00:00`, timeZone: 'Europe/Berlin' },
  });
  const view = () => o.listEvents(CAL, { ...WINDOW, expand: true });
  for (const s of steps) {
    if (s.op === 'create') await o.createEvent(CAL, { ...at(s.day), title: 'c' });
    else if (s.op === 'series') await o.createEvent(CAL, { ...at(s.day), title: 's', recurrence: ['RRULE:FREQ=DAILY;COUNT=4'] });
    else if (s.op === 'update' || s.op === 'delete') {
      const singles = (await view()).filter((e) => !e.recurringEventId);
      const e = singles[s.pick % Math.max(1, singles.length)];
      if (e && s.op === 'update') await o.updateEvent(CAL, e.id, { title: `u${s.pick}` });
      if (e && s.op === 'delete') await o.deleteEvent(CAL, e.id);
    } else if (s.op === 'deleteSeries' || s.op === 'occurrence') {
      const instances = (await view()).filter((e) => e.recurringEventId);
      const inst = instances[s.pick % Math.max(1, instances.length)];
      if (!inst) continue;
      if (s.op === 'deleteSeries') await o.deleteEvent(CAL, inst.recurringEventId ?? '');
      else if (s.op === 'occurrence' && s.cancel) await o.deleteEvent(CAL, inst.id);
      else await o.updateEvent(CAL, inst.id, { title: 'moved' });
    } else if (s.op === 'expire') api.expireTokens();
    else if (s.op === 'failPage') failNextSync = true;
    else if (s.op === 'crash') host.crashAfter(s.after);
    else {
      if (failNextSync) api.inject({ status: 503 });
      failNextSync = false;
      await sync().catch(() => undefined);
    }
  }
  host.crashAfter(undefined);
  for (let i = 0; i < 5; i++) {
    if (
      await sync().then(
        () => true,
        () => false,
      )
    )
      break;
  }
  expect(copy).toEqual(api.viewState(CAL, WINDOW.from, WINDOW.to));
}

describe('calendar sync convergence on Outlook', () => {
  it('the synced copy equals the calendar view, with no etag delivered twice', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), runHistory), { numRuns: 60 });
  }, 60_000);

  // Seed 1458900250, path 43:3:2:7:8:8:11:13:14:14: every occurrence of a series cancelled between
  // two syncs. Delta then sends no instance of the series at all, only its changed master; the
  // adapter must still list the series' instances so the engine drops the four it holds.
  it('cancelling every occurrence of a series between two syncs deletes them all from the copy', async () => {
    const cancelFirst: Step = { op: 'occurrence', pick: 0, cancel: true };
    await runHistory([{ op: 'series', day: 1 }, { op: 'sync' }, cancelFirst, cancelFirst, cancelFirst, cancelFirst]);
  });
});
