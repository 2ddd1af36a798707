/**
 * The offline change queue: local copy and durable queue, flush with idempotent replay, each
 * conflict kind under each policy, concurrent flushes, and bad input.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  type CalendarProvider,
  createFakeCalendar,
  createOfflineCalendar,
  type EventInput,
  eventIdFromKey,
  type FakeCalendar,
  type OfflineCalendarOptions,
  type OfflineConflictReport,
  type OfflinePolicyName,
} from '../../src/calendar/index.js';
import { IntegrationError } from '../../src/index.js';
import { createMemoryStore, type Store } from '../../src/stores/index.js';
import { POSTGRES_URL, peerSkipReason, uniqueName } from '../support/peers.js';
import { connectStore } from '../support/stores.js';

const CAL = 'primary';
const slot = (hour: number): Pick<EventInput, 'start' | 'end'> => ({
  start: { dateTime: `2026-05-04T${String(hour).padStart(2, '0')}:00:00`, timeZone: 'Europe/Berlin' },
  end: { dateTime: `2026-05-04T${String(hour + 1).padStart(2, '0')}:00:00`, timeZone: 'Europe/Berlin' },
});

function setup(options: Partial<OfflineCalendarOptions> = {}) {
  const fake = createFakeCalendar();
  const store = options.store ?? createMemoryStore();
  const open = (more: Partial<OfflineCalendarOptions> = {}) => createOfflineCalendar({ provider: fake, store, ...options, ...more });
  return { fake, store, open, offline: open() };
}

async function expectCode(promise: Promise<unknown>, code: string) {
  await expect(promise).rejects.toBeInstanceOf(IntegrationError);
  await expect(promise).rejects.toMatchObject({ code });
}

/** A provider whose mutations land remotely and then "crash" the process before the answer arrives. */
function crashingAfterWrite(fake: FakeCalendar, crashes: { left: number }): CalendarProvider {
  const after =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await fn(...args);
      if (crashes.left > 0) {
        crashes.left -= 1;
        throw new Error('process crashed after the remote write');
      }
      return result;
    };
  return {
    ...fake,
    createEvent: after(fake.createEvent),
    updateEvent: after(fake.updateEvent),
    deleteEvent: after(fake.deleteEvent),
  };
}

describe('createOfflineCalendar: local copy and queue', () => {
  it('applies local changes at once and queues them with op ids, base etags and changed fields', async () => {
    const { fake, offline } = setup();
    const remote = await fake.createEvent(CAL, { title: 'Remote', ...slot(8) });
    await offline.pull(CAL);
    const created = await offline.createEvent(CAL, { title: 'Local', ...slot(9) });
    const updated = await offline.updateEvent(CAL, remote.id, { location: 'Room 1' });
    expect(updated).toMatchObject({ id: remote.id, title: 'Remote', location: 'Room 1' });
    await offline.deleteEvent(CAL, created.id);
    expect((await offline.listEvents(CAL)).map((e) => e.id)).toEqual([remote.id]);
    await expectCode(offline.getEvent(CAL, created.id), 'not_found');
    const ops = await offline.pending();
    expect(ops.map((o) => [o.type, o.eventId, o.baseEtag])).toEqual([
      ['create', created.id, null],
      ['update', remote.id, remote.etag],
      ['delete', created.id, null],
    ]);
    expect(ops[1]?.patch).toEqual({ location: 'Room 1' });
    expect(new Set(ops.map((o) => o.id)).size).toBe(3);
    // Nothing reached the provider yet.
    expect(fake.snapshot(CAL).map((e) => [e.id, e.location])).toEqual([[remote.id, undefined]]);
  });

  it('keeps the queue and the local copy across a restart (a new instance on the same store)', async () => {
    const { fake, open, offline } = setup();
    const created = await offline.createEvent(CAL, { title: 'Before crash', ...slot(9) });
    await offline.updateEvent(CAL, created.id, { title: 'Renamed' });
    const restarted = open();
    expect(await restarted.getEvent(CAL, created.id)).toMatchObject({ title: 'Renamed' });
    expect(await restarted.pending()).toHaveLength(2);
    const result = await restarted.flush();
    expect(result).toMatchObject({ applied: 2, conflicts: [], remaining: 0, skipped: false });
    expect(fake.snapshot(CAL)).toMatchObject([{ id: created.id, title: 'Renamed' }]);
    expect(await restarted.getEvent(CAL, created.id)).toMatchObject({ title: 'Renamed', etag: fake.snapshot(CAL)[0]?.etag });
  });

  it('never duplicates a create when the process crashes after the remote accepted it', async () => {
    const { fake, store } = setup();
    const crashes = { left: 1 };
    const first = createOfflineCalendar({ provider: crashingAfterWrite(fake, crashes), store });
    const created = await first.createEvent(CAL, { title: 'Once', ...slot(9) });
    await first.updateEvent(CAL, created.id, { location: 'Here' });
    await expect(first.flush()).rejects.toThrow('crashed');
    expect(fake.snapshot(CAL)).toHaveLength(1);
    expect(await first.pending()).toHaveLength(2);
    const second = createOfflineCalendar({ provider: fake, store });
    expect(await second.flush()).toMatchObject({ applied: 2, conflicts: [] });
    expect(fake.snapshot(CAL)).toMatchObject([{ id: created.id, title: 'Once', location: 'Here' }]);
  });

  it('recognises an update and a delete that landed before a crash, without reporting a conflict', async () => {
    const { fake, store } = setup();
    const remote = await fake.createEvent(CAL, { title: 'A', ...slot(9) });
    const crashes = { left: 0 };
    const first = createOfflineCalendar({ provider: crashingAfterWrite(fake, crashes), store });
    await first.pull(CAL);
    await first.updateEvent(CAL, remote.id, { title: 'B' });
    await first.deleteEvent(CAL, remote.id);
    crashes.left = 2;
    await expect(first.flush()).rejects.toThrow('crashed');
    await expect(first.flush()).rejects.toThrow('crashed');
    const result = await createOfflineCalendar({ provider: fake, store, policy: 'remote-wins' }).flush();
    // The update was recognised by the second flush (which then crashed on the delete); the delete now.
    expect(result).toMatchObject({ applied: 1, conflicts: [], remaining: 0 });
    expect(fake.snapshot(CAL)).toEqual([]);
  });

  it('two concurrent flushes on one store replay each op once', async () => {
    const { fake, open } = setup();
    const a = open();
    for (let i = 0; i < 5; i++) await a.createEvent(CAL, { title: `E${i}`, ...slot(8 + i) });
    const create = vi.spyOn(fake, 'createEvent');
    const [r1, r2] = await Promise.all([a.flush(), open().flush()]);
    expect([r1.skipped, r2.skipped].sort()).toEqual([false, true]);
    expect(create).toHaveBeenCalledTimes(5);
    expect(fake.snapshot(CAL)).toHaveLength(5);
    // In one process, a second call joins the running flush.
    await a.createEvent(CAL, { title: 'E5', ...slot(14) });
    const p1 = a.flush();
    expect(a.flush()).toBe(p1);
    await p1;
  });

  it('a flush that fails keeps the failed op (and the ones after it) queued', async () => {
    const { fake, offline } = setup();
    const e = await offline.createEvent(CAL, { title: 'X', ...slot(9) });
    await offline.updateEvent(CAL, e.id, { title: 'Y' });
    fake.failNext('updateEvent');
    await expectCode(offline.flush(), 'unavailable');
    expect((await offline.pending()).map((o) => o.type)).toEqual(['update']);
    expect(await offline.flush()).toMatchObject({ applied: 1, remaining: 0 });
    expect(fake.snapshot(CAL)[0]?.title).toBe('Y');
  });

  it('follows a provider that chooses its own event ids (as Graph does)', async () => {
    const { fake, store } = setup();
    // Graph keeps the client id as transactionId and answers with its own id.
    const ownIds: CalendarProvider = {
      ...fake,
      createEvent: (calendarId, input) => fake.createEvent(calendarId, { ...input, id: `g${input.id}` }),
    };
    const offline = createOfflineCalendar({ provider: ownIds, store });
    const local = await offline.createEvent(CAL, { title: 'Booked', ...slot(9) });
    await offline.updateEvent(CAL, local.id, { location: 'Room 2' });
    expect(await offline.flush()).toMatchObject({ applied: 2, conflicts: [] });
    expect(fake.snapshot(CAL)).toMatchObject([{ id: `g${local.id}`, title: 'Booked', location: 'Room 2' }]);
    expect(await offline.getEvent(CAL, local.id)).toMatchObject({ id: `g${local.id}`, location: 'Room 2' });
    await offline.updateEvent(CAL, local.id, { title: 'Booked (2)' });
    await offline.flush();
    expect(fake.snapshot(CAL)).toMatchObject([{ id: `g${local.id}`, title: 'Booked (2)' }]);
  });

  it('pull keeps the base of events with queued changes and drops events deleted remotely', async () => {
    const { fake, offline } = setup();
    const a = await fake.createEvent(CAL, { title: 'A', ...slot(8) });
    const b = await fake.createEvent(CAL, { title: 'B', ...slot(9) });
    await offline.pull(CAL);
    await offline.updateEvent(CAL, a.id, { title: 'A local' });
    await fake.updateEvent(CAL, a.id, { location: 'remote' });
    await fake.deleteEvent(CAL, b.id);
    const c = await fake.createEvent(CAL, { title: 'C', ...slot(10) });
    expect(await offline.pull(CAL)).toEqual({ events: 2, skipped: false });
    expect((await offline.listEvents(CAL)).map((e) => [e.id, e.title, e.location])).toEqual(
      [
        [a.id, 'A local', undefined],
        [c.id, 'C', undefined],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    // The queued update still meets the remote change as a conflict (merge-fields keeps both).
    const result = await offline.flush();
    expect(result.conflicts).toHaveLength(1);
    expect(await fake.getEvent(CAL, a.id)).toMatchObject({ title: 'A local', location: 'remote' });
  });
});

describe('createOfflineCalendar: conflicts', () => {
  async function updateConflict(policy: OfflineCalendarOptions['policy']) {
    const conflicts: OfflineConflictReport[] = [];
    const { fake, offline } = setup({ policy, onConflict: (c) => void conflicts.push(c) });
    const remote = await fake.createEvent(CAL, { title: 'Base', location: 'Base room', description: 'base', ...slot(9) });
    await offline.pull(CAL);
    await offline.updateEvent(CAL, remote.id, { title: 'Local title', description: 'local' });
    await fake.updateEvent(CAL, remote.id, { title: 'Remote title', location: 'Remote room' });
    const result = await offline.flush();
    return { fake, offline, remote, result, conflicts, final: await fake.getEvent(CAL, remote.id) };
  }

  it('remote-wins: the remote version stays, the local change is reported', async () => {
    const { result, final, conflicts, offline, remote } = await updateConflict('remote-wins');
    expect(final).toMatchObject({ title: 'Remote title', location: 'Remote room', description: 'base' });
    expect(result.conflicts).toMatchObject([
      { kind: 'update', resolution: 'remote-wins', conflictingFields: ['title'], patch: { title: 'Local title', description: 'local' } },
    ]);
    expect(conflicts).toEqual(result.conflicts);
    expect(await offline.getEvent(CAL, remote.id)).toMatchObject({ title: 'Remote title', etag: final.etag });
  });

  it('local-wins: the fields the local change set win; the remote change to other fields stays', async () => {
    const { result, final } = await updateConflict('local-wins');
    expect(final).toMatchObject({ title: 'Local title', location: 'Remote room', description: 'local' });
    expect(result.conflicts[0]?.resolution).toBe('local-wins');
  });

  it('merge-fields: each side keeps the fields only it changed; a field both changed keeps the remote value', async () => {
    const { result, final } = await updateConflict('merge-fields');
    expect(final).toMatchObject({ title: 'Remote title', location: 'Remote room', description: 'local' });
    expect(result.conflicts).toMatchObject([{ resolution: 'merge-fields', conflictingFields: ['title'] }]);
  });

  it('a callback decides per conflict, and may return its own patch', async () => {
    const seen: string[] = [];
    const { final, result } = await updateConflict((conflict) => {
      seen.push(`${conflict.kind}:${conflict.base.title}/${conflict.local?.title}/${conflict.remote?.title}`);
      return { patch: { title: `${conflict.remote?.title} + ${conflict.local?.title}` } };
    });
    expect(seen).toEqual(['update:Base/Local title/Remote title']);
    expect(final).toMatchObject({ title: 'Remote title + Local title', location: 'Remote room', description: 'base' });
    expect(result.conflicts[0]?.resolution).toBe('custom');
  });

  it('merge-fields without overlapping fields writes the local ones and keeps the remote ones', async () => {
    const { fake, offline } = setup({ policy: 'merge-fields' });
    const remote = await fake.createEvent(CAL, { title: 'T', ...slot(9) });
    await offline.pull(CAL);
    await offline.updateEvent(CAL, remote.id, { ...slot(11) });
    await fake.updateEvent(CAL, remote.id, { title: 'Remote T' });
    const result = await offline.flush();
    expect(result.conflicts).toMatchObject([{ kind: 'update', conflictingFields: [] }]);
    expect(await fake.getEvent(CAL, remote.id)).toMatchObject({ title: 'Remote T', ...slot(11) });
  });

  it('no conflict when the remote changed nothing but its etag, or already holds the local values', async () => {
    const { fake, offline } = setup({ policy: 'remote-wins' });
    const a = await fake.createEvent(CAL, { title: 'A', ...slot(9) });
    const b = await fake.createEvent(CAL, { title: 'B', ...slot(10) });
    await offline.pull(CAL);
    await offline.updateEvent(CAL, a.id, { location: 'L' });
    await offline.updateEvent(CAL, b.id, { title: 'B2' });
    await fake.updateEvent(CAL, a.id, { title: 'A' }); // new etag, same content
    await fake.updateEvent(CAL, b.id, { title: 'B2' }); // the same edit, made remotely
    expect(await offline.flush()).toMatchObject({ applied: 2, conflicts: [] });
    expect(await fake.getEvent(CAL, a.id)).toMatchObject({ location: 'L' });
  });

  describe.each<[OfflinePolicyName, 'deleted' | 'recreated']>([
    ['remote-wins', 'deleted'],
    ['merge-fields', 'deleted'],
    ['local-wins', 'recreated'],
  ])('local update vs remote delete under %s', (policy, outcome) => {
    it(`the event ends ${outcome}`, async () => {
      const { fake, offline } = setup({ policy });
      const remote = await fake.createEvent(CAL, { title: 'Class', ...slot(9) });
      await offline.pull(CAL);
      await offline.updateEvent(CAL, remote.id, { title: 'Class (moved)' });
      await offline.updateEvent(CAL, remote.id, { location: 'Hall' });
      await fake.deleteEvent(CAL, remote.id);
      const result = await offline.flush();
      expect(result.remaining).toBe(0);
      if (outcome === 'deleted') {
        expect(fake.snapshot(CAL)).toEqual([]);
        expect(result.conflicts.map((c) => [c.kind, c.resolution])).toEqual([
          ['remote-deleted', policy],
          ['remote-deleted', policy],
        ]);
        await expectCode(offline.getEvent(CAL, remote.id), 'not_found');
      } else {
        const newId = await eventIdFromKey(`offline:${result.conflicts[0]?.opId}`);
        expect(result.conflicts).toMatchObject([{ kind: 'remote-deleted', resolution: 'local-wins', recreatedAs: newId }]);
        expect(result.applied).toBe(1); // the second update followed the event to its new id
        expect(fake.snapshot(CAL)).toMatchObject([{ id: newId, title: 'Class (moved)', location: 'Hall' }]);
        // The old id still reaches the event.
        expect(await offline.getEvent(CAL, remote.id)).toMatchObject({ id: newId, location: 'Hall' });
      }
    });
  });

  describe.each<[OfflinePolicyName, boolean]>([
    ['remote-wins', true],
    ['local-wins', false],
    ['merge-fields', false],
  ])('local delete vs remote update under %s', (policy, kept) => {
    it(kept ? 'keeps the remotely updated event' : 'deletes the event', async () => {
      const { fake, offline } = setup({ policy });
      const remote = await fake.createEvent(CAL, { title: 'Lesson', ...slot(9) });
      await offline.pull(CAL);
      await offline.deleteEvent(CAL, remote.id);
      await fake.updateEvent(CAL, remote.id, { title: 'Lesson (remote)' });
      const result = await offline.flush();
      expect(result.conflicts.map((c) => [c.kind, c.resolution])).toEqual([['local-delete', policy]]);
      expect(fake.snapshot(CAL).map((e) => e.title)).toEqual(kept ? ['Lesson (remote)'] : []);
      if (kept) expect(await offline.getEvent(CAL, remote.id)).toMatchObject({ title: 'Lesson (remote)' });
    });
  });

  it('local delete of an event already deleted remotely is no conflict', async () => {
    const { fake, offline } = setup({ policy: 'remote-wins' });
    const remote = await fake.createEvent(CAL, { title: 'Gone', ...slot(9) });
    await offline.pull(CAL);
    await offline.deleteEvent(CAL, remote.id);
    await fake.deleteEvent(CAL, remote.id);
    expect(await offline.flush()).toMatchObject({ applied: 1, conflicts: [] });
  });
});

describe('createOfflineCalendar: bad input', () => {
  it('rejects bad options with invalid_config', () => {
    const fake = createFakeCalendar();
    const store = createMemoryStore();
    const bad = (o: unknown) => () => createOfflineCalendar(o as OfflineCalendarOptions);
    expect(bad({ provider: fake, store, policy: 'newest-wins' })).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'policy' } }),
    );
    expect(bad({ provider: {}, store })).toThrow(expect.objectContaining({ code: 'invalid_config', details: { field: 'provider' } }));
    expect(bad({ provider: fake, store: {} })).toThrow(expect.objectContaining({ code: 'invalid_config', details: { field: 'store' } }));
    expect(bad({ provider: fake, store, leaseSeconds: 0 })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(bad(undefined)).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('rejects changes to unknown events, invalid events and duplicate ids', async () => {
    const { offline } = setup();
    await expectCode(offline.updateEvent(CAL, 'nosuchevent', { title: 'x' }), 'not_found');
    await expectCode(offline.deleteEvent(CAL, 'nosuchevent'), 'not_found');
    await expectCode(offline.getEvent(CAL, 'nosuchevent'), 'not_found');
    await expectCode(offline.createEvent(CAL, { title: 'x', start: slot(9).end, end: slot(9).start }), 'invalid_input');
    await expectCode(offline.createEvent('', { title: 'x', ...slot(9) }), 'invalid_input');
    const e = await offline.createEvent(CAL, { title: 'x', ...slot(9) });
    await expectCode(offline.updateEvent(CAL, e.id, { end: slot(7).end }), 'invalid_input');
    await expectCode(offline.updateEvent(CAL, e.id, { colour: 'red' } as never), 'invalid_input');
    await expectCode(offline.createEvent(CAL, { id: e.id, title: 'again', ...slot(10) }), 'conflict');
    expect(await offline.pending()).toHaveLength(1);
  });

  it('a callback returning something unknown is invalid_input, and the op stays queued', async () => {
    const { fake, offline } = setup({ policy: () => 'newest' as never });
    const remote = await fake.createEvent(CAL, { title: 'A', ...slot(9) });
    await offline.pull(CAL);
    await offline.updateEvent(CAL, remote.id, { title: 'B' });
    await fake.updateEvent(CAL, remote.id, { title: 'C' });
    await expectCode(offline.flush(), 'invalid_input');
    expect(await offline.pending()).toHaveLength(1);
  });

  it('a failing store surfaces as unavailable, never as a raw error', async () => {
    const inner = createMemoryStore();
    const broken: Store = { ...inner, compareAndSet: async () => Promise.reject(new Error('ECONNRESET')) };
    const offline = createOfflineCalendar({ provider: createFakeCalendar(), store: broken });
    await expectCode(offline.createEvent(CAL, { title: 'x', ...slot(9) }), 'unavailable');
  });

  it('discard drops a poisoned op', async () => {
    const { fake, offline } = setup();
    const e = await offline.createEvent(CAL, { title: 'x', ...slot(9) });
    fake.failNext('createEvent', new IntegrationError('permission', 'read-only calendar', { status: 403 }));
    await expectCode(offline.flush(), 'permission');
    const [op] = await offline.pending();
    expect(await offline.discard(op?.id as string)).toBe(true);
    expect(await offline.discard(op?.id as string)).toBe(false);
    await expectCode(offline.getEvent(CAL, e.id), 'not_found');
  });
});

for (const kind of ['redis', 'postgres'] as const) {
  const skip = peerSkipReason(kind);
  describe.skipIf(skip !== false)(`createOfflineCalendar on the ${kind} store`, () => {
    it('survives a restart and replays once, with two processes flushing', async () => {
      const name = uniqueName(`offline_${kind}`);
      const stores = [connectStore(kind, name), connectStore(kind, name)] as const;
      try {
        if (kind === 'postgres') await (stores[0] as Store & { migrate(): Promise<void> }).migrate();
        const fake = createFakeCalendar();
        const remote = await fake.createEvent(CAL, { title: 'R', ...slot(8) });
        const a = createOfflineCalendar({ provider: fake, store: stores[0], policy: 'merge-fields' });
        await a.pull(CAL);
        const created = await a.createEvent(CAL, { title: 'L', ...slot(9) });
        await a.updateEvent(CAL, remote.id, { location: 'local' });
        await fake.updateEvent(CAL, remote.id, { title: 'R2' });
        const b = createOfflineCalendar({ provider: fake, store: stores[1], policy: 'merge-fields' });
        expect(await b.getEvent(CAL, created.id)).toMatchObject({ title: 'L' });
        const results = await Promise.all([a.flush(), b.flush()]);
        expect(results.filter((r) => r.skipped)).toHaveLength(1);
        const ran = results.find((r) => !r.skipped);
        expect(ran).toMatchObject({ applied: 1, remaining: 0 });
        expect(ran?.conflicts).toHaveLength(1);
        expect(
          fake
            .snapshot(CAL)
            .map((e) => [e.title, e.location])
            .sort(),
        ).toEqual([
          ['L', undefined],
          ['R2', 'local'],
        ]);
      } finally {
        await Promise.all(stores.map((s) => s.close?.()));
        if (kind === 'postgres') {
          const { Client } = await import('pg');
          const admin = new Client({ connectionString: POSTGRES_URL });
          await admin.connect();
          await admin.query(`DROP TABLE IF EXISTS ${name}; DROP SEQUENCE IF EXISTS ${name}_version_seq`);
          await admin.end();
        }
      }
    });
  });
}
