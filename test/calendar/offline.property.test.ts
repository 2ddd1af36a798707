/**
 * Offline histories: random local edits, remote edits made directly on the fake provider, pulls,
 * restarts (a new offline instance on the same store), flushes, and flushes that crash right after
 * the provider accepted a write. Under every policy the provider ends in the state an independent
 * model of the documented rules predicts, every local change is either applied or reported as a
 * resolved conflict, the local copy matches the model after every step, and no event is ever
 * duplicated remotely.
 *
 * The model knows nothing of stores, etags or op ids: events are plain `{ title, location, slot }`
 * records keyed by a logical key, and each queued change is judged against the version it was
 * made on (the base) and the remote version at flush time, as docs/calendar.md "Offline changes" says.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CalendarEvent,
  type CalendarProvider,
  createFakeCalendar,
  createOfflineCalendar,
  type EventPatch,
  type FakeCalendar,
  type OfflineCalendar,
  type OfflineCalendarOptions,
  type OfflineConflictReport,
} from '../../src/calendar/index.js';
import { createMemoryStore, type Store } from '../../src/stores/index.js';

const CAL = 'cal';
type Field = 'title' | 'location' | 'slot';
const FIELDS: Field[] = ['title', 'location', 'slot'];
interface Content {
  title: string;
  location?: string;
  slot: number;
}
type Patch = Partial<Content>;

type Step =
  | { op: 'localCreate'; content: Content }
  | { op: 'localUpdate'; pick: number; patch: Patch }
  | { op: 'localDelete'; pick: number }
  | { op: 'remoteCreate'; content: Content }
  | { op: 'remoteUpdate'; pick: number; patch: Patch }
  | { op: 'remoteDelete'; pick: number }
  | { op: 'pull' }
  | { op: 'restart' }
  | { op: 'flush' }
  | { op: 'crashFlush'; afterWrites: number }
  | { op: 'storeCrashFlush'; afterOps: number };

const title = fc.constantFrom('A', 'B', 'C');
const location = fc.constantFrom('L1', 'L2', 'L3');
const slotArb = fc.integer({ min: 8, max: 11 });
const content = fc.record({ title, location: fc.option(location, { nil: undefined }), slot: slotArb }).map((c) => {
  const out: Content = { title: c.title, slot: c.slot };
  if (c.location !== undefined) out.location = c.location;
  return out;
});
const patch = fc.record({ title, location, slot: slotArb }, { requiredKeys: [] }).filter((p) => Object.keys(p).length > 0);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('localCreate' as const), content }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('localUpdate' as const), pick: fc.nat(), patch }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('localDelete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remoteCreate' as const), content }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('remoteUpdate' as const), pick: fc.nat(), patch }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remoteDelete' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.constant({ op: 'pull' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'flush' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('crashFlush' as const), afterWrites: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('storeCrashFlush' as const), afterOps: fc.integer({ min: 0, max: 3 }) }) },
);

// ---- the model ---------------------------------------------------------------------------------

type PolicyName = 'remote-wins' | 'local-wins' | 'merge-fields' | 'callback';
type Decision = 'remote-wins' | 'local-wins' | 'merge-fields' | { patch: Patch };

/** The callback policy under test, in model terms (the real one below translates it). */
function callbackDecision(kind: string): Decision {
  if (kind === 'update') return { patch: { title: 'CB' } };
  return kind === 'remote-deleted' ? 'local-wins' : 'remote-wins';
}

interface ModelOp {
  no: number;
  type: 'create' | 'update' | 'delete';
  key: string;
  tag: string;
  content?: Content;
  patch?: Patch;
  /** Its outcome is committed but a crash kept it queued; the conflict is reported when it leaves the queue. */
  done?: { conflict?: string };
}
interface ModelBase {
  content: Content;
  deleted?: boolean;
  movedTo?: string;
}
type RemoteEntry = { content: Content; tag: string } | { deleted: true; tag: string };

const same = (f: Field, a: Patch, b: Patch) => a[f] === b[f];
const sameAll = (a: Content, b: Content) => FIELDS.every((f) => same(f, a, b));
const apply = (c: Content, p: Patch): Content => ({ ...c, ...p });

class Model {
  remote = new Map<string, RemoteEntry>();
  base = new Map<string, ModelBase>();
  queue: ModelOp[] = [];
  conflicts: string[] = [];
  opNo = 0;
  constructor(readonly policy: PolicyName) {}

  decide(kind: string): Decision {
    return this.policy === 'callback' ? callbackDecision(kind) : this.policy;
  }

  localView(key: string): Content | null {
    const b = this.base.get(key);
    let view: Content | null = b && !b.deleted ? b.content : null;
    for (const op of this.queue.filter((o) => o.key === key && !o.done)) {
      if (op.type === 'create') view = op.content as Content;
      else if (op.type === 'delete') view = null;
      else {
        const from = view ?? (b?.deleted && !b.movedTo ? b.content : null);
        if (from) view = apply(from, op.patch as Patch);
      }
    }
    return view;
  }

  localKeys(): string[] {
    const keys = new Set([...this.base.keys(), ...this.queue.map((o) => o.key)]);
    return [...keys].filter((k) => this.localView(k) !== null).sort();
  }

  tagOf(key: string): string {
    return key.split('@')[0] as string;
  }

  /**
   * Process the head op. Returns whether it wrote remotely. `remote-crash`: a write lands but
   * nothing is committed; `store-crash`: the outcome is committed but the op stays queued.
   */
  step(crash: 'remote-crash' | 'store-crash' | undefined): { wrote: boolean; crashed: boolean } {
    const op = this.queue[0] as ModelOp;
    if (op.done) {
      if (crash === 'store-crash') return { wrote: false, crashed: true }; // dequeuing it is the write that fails
      this.queue.shift();
      if (op.done.conflict) this.conflicts.push(op.done.conflict);
      return { wrote: false, crashed: false };
    }
    let wrote = false;
    const commitBases: [string, ModelBase][] = [];
    let conflict: string | undefined;
    let remap: [string, string] | undefined;
    const remoteWrite = (key: string, entry: RemoteEntry) => {
      wrote = true;
      this.remote.set(key, entry);
    };
    const live = (key: string) => {
      const r = this.remote.get(key);
      return r && !('deleted' in r) ? r.content : null;
    };
    const b = this.base.get(op.key);
    if (op.type === 'create') {
      if (!b) {
        const r = this.remote.get(op.key);
        const c = op.content as Content;
        if (!r) remoteWrite(op.key, { content: c, tag: op.tag });
        else if (!('deleted' in r)) wrote = true; // the provider hands back the event our earlier attempt made
        commitBases.push([op.key, r && 'deleted' in r ? { content: c, deleted: true } : { content: c }]);
      }
    } else if (op.type === 'update') {
      const base = b as ModelBase;
      const p = op.patch as Patch;
      const changed = FIELDS.filter((f) => p[f] !== undefined && !same(f, p, base.content));
      const local = apply(base.content, p);
      const r = base.deleted ? null : live(op.key);
      if (changed.length === 0) {
        // nothing to do
      } else if (r === null) {
        const d = this.decide('remote-deleted');
        conflict = `${op.tag}:remote-deleted:${typeof d === 'string' ? d : 'custom'}`;
        if (d === 'local-wins') {
          const newKey = `${op.tag}@${op.no}`;
          const existing = this.remote.get(newKey);
          if (!existing) remoteWrite(newKey, { content: local, tag: op.tag });
          else if (!('deleted' in existing)) wrote = true;
          commitBases.push([op.key, { content: base.content, deleted: true, movedTo: newKey }]);
          commitBases.push([newKey, existing && 'deleted' in existing ? { content: local, deleted: true } : { content: local }]);
          remap = [op.key, newKey];
        } else commitBases.push([op.key, { content: base.content, deleted: true }]);
      } else if (changed.every((f) => same(f, p, r))) {
        commitBases.push([op.key, { content: local }]);
      } else if (sameAll(r, base.content)) {
        const next = apply(r, pick(p, changed));
        remoteWrite(op.key, { content: next, tag: op.tag });
        commitBases.push([op.key, { content: next }]);
      } else {
        const d = this.decide('update');
        conflict = `${op.tag}:update:${typeof d === 'string' ? d : 'custom'}`;
        let write: Patch = {};
        if (d === 'local-wins') write = pick(p, changed);
        else if (d === 'merge-fields')
          write = pick(
            p,
            changed.filter((f) => !same(f, p, r) && same(f, base.content, r)),
          );
        else if (typeof d === 'object') write = d.patch;
        const next = apply(r, write);
        if (Object.keys(write).length > 0) remoteWrite(op.key, { content: next, tag: op.tag });
        commitBases.push([op.key, { content: next }]);
      }
    } else {
      const base = b as ModelBase;
      const r = base.deleted ? null : live(op.key);
      if (r === null) {
        if (!base.deleted) commitBases.push([op.key, { content: base.content, deleted: true }]);
      } else if (sameAll(r, base.content)) {
        remoteWrite(op.key, { deleted: true, tag: op.tag });
        commitBases.push([op.key, { content: base.content, deleted: true }]);
      } else {
        const d = this.decide('local-delete');
        conflict = `${op.tag}:local-delete:${typeof d === 'string' ? d : 'custom'}`;
        if (d === 'remote-wins') commitBases.push([op.key, { content: r }]);
        else {
          remoteWrite(op.key, { deleted: true, tag: op.tag });
          commitBases.push([op.key, { content: base.content, deleted: true }]);
        }
      }
    }
    if (crash === 'remote-crash' && wrote) return { wrote, crashed: true };
    for (const [k, v] of commitBases) this.base.set(k, v);
    if (remap) {
      const [from, to] = remap;
      this.queue = this.queue.map((o, i) => (i > 0 && o.key === from ? { ...o, key: to } : o));
    }
    if (crash === 'store-crash') {
      // An op that changed no base left nothing behind to recognise it by: it is simply replayed.
      if (commitBases.length > 0) op.done = conflict ? { conflict } : {};
      return { wrote, crashed: true };
    }
    this.queue.shift();
    if (conflict) this.conflicts.push(conflict);
    return { wrote, crashed: false };
  }

  flush(crash?: { afterWrites: number } | { afterOps: number }): void {
    let writes = 0;
    let ops = 0;
    while (this.queue.length > 0) {
      let mode: 'remote-crash' | 'store-crash' | undefined;
      if (crash && 'afterWrites' in crash && writes === crash.afterWrites) mode = 'remote-crash';
      if (crash && 'afterOps' in crash && ops === crash.afterOps) mode = 'store-crash';
      const { wrote, crashed } = this.step(mode);
      if (crashed) return;
      if (wrote) writes += 1;
      ops += 1;
    }
  }

  pull(): void {
    const pending = new Set(this.queue.map((o) => o.key));
    // An event a queued update may already have revived (a crash before the flush recorded it) is left to the flush.
    for (const o of this.queue) if (o.type === 'update') pending.add(`${o.tag}@${o.no}`);
    const next = new Map<string, ModelBase>();
    for (const [k, v] of this.base) if (pending.has(k)) next.set(k, v);
    for (const [k, r] of this.remote) if (!('deleted' in r) && !pending.has(k)) next.set(k, { content: r.content });
    this.base = next;
  }

  remoteAlive(): Map<string, Content> {
    const out = new Map<string, Content>();
    for (const r of this.remote.values()) if (!('deleted' in r)) out.set(r.tag, r.content);
    return out;
  }
}

function pick(p: Patch, fields: Field[]): Patch {
  const out: Patch = {};
  for (const f of fields) if (p[f] !== undefined) (out as Record<string, unknown>)[f] = p[f];
  return out;
}

// ---- translation to the real API ---------------------------------------------------------------

const hour = (h: number) => `2026-06-01T${String(h).padStart(2, '0')}:00:00`;
function toPatch(p: Patch): EventPatch {
  const out: EventPatch = {};
  if (p.title !== undefined) out.title = p.title;
  if (p.location !== undefined) out.location = p.location;
  if (p.slot !== undefined) {
    out.start = { dateTime: hour(p.slot), timeZone: 'UTC' };
    out.end = { dateTime: hour(p.slot + 1), timeZone: 'UTC' };
  }
  return out;
}
const toInput = (id: string, tag: string, c: Content) =>
  ({ id, extendedProperties: { tag }, ...toPatch(c) }) as Parameters<CalendarProvider['createEvent']>[1];
function contentOf(e: CalendarEvent): Content {
  const out: Content = { title: e.title ?? '', slot: Number(('dateTime' in e.start ? e.start.dateTime : '').slice(11, 13)) };
  if (e.location !== undefined) out.location = e.location;
  return out;
}
const tagOf = (e: CalendarEvent) => e.extendedProperties?.tag as string;
function byTag(events: CalendarEvent[]): Map<string, Content> {
  const out = new Map<string, Content>();
  for (const e of events) {
    if (out.has(tagOf(e))) throw new Error(`duplicate event for ${tagOf(e)}`);
    out.set(tagOf(e), contentOf(e));
  }
  return out;
}
const sorted = (m: Map<string, Content>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));

function realPolicy(policy: PolicyName): OfflineCalendarOptions['policy'] {
  if (policy !== 'callback') return policy;
  return (conflict) => {
    const d = callbackDecision(conflict.kind);
    return typeof d === 'string' ? d : { patch: toPatch(d.patch) };
  };
}

/** Crash (throw) right after the provider accepted the `afterWrites`-th mutation of this flush. */
function crashing(fake: FakeCalendar, afterWrites: number): CalendarProvider {
  let left = afterWrites;
  let armed = true;
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await fn(...args);
      if (armed && left-- === 0) {
        armed = false;
        throw new Error('crashed after the remote write');
      }
      return result;
    };
  return { ...fake, createEvent: wrap(fake.createEvent), updateEvent: wrap(fake.updateEvent), deleteEvent: wrap(fake.deleteEvent) };
}

/** A store whose `afterOps`-th write to the queue fails: the process dies between storing an op's outcome and dequeuing it. */
function failingQueueWrite(store: Store, afterOps: number): Store {
  let left = afterOps;
  let armed = true;
  return {
    ...store,
    async compareAndSet(key, expected, value, options) {
      if (armed && key.endsWith(':queue') && left-- === 0) {
        armed = false;
        throw new Error('crashed before the queue write');
      }
      return store.compareAndSet(key, expected, value, options);
    },
  };
}

async function runHistory(policy: PolicyName, steps: Step[]) {
  const fake = createFakeCalendar({ calendars: [{ id: CAL }], pageSize: 3 });
  const store = createMemoryStore();
  const reported: OfflineConflictReport[] = [];
  const open = (provider: CalendarProvider = fake): OfflineCalendar =>
    createOfflineCalendar({ provider, store, policy: realPolicy(policy), onConflict: (c) => void reported.push(c) });
  const model = new Model(policy);
  let offline = open();
  let tags = 0;
  const reportedKeys = () => reported.map((c) => `${tagOf((c.local ?? c.base) as CalendarEvent)}:${c.kind}:${c.resolution}`);

  const localByTag = async (tag: string) => (await offline.listEvents(CAL)).find((e) => tagOf(e) === tag) as CalendarEvent;
  const remoteByTag = (tag: string) => fake.snapshot(CAL).find((e) => tagOf(e) === tag && e.status !== 'cancelled') as CalendarEvent;

  // Every history starts from a few remote events in the local copy, so local and remote edits meet often.
  const seed: Step[] = [
    { op: 'remoteCreate', content: { title: 'A', slot: 8 } },
    { op: 'remoteCreate', content: { title: 'B', location: 'L1', slot: 9 } },
    { op: 'remoteCreate', content: { title: 'C', slot: 10 } },
    { op: 'pull' },
  ];
  for (const s of [...seed, ...steps]) {
    switch (s.op) {
      case 'localCreate': {
        const tag = `t${tags++}`;
        const id = `evl${String(tags).padStart(4, '0')}`;
        await offline.createEvent(CAL, toInput(id, tag, s.content));
        model.queue.push({ no: model.opNo++, type: 'create', key: tag, tag, content: s.content });
        break;
      }
      case 'localUpdate':
      case 'localDelete': {
        const keys = model.localKeys();
        if (keys.length === 0) break;
        const key = keys[s.pick % keys.length] as string;
        const tag = model.tagOf(key);
        const event = await localByTag(tag);
        expect(event, `local copy has ${tag}`).toBeDefined();
        if (s.op === 'localUpdate') {
          await offline.updateEvent(CAL, event.id, toPatch(s.patch));
          model.queue.push({ no: model.opNo++, type: 'update', key, tag, patch: s.patch });
        } else {
          await offline.deleteEvent(CAL, event.id);
          model.queue.push({ no: model.opNo++, type: 'delete', key, tag });
        }
        break;
      }
      case 'remoteCreate': {
        const tag = `t${tags++}`;
        await fake.createEvent(CAL, toInput(`evr${String(tags).padStart(4, '0')}`, tag, s.content));
        model.remote.set(tag, { content: s.content, tag });
        break;
      }
      case 'remoteUpdate':
      case 'remoteDelete': {
        const alive = [...model.remote.entries()].filter(([, r]) => !('deleted' in r)).sort(([a], [b]) => a.localeCompare(b));
        if (alive.length === 0) break;
        const [key, entry] = alive[s.pick % alive.length] as [string, { content: Content; tag: string }];
        const event = remoteByTag(entry.tag);
        if (s.op === 'remoteUpdate') {
          await fake.updateEvent(CAL, event.id, toPatch(s.patch));
          model.remote.set(key, { content: apply(entry.content, s.patch), tag: entry.tag });
        } else {
          await fake.deleteEvent(CAL, event.id);
          model.remote.set(key, { deleted: true, tag: entry.tag });
        }
        break;
      }
      case 'pull':
        await offline.pull(CAL);
        model.pull();
        break;
      case 'restart':
        offline = open();
        break;
      case 'flush':
        await offline.flush();
        model.flush();
        break;
      case 'crashFlush': {
        const crashed = open(crashing(fake, s.afterWrites));
        await crashed.flush().catch((error: Error) => {
          if (!/crashed/.test(error.message)) throw error;
        });
        model.flush({ afterWrites: s.afterWrites });
        offline = open();
        break;
      }
      case 'storeCrashFlush': {
        const crashed = createOfflineCalendar({
          provider: fake,
          store: failingQueueWrite(store, s.afterOps),
          policy: realPolicy(policy),
          onConflict: (c) => void reported.push(c),
        });
        await crashed.flush().catch((error: { cause?: Error }) => {
          if (!/crashed/.test(String(error.cause?.message))) throw error;
        });
        model.flush({ afterOps: s.afterOps });
        offline = open();
        break;
      }
    }
    // After every step: the local copy is the model's, and so is the provider.
    const local = new Map<string, Content>();
    for (const key of model.localKeys()) local.set(model.tagOf(key), model.localView(key) as Content);
    expect(sorted(byTag(await offline.listEvents(CAL))), `local copy after ${JSON.stringify(s)}`).toEqual(sorted(local));
    expect(sorted(byTag(fake.snapshot(CAL))), `remote after ${JSON.stringify(s)}`).toEqual(sorted(model.remoteAlive()));
    expect((await offline.pending()).length).toBe(model.queue.length);
  }

  const final = await offline.flush();
  model.flush();
  expect(final.remaining).toBe(0);
  expect(await offline.pending()).toEqual([]);
  // The provider ends where the policy's rules say; no event exists twice (byTag throws on a duplicate).
  expect(sorted(byTag(fake.snapshot(CAL)))).toEqual(sorted(model.remoteAlive()));
  // Every conflict the model saw was reported once it was resolved, with the policy's resolution.
  expect(reportedKeys()).toEqual(model.conflicts);
  // After a pull, the local copy is the provider's.
  await offline.pull(CAL);
  expect(sorted(byTag(await offline.listEvents(CAL)))).toEqual(sorted(byTag(fake.snapshot(CAL))));
}

/** Histories that once failed, replayed on every run. */
const EXAMPLES: [Step[]][] = [
  // A revive (local-wins on a remote delete) landed, the flush crashed, and a pull listed the revived event.
  [
    [
      { op: 'remoteDelete', pick: 0 },
      { op: 'localUpdate', pick: 0, patch: { slot: 11 } },
      { op: 'crashFlush', afterWrites: 0 },
      { op: 'pull' },
      { op: 'crashFlush', afterWrites: 0 },
    ],
  ],
];

describe('offline histories (fast-check)', () => {
  for (const policy of ['remote-wins', 'local-wins', 'merge-fields', 'callback'] as const) {
    it(`under ${policy}: the provider ends as the model says, nothing lost, nothing duplicated`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => runHistory(policy, steps)),
        { numRuns: 150, examples: EXAMPLES },
      );
    });
  }
});
