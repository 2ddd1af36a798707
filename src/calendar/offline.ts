/**
 * `createOfflineCalendar`: local-first writes for hosts on flaky networks (mobile, kiosks, field
 * apps). Creates, updates and deletes apply at once to a local copy and are queued durably in a
 * `Store`; `flush()` replays them in order against the provider, and a remote change made since the
 * version a local change was based on is a conflict resolved by a policy.
 *
 * Store layout, under `keyPrefix` (default `switchyard:offline`) + `:<provider>`:
 * - `…:queue`: `{ seq, ops }`, the queued changes in order (one key, so an append or a removal is
 *   one compare-and-set and a crash can never leave half an op);
 * - `…:base:<calendarId>`: `{ [eventId]: BaseRecord }`, the last remote version of each event the
 *   local copy knows (what queued changes were made against);
 * - `…:lease`: held by the one flush or pull running for this store.
 *
 * The local copy is never stored on its own: it is the base version with the queued ops folded in,
 * so the queue is the single source of local changes and a crash between two writes cannot make
 * the local copy and the queue disagree.
 */
import { IntegrationError, isIntegrationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { withRedaction } from '../core/logger.js';
import type { Store, StoreEntry } from '../stores/store.js';
import { eventIdFromKey, newEventId } from './ids.js';
import {
  applyPatchLocally,
  changedFields,
  EDITABLE_FIELDS,
  type EditableField,
  eventFromInput,
  inputFromEvent,
  mergeFields,
  pickPatch,
  sameContent,
  sameField,
} from './offline-merge.js';
import type { CalendarEvent, CalendarProvider, EventInput, EventPatch } from './types.js';
import { assertId, parseEventInput, parseEventPatch } from './validate.js';

/** The built-in conflict policies of {@link createOfflineCalendar}. */
export type OfflinePolicyName = 'remote-wins' | 'local-wins' | 'merge-fields';

/** What a conflict callback decides: one of the built-in policies for this conflict, or the exact fields to write on top of the remote version. */
export type OfflineResolution = OfflinePolicyName | { patch: EventPatch };

/**
 * The kind of a conflict: `update` (both sides changed the event), `remote-deleted` (a local
 * update to an event deleted remotely), `local-delete` (a local delete of an event changed remotely).
 */
export type OfflineConflictKind = 'update' | 'remote-deleted' | 'local-delete';

/** One queued local change, as stored. */
export interface OfflineOp {
  /** Stable id of the change; creates revived after a remote delete derive their event id from it. */
  id: string;
  /** Position in the queue (increasing). */
  seq: number;
  type: 'create' | 'update' | 'delete';
  calendarId: string;
  eventId: string;
  /** Etag of the remote version the change was made against (`null` for a create or an unknown etag). */
  baseEtag: string | null;
  /** A create's full input (its `id` is the client-chosen event id, so a replayed create cannot duplicate). */
  input?: EventInput;
  /** An update's changed fields. */
  patch?: EventPatch;
  /** Epoch milliseconds. */
  queuedAt: number;
}

/** A conflict found while flushing, as handed to a conflict callback. */
export interface OfflineConflict {
  kind: OfflineConflictKind;
  opId: string;
  calendarId: string;
  eventId: string;
  /** The remote version the local change was made against. */
  base: CalendarEvent;
  /** The local version: the base with this change applied (`null` for a local delete). */
  local: CalendarEvent | null;
  /** The provider's current version (`null` when it was deleted remotely). */
  remote: CalendarEvent | null;
  /** The fields the local change set (updates). */
  patch?: EventPatch;
  /** Fields both sides changed to different values (updates). */
  conflictingFields: EditableField[];
}

/** A resolved conflict, as reported by `flush()` and `onConflict`. */
export interface OfflineConflictReport extends OfflineConflict {
  /** The resolution that was applied (`custom`: a callback returned a patch). */
  resolution: OfflinePolicyName | 'custom';
  /** When a local change revived an event deleted remotely: the id of the event created for it. */
  recreatedAs?: string;
}

/** A conflict callback: decide per conflict (may be async). */
export type OfflineConflictResolver = (conflict: OfflineConflict) => OfflineResolution | Promise<OfflineResolution>;

/** Options of {@link createOfflineCalendar}. */
export interface OfflineCalendarOptions {
  provider: CalendarProvider;
  /** Where the queue and the base versions live; use a durable store (Redis, PostgreSQL, or a host-side one) to survive restarts. */
  store: Store;
  /** How a conflict is resolved. Default `merge-fields`. */
  policy?: OfflinePolicyName | OfflineConflictResolver;
  /** Called once per resolved conflict, after it was committed. Errors are logged, not thrown. */
  onConflict?: (report: OfflineConflictReport) => void | Promise<void>;
  keyPrefix?: string;
  /** Lease on the queue so two flushes (or a flush and a pull) never run at once, seconds. Default 120. */
  leaseSeconds?: number;
  /** Clock in epoch milliseconds (tests); default `Date.now`. */
  now?: () => number;
  logger?: Logger;
}

/** What one `flush()` did. */
export interface OfflineFlushResult {
  /** Ops replayed without a conflict (including ops the remote already matched). */
  applied: number;
  /** Ops that met a conflict, with how each was resolved. */
  conflicts: OfflineConflictReport[];
  /** Ops still queued when the flush ended. */
  remaining: number;
  /** Another flush or pull held the lease: nothing was done. */
  skipped: boolean;
}

/** The offline calendar: a local copy you read and write at once, and a queue you flush. */
export interface OfflineCalendar {
  /** Create an event in the local copy and queue it. Its id is `input.id` or a new client-chosen one. */
  createEvent(calendarId: string, input: EventInput): Promise<CalendarEvent>;
  /** Update an event of the local copy and queue the change. */
  updateEvent(calendarId: string, eventId: string, patch: EventPatch): Promise<CalendarEvent>;
  /** Delete an event of the local copy and queue the delete. */
  deleteEvent(calendarId: string, eventId: string): Promise<void>;
  /** An event of the local copy (queued changes included); `not_found` when it has none. */
  getEvent(calendarId: string, eventId: string): Promise<CalendarEvent>;
  /** Every event of the local copy of a calendar, ordered by id. */
  listEvents(calendarId: string): Promise<CalendarEvent[]>;
  /** Load the provider's current events of a calendar into the local copy (events with queued changes keep their base). */
  pull(calendarId: string): Promise<{ events: number; skipped: boolean }>;
  /** Replay the queue against the provider, in order. Throws (keeping the failed op queued) on a provider or store failure. */
  flush(): Promise<OfflineFlushResult>;
  /** The queued ops, oldest first. */
  pending(): Promise<OfflineOp[]>;
  /** Drop a queued op the provider will never accept (e.g. after a `permission` error). `false` if it was not queued. */
  discard(opId: string): Promise<boolean>;
}

interface BaseRecord {
  /** The remote version (or, after a replayed write whose result was not seen, its intended content). */
  event: CalendarEvent;
  /** The etag to send as If-Match; `null` when unknown, which forces a read before the next write. */
  etag: string | null;
  /** The event is gone remotely. */
  deleted?: boolean;
  /** A local change revived it under this id. */
  movedTo?: string;
  /**
   * The op whose outcome this record is, with its conflict report: written with the base, so an op
   * whose removal from the queue was lost in a crash is recognised (and its report re-emitted).
   */
  appliedOp?: { id: string; conflict?: OfflineConflictReport };
}

interface QueueState {
  seq: number;
  ops: OfflineOp[];
}

type BaseMap = Record<string, BaseRecord>;

interface Outcome {
  /** Base records to write for the op's calendar. */
  bases: BaseMap;
  conflict?: OfflineConflictReport;
}

const POLICIES: readonly OfflinePolicyName[] = ['remote-wins', 'local-wins', 'merge-fields'];
/** Rounds of read-decide-write when the remote keeps changing under a flush. */
const MAX_ROUNDS = 5;
const CAS_ATTEMPTS = 100;

function isCode(error: unknown, ...codes: string[]): boolean {
  return isIntegrationError(error) && codes.includes(error.code);
}

/** Store failures become `unavailable` IntegrationErrors (a store's own IntegrationErrors pass through). */
function guardStore(store: Store): Store {
  const wrap =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        if (isIntegrationError(error)) throw error;
        throw new IntegrationError('unavailable', `offline calendar: the store failed during ${name}`, { cause: error, retryable: true });
      }
    };
  return {
    get: wrap('get', (k) => store.get(k)),
    set: wrap('set', (k, v, o) => store.set(k, v, o)),
    setIfAbsent: wrap('setIfAbsent', (k, v, o) => store.setIfAbsent(k, v, o)),
    compareAndSet: wrap('compareAndSet', (k, e, v, o) => store.compareAndSet(k, e, v, o)),
    delete: wrap('delete', (k) => store.delete(k)),
    compareAndDelete: wrap('compareAndDelete', (k, e) => store.compareAndDelete(k, e)),
  } as Store;
}

/** The local view of one event: its base with the queued ops folded in. `null`: no local event. */
function foldView(base: BaseRecord | undefined, ops: readonly OfflineOp[]): CalendarEvent | null {
  let view: CalendarEvent | null = base && !base.deleted ? base.event : null;
  for (const op of ops) {
    if (op.type === 'create' && op.input) view = eventFromInput(op.calendarId, op.eventId, op.input, `local:${op.id}`);
    else if (op.type === 'delete') view = null;
    else if (op.type === 'update' && op.patch) {
      // An update queued before the event was found deleted remotely still shows until the flush resolves it.
      const from = view ?? (base?.deleted && !base.movedTo ? base.event : null);
      if (!from) continue;
      try {
        view = { ...applyPatchLocally(from, op.patch), etag: `local:${op.id}` };
      } catch {
        // The base moved under the change (a resolved conflict) and the range no longer fits: the flush decides.
        view = { ...from, etag: `local:${op.id}` };
      }
    }
  }
  return view ? structuredClone(view) : null;
}

/** The remote version with the editable content of `intended` (what we wrote but could not see the result of). */
function overlay(remote: CalendarEvent, intended: CalendarEvent): CalendarEvent {
  const out: CalendarEvent = structuredClone(remote);
  for (const f of EDITABLE_FIELDS) {
    const value = (intended as unknown as Record<string, unknown>)[f];
    if (value === undefined) delete (out as unknown as Record<string, unknown>)[f];
    else (out as unknown as Record<string, unknown>)[f] = structuredClone(value);
  }
  return out;
}

/** A base after our write landed: the remote version, with its etag only when nothing else changed it since. */
function baseAfterWrite(remote: CalendarEvent, intended: CalendarEvent): BaseRecord {
  if (sameContent(remote, intended)) return { event: structuredClone(remote), etag: remote.etag };
  return { event: overlay(remote, intended), etag: null };
}

const fromRemote = (remote: CalendarEvent): BaseRecord => ({ event: structuredClone(remote), etag: remote.etag });

/**
 * Local-first calendar writes with a durable queue and conflict resolution.
 *
 * @example
 * ```ts
 * import { createFakeCalendar, createOfflineCalendar } from 'switchyard/calendar';
 * import { createMemoryStore } from 'switchyard/stores';
 *
 * const offline = createOfflineCalendar({ provider: createFakeCalendar(), store: createMemoryStore(), policy: 'merge-fields' });
 * await offline.pull('primary');
 * const event = await offline.createEvent('primary', {
 *   title: 'Site visit',
 *   start: { dateTime: '2026-05-04T09:00:00', timeZone: 'Europe/Berlin' },
 *   end: { dateTime: '2026-05-04T10:00:00', timeZone: 'Europe/Berlin' },
 * });
 * await offline.updateEvent('primary', event.id, { location: 'Gate 3' }); // applied locally at once
 * const { applied, conflicts } = await offline.flush(); // when the network is back
 * ```
 */
export function createOfflineCalendar(options: OfflineCalendarOptions): OfflineCalendar {
  if (!options || typeof options !== 'object') throw new IntegrationError('invalid_config', 'createOfflineCalendar needs options');
  const { provider } = options;
  if (!provider || typeof provider.updateEvent !== 'function' || typeof provider.listChanges !== 'function') {
    throw new IntegrationError('invalid_config', 'provider must be a CalendarProvider', { details: { field: 'provider' } });
  }
  if (!options.store || typeof options.store.compareAndSet !== 'function') {
    throw new IntegrationError('invalid_config', 'store must be a Store', { details: { field: 'store' } });
  }
  const policy = options.policy ?? 'merge-fields';
  if (typeof policy !== 'function' && !POLICIES.includes(policy)) {
    throw new IntegrationError(
      'invalid_config',
      `policy must be one of ${POLICIES.join(', ')} or a function, got ${JSON.stringify(policy)}`,
      {
        details: { field: 'policy' },
      },
    );
  }
  if (options.onConflict !== undefined && typeof options.onConflict !== 'function') {
    throw new IntegrationError('invalid_config', 'onConflict must be a function', { details: { field: 'onConflict' } });
  }
  const leaseSeconds = options.leaseSeconds ?? 120;
  if (typeof leaseSeconds !== 'number' || !Number.isFinite(leaseSeconds) || leaseSeconds <= 0) {
    throw new IntegrationError('invalid_config', 'leaseSeconds must be a positive number', { details: { field: 'leaseSeconds' } });
  }
  const store = guardStore(options.store);
  const now = options.now ?? Date.now;
  const logger = withRedaction(options.logger);
  const prefix = `${options.keyPrefix ?? 'switchyard:offline'}:${provider.name}`;
  const queueKey = `${prefix}:queue`;
  const baseKey = (calendarId: string) => `${prefix}:base:${calendarId}`;
  const leaseKey = `${prefix}:lease`;
  let running: Promise<OfflineFlushResult> | undefined;

  async function readQueue(): Promise<StoreEntry<QueueState> | undefined> {
    return store.get<QueueState>(queueKey);
  }

  /** Read-modify-write of one key by compare-and-set; `change` returns `undefined` to write nothing. */
  async function mutate<S, R>(key: string, empty: S, change: (state: S) => { next: S; result: R } | undefined): Promise<R | undefined> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await store.get<S>(key);
      // `change` builds a new value and never mutates its argument, so no copy is needed.
      const outcome = change(entry ? entry.value : empty);
      if (!outcome) return undefined;
      if ((await store.compareAndSet(key, entry?.version ?? null, outcome.next)) !== false) return outcome.result;
    }
    throw new IntegrationError('conflict', 'offline calendar: too many concurrent writers on the queue', { retryable: true });
  }

  async function localState(calendarId: string) {
    const [bases, queue] = await Promise.all([store.get<BaseMap>(baseKey(calendarId)), readQueue()]);
    return { bases: bases?.value ?? {}, ops: (queue?.value.ops ?? []).filter((o) => o.calendarId === calendarId) };
  }

  /** Follow an event revived under a new id: later changes made under the old id belong to the new one. */
  function resolveId(bases: BaseMap, eventId: string): string {
    let id = eventId;
    for (let hops = 0; hops < 16 && bases[id]?.movedTo; hops++) id = bases[id]?.movedTo as string;
    return id;
  }

  /** Queued ops still to replay (not the one a crash left queued after its outcome was stored), by the event they now target. */
  function opsFor(bases: BaseMap, ops: readonly OfflineOp[], eventId: string): OfflineOp[] {
    const applied = new Set(Object.values(bases).map((b) => b.appliedOp?.id));
    return ops.filter((o) => !applied.has(o.id) && resolveId(bases, o.eventId) === eventId);
  }

  function view(bases: BaseMap, ops: readonly OfflineOp[], eventId: string): CalendarEvent | null {
    return foldView(bases[eventId], opsFor(bases, ops, eventId));
  }

  /**
   * Append an op, checked against the local copy read in the same attempt: the compare-and-set on
   * the queue fails when a flush or another local write moved it, and the check runs again.
   */
  async function enqueue(
    calendarId: string,
    build: (bases: BaseMap, ops: OfflineOp[]) => Omit<OfflineOp, 'id' | 'seq' | 'queuedAt'>,
  ): Promise<OfflineOp> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const [baseEntry, entry] = await Promise.all([store.get<BaseMap>(baseKey(calendarId)), readQueue()]);
      const queue = entry?.value ?? { seq: 0, ops: [] };
      const draft = build(
        baseEntry?.value ?? {},
        queue.ops.filter((o) => o.calendarId === calendarId),
      );
      const op: OfflineOp = { ...draft, id: newEventId(), seq: queue.seq + 1, queuedAt: now() };
      if ((await store.compareAndSet(queueKey, entry?.version ?? null, { seq: op.seq, ops: [...queue.ops, op] })) !== false)
        return structuredClone(op);
    }
    throw new IntegrationError('conflict', 'offline calendar: too many concurrent writers on the queue', { retryable: true });
  }

  function notFound(calendarId: string, eventId: string): IntegrationError {
    return new IntegrationError(
      'not_found',
      `event ${JSON.stringify(eventId)} is not in the local copy of calendar ${JSON.stringify(calendarId)}`,
      {
        details: { field: 'eventId' },
      },
    );
  }

  // ---- flush --------------------------------------------------------------------------------

  async function readRemote(calendarId: string, eventId: string): Promise<CalendarEvent | null> {
    try {
      return await provider.getEvent(calendarId, eventId);
    } catch (error) {
      if (isCode(error, 'not_found')) return null;
      throw error;
    }
  }

  async function decide(conflict: OfflineConflict): Promise<OfflinePolicyName | { patch: EventPatch }> {
    const chosen = typeof policy === 'function' ? await policy(structuredClone(conflict)) : policy;
    if (typeof chosen === 'string' && POLICIES.includes(chosen)) return chosen;
    if (chosen && typeof chosen === 'object' && 'patch' in chosen) return { patch: parseEventPatch(chosen.patch) };
    throw new IntegrationError(
      'invalid_input',
      `the conflict callback returned ${JSON.stringify(chosen)}: expected ${POLICIES.join(', ')} or { patch }`,
      {
        details: { field: 'policy' },
      },
    );
  }

  const report = (
    conflict: OfflineConflict,
    resolution: OfflinePolicyName | { patch: EventPatch },
    recreatedAs?: string,
  ): OfflineConflictReport => ({
    ...conflict,
    resolution: typeof resolution === 'string' ? resolution : 'custom',
    ...(recreatedAs ? { recreatedAs } : {}),
  });

  async function processCreate(op: OfflineOp, base: BaseRecord | undefined): Promise<Outcome> {
    // A base already there means this create was committed and only its removal from the queue was lost.
    if (base) return { bases: {} };
    const input = op.input as EventInput;
    const intended = eventFromInput(op.calendarId, op.eventId, input, '');
    let remote: CalendarEvent | null;
    try {
      remote = await provider.createEvent(op.calendarId, { ...input, id: op.eventId });
    } catch (error) {
      // Our earlier attempt made it (the id is ours), and the remote has changed it since: read it.
      if (!isCode(error, 'conflict', 'precondition_failed')) throw error;
      remote = await readRemote(op.calendarId, op.eventId);
    }
    if (!remote) return { bases: { [op.eventId]: { event: intended, etag: null, deleted: true } } };
    return { bases: placed(op.eventId, remote, intended) };
  }

  /**
   * The base records after a create. Providers that choose their own ids (Graph: the client id is
   * its `transactionId`) return another id: the local id then points to it, so changes queued under
   * the local id, and a host holding it, reach the event.
   */
  function placed(localId: string, remote: CalendarEvent, intended: CalendarEvent): BaseMap {
    const base = baseAfterWrite(remote, { ...intended, id: remote.id });
    if (remote.id === localId) return { [localId]: base };
    return { [localId]: { event: intended, etag: null, deleted: true, movedTo: remote.id }, [remote.id]: base };
  }

  async function processUpdate(op: OfflineOp, base: BaseRecord): Promise<Outcome> {
    const { calendarId, eventId } = op;
    const patch = op.patch as EventPatch;
    const fields = changedFields(base.event, patch);
    if (fields.length === 0) return { bases: {} };
    const write = pickPatch(patch, fields);
    const local = safeApply(base.event, patch);
    let remote: CalendarEvent | null | undefined = base.deleted ? null : undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (remote === undefined && round === 0 && base.etag !== null) {
        try {
          const written = await provider.updateEvent(calendarId, eventId, write, { etag: base.etag });
          return { bases: { [eventId]: fromRemote(written) } };
        } catch (error) {
          if (!isCode(error, 'precondition_failed', 'not_found')) throw error;
        }
      }
      if (remote === undefined) remote = await readRemote(calendarId, eventId);
      if (remote === null) return resolveRemoteDeleted(op, base, local);
      if (fields.every((f) => sameField(f, patch, remote as CalendarEvent))) {
        // The remote already holds every value of this change (our own earlier write, or the same edit made remotely).
        return { bases: { [eventId]: baseAfterWrite(remote, local) } };
      }
      if (sameContent(remote, base.event)) {
        // Nothing changed remotely but the etag: write with the fresh one.
        const written = await tryUpdate(calendarId, eventId, write, remote.etag);
        if (written) return { bases: { [eventId]: fromRemote(written) } };
        remote = undefined;
        continue;
      }
      const conflict: OfflineConflict = {
        kind: 'update',
        opId: op.id,
        calendarId,
        eventId,
        base: structuredClone(base.event),
        local: structuredClone(local),
        remote: structuredClone(remote),
        patch: structuredClone(write),
        conflictingFields: fields.filter(
          (f) => !sameField(f, patch, remote as CalendarEvent) && !sameField(f, base.event, remote as CalendarEvent),
        ),
      };
      const resolution = await decide(conflict);
      let toWrite: EventPatch;
      if (resolution === 'remote-wins') return { bases: { [eventId]: fromRemote(remote) }, conflict: report(conflict, resolution) };
      if (resolution === 'local-wins') {
        toWrite = { ...write };
        // A range is written whole, so a local start never meets a remote end it was not made with.
        if (toWrite.start || toWrite.end) Object.assign(toWrite, { start: local.start, end: local.end });
      } else if (resolution === 'merge-fields') toWrite = mergeFields(base.event, patch, remote).patch;
      else toWrite = resolution.patch;
      if (Object.keys(toWrite).length === 0) return { bases: { [eventId]: fromRemote(remote) }, conflict: report(conflict, resolution) };
      const written = await tryUpdate(calendarId, eventId, toWrite, remote.etag);
      if (written) return { bases: { [eventId]: fromRemote(written) }, conflict: report(conflict, resolution) };
      remote = undefined;
    }
    throw new IntegrationError('conflict', `event ${eventId} kept changing remotely while the offline queue replayed a change to it`, {
      retryable: true,
    });
  }

  function safeApply(event: CalendarEvent, patch: EventPatch): CalendarEvent {
    try {
      return applyPatchLocally(event, patch);
    } catch {
      // The base moved under a queued change and the range no longer fits: keep the base's range.
      const { start: _start, end: _end, ...rest } = patch;
      return applyPatchLocally(event, rest);
    }
  }

  /** An If-Match write; `undefined` when the event changed again (412) or vanished (404) meanwhile. */
  async function tryUpdate(calendarId: string, eventId: string, patch: EventPatch, etag: string): Promise<CalendarEvent | undefined> {
    try {
      return await provider.updateEvent(calendarId, eventId, patch, { etag });
    } catch (error) {
      if (isCode(error, 'precondition_failed', 'not_found')) return undefined;
      throw error;
    }
  }

  async function tryDelete(calendarId: string, eventId: string, etag: string): Promise<'deleted' | 'changed'> {
    try {
      await provider.deleteEvent(calendarId, eventId, { etag });
      return 'deleted';
    } catch (error) {
      if (isCode(error, 'not_found')) return 'deleted';
      if (isCode(error, 'precondition_failed')) return 'changed';
      throw error;
    }
  }

  async function resolveRemoteDeleted(op: OfflineOp, base: BaseRecord, local: CalendarEvent): Promise<Outcome> {
    const { calendarId, eventId } = op;
    const conflict: OfflineConflict = {
      kind: 'remote-deleted',
      opId: op.id,
      calendarId,
      eventId,
      base: structuredClone(base.event),
      local: structuredClone(local),
      remote: null,
      patch: structuredClone(pickPatch(op.patch as EventPatch, changedFields(base.event, op.patch as EventPatch))),
      conflictingFields: [],
    };
    const gone: BaseRecord = { event: structuredClone(base.event), etag: null, deleted: true };
    const resolution = await decide(conflict);
    // An occurrence of a series cannot be created on its own: the deletion stands.
    if (resolution === 'remote-wins' || resolution === 'merge-fields' || local.recurringEventId) {
      return { bases: { [eventId]: gone }, conflict: report(conflict, local.recurringEventId ? 'remote-wins' : resolution) };
    }
    // Revive it under an id derived from the op id (providers keep deleted ids reserved), so a
    // replay after a crash creates the same event again instead of a second one.
    const revived = typeof resolution === 'object' ? safeApply(local, resolution.patch) : local;
    const newId = await eventIdFromKey(`offline:${op.id}`);
    const intended = eventFromInput(calendarId, newId, inputFromEvent(revived, newId), '');
    let remote: CalendarEvent | null;
    try {
      remote = await provider.createEvent(calendarId, inputFromEvent(revived, newId));
    } catch (error) {
      if (!isCode(error, 'conflict', 'precondition_failed')) throw error;
      remote = await readRemote(calendarId, newId);
    }
    return {
      bases: {
        [eventId]: { ...gone, movedTo: newId },
        ...(remote ? placed(newId, remote, intended) : { [newId]: { event: intended, etag: null, deleted: true } }),
      },
      conflict: report(conflict, resolution, newId),
    };
  }

  async function processDelete(op: OfflineOp, base: BaseRecord): Promise<Outcome> {
    const { calendarId, eventId } = op;
    if (base.deleted) return { bases: {} };
    const gone: BaseRecord = { event: structuredClone(base.event), etag: null, deleted: true };
    let remote: CalendarEvent | null | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (round === 0 && base.etag !== null) {
        if ((await tryDelete(calendarId, eventId, base.etag)) === 'deleted') return { bases: { [eventId]: gone } };
      }
      remote = await readRemote(calendarId, eventId);
      if (remote === null) return { bases: { [eventId]: gone } };
      if (sameContent(remote, base.event)) {
        if ((await tryDelete(calendarId, eventId, remote.etag)) === 'deleted') return { bases: { [eventId]: gone } };
        continue;
      }
      const conflict: OfflineConflict = {
        kind: 'local-delete',
        opId: op.id,
        calendarId,
        eventId,
        base: structuredClone(base.event),
        local: null,
        remote: structuredClone(remote),
        conflictingFields: [],
      };
      const resolution = await decide(conflict);
      if (resolution === 'remote-wins') return { bases: { [eventId]: fromRemote(remote) }, conflict: report(conflict, resolution) };
      if (typeof resolution === 'object') {
        // A patch keeps the event: written on top of the remote version.
        const written =
          Object.keys(resolution.patch).length === 0 ? remote : await tryUpdate(calendarId, eventId, resolution.patch, remote.etag);
        if (written) return { bases: { [eventId]: fromRemote(written) }, conflict: report(conflict, resolution) };
        continue;
      }
      // local-wins and merge-fields: a deletion beats an update.
      if ((await tryDelete(calendarId, eventId, remote.etag)) === 'deleted')
        return { bases: { [eventId]: gone }, conflict: report(conflict, resolution) };
    }
    throw new IntegrationError('conflict', `event ${eventId} kept changing remotely while the offline queue replayed its deletion`, {
      retryable: true,
    });
  }

  async function process(op: OfflineOp, base: BaseRecord | undefined): Promise<Outcome> {
    if (op.type === 'create') return processCreate(op, base);
    if (!base) {
      // Only a store edited by hand gets here: the op was queued against a base that is gone.
      throw new IntegrationError(
        'not_found',
        `queued ${op.type} ${op.id} targets event ${op.eventId}, which the local copy does not know`,
        {
          details: { field: 'eventId' },
        },
      );
    }
    return op.type === 'update' ? processUpdate(op, base) : processDelete(op, base);
  }

  async function acquireLease(): Promise<{ hold(): Promise<void>; release(): Promise<void> } | undefined> {
    if (!(await store.setIfAbsent(leaseKey, true, { ttlSeconds: leaseSeconds }))) return undefined;
    let version: number | null = (await store.get(leaseKey))?.version ?? null;
    return {
      async hold() {
        const next = await store.compareAndSet(leaseKey, version, true, { ttlSeconds: leaseSeconds });
        if (next === false) {
          version = null;
          throw new IntegrationError('conflict', 'lost the offline queue lease (a step took longer than leaseSeconds)', {
            retryable: true,
          });
        }
        version = next;
      },
      async release() {
        if (version !== null) await store.compareAndDelete(leaseKey, version);
      },
    };
  }

  async function runFlush(): Promise<OfflineFlushResult> {
    const result: OfflineFlushResult = { applied: 0, conflicts: [], remaining: 0, skipped: false };
    const lease = await acquireLease();
    if (!lease) return { ...result, skipped: true, remaining: (await readQueue())?.value.ops.length ?? 0 };
    try {
      for (;;) {
        const op = (await readQueue())?.value.ops[0];
        if (!op) break;
        await lease.hold();
        const basesEntry = await store.get<BaseMap>(baseKey(op.calendarId));
        const bases = basesEntry?.value ?? {};
        const own = Object.values(bases).find((b) => b.appliedOp?.id === op.id)?.appliedOp;
        // An op whose outcome was stored but whose removal from the queue was lost: done already.
        const target = { ...op, eventId: resolveId(bases, op.eventId) };
        const outcome: Outcome =
          own?.id === op.id
            ? { bases: {}, ...(own.conflict ? { conflict: own.conflict } : {}) }
            : await process(target, bases[target.eventId]);
        // Base first (marked with the op id), then the queue: a crash between the two leaves the op
        // queued, and the next flush finds it already applied.
        const record = outcome.bases[target.eventId];
        if (record) record.appliedOp = { id: op.id, ...(outcome.conflict ? { conflict: outcome.conflict } : {}) };
        if (Object.keys(outcome.bases).length > 0) {
          // Usually nothing wrote the base since it was read (local writes only touch the queue): one
          // compare-and-set with that version, and the read-modify-write loop only when something did.
          const key = baseKey(op.calendarId);
          if ((await store.compareAndSet(key, basesEntry?.version ?? null, { ...bases, ...outcome.bases })) === false) {
            await mutate<BaseMap, true>(key, {}, (current) => ({ next: { ...current, ...outcome.bases }, result: true }));
          }
        }
        await mutate<QueueState, true>(queueKey, { seq: 0, ops: [] }, (queue) => {
          if (queue.ops[0]?.id !== op.id) return undefined;
          const ops = queue.ops.slice(1);
          return { next: { seq: queue.seq, ops }, result: true };
        });
        if (outcome.conflict) {
          result.conflicts.push(outcome.conflict);
          try {
            await options.onConflict?.(structuredClone(outcome.conflict));
          } catch (error) {
            logger.warn({ err: error, opId: op.id }, 'offline calendar: onConflict threw');
          }
        } else result.applied += 1;
      }
      return result;
    } finally {
      result.remaining = (await readQueue().catch(() => undefined))?.value.ops.length ?? 0;
      await lease.release();
    }
  }

  return {
    async createEvent(calendarId, input) {
      assertId(calendarId, 'calendarId');
      const parsed = parseEventInput(input);
      const eventId = parsed.id ?? newEventId();
      const op = await enqueue(calendarId, (bases, ops) => {
        if (bases[eventId] || ops.some((o) => o.eventId === eventId)) {
          throw new IntegrationError('conflict', `an event with id ${eventId} already exists in the local copy`, {
            details: { field: 'id' },
          });
        }
        return { type: 'create', calendarId, eventId, baseEtag: null, input: { ...parsed, id: eventId } };
      });
      return eventFromInput(calendarId, eventId, op.input as EventInput, `local:${op.id}`);
    },

    async updateEvent(calendarId, eventId, patch) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const parsed = parseEventPatch(patch);
      let result: CalendarEvent | undefined;
      await enqueue(calendarId, (bases, ops) => {
        const id = resolveId(bases, eventId);
        const current = view(bases, ops, id);
        if (!current) throw notFound(calendarId, eventId);
        if (current.recurringEventId && parsed.recurrence) {
          throw new IntegrationError('invalid_input', 'an instance of a series cannot have its own recurrence', {
            details: { field: 'recurrence' },
          });
        }
        result = applyPatchLocally(current, parsed);
        return { type: 'update', calendarId, eventId: id, baseEtag: bases[id]?.etag ?? null, patch: parsed };
      });
      return structuredClone(result as CalendarEvent);
    },

    async deleteEvent(calendarId, eventId) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      await enqueue(calendarId, (bases, ops) => {
        const id = resolveId(bases, eventId);
        if (!view(bases, ops, id)) throw notFound(calendarId, eventId);
        return { type: 'delete', calendarId, eventId: id, baseEtag: bases[id]?.etag ?? null };
      });
    },

    async getEvent(calendarId, eventId) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const { bases, ops } = await localState(calendarId);
      const found = view(bases, ops, resolveId(bases, eventId));
      if (!found) throw notFound(calendarId, eventId);
      return found;
    },

    async listEvents(calendarId) {
      assertId(calendarId, 'calendarId');
      const { bases, ops } = await localState(calendarId);
      const ids = new Set([...Object.keys(bases), ...ops.map((o) => o.eventId)]);
      const out: CalendarEvent[] = [];
      for (const id of [...ids].sort()) {
        const found = view(bases, ops, id);
        if (found) out.push(found);
      }
      return out;
    },

    async pull(calendarId) {
      assertId(calendarId, 'calendarId');
      const lease = await acquireLease();
      if (!lease) return { events: 0, skipped: true };
      try {
        const events: CalendarEvent[] = [];
        let cursor: string | undefined;
        for (let pages = 0; ; pages++) {
          if (pages >= 10_000)
            throw new IntegrationError('provider_error', `calendar ${calendarId}: the listing did not end`, { provider: provider.name });
          const page = await provider.listChanges(calendarId, cursor);
          for (const change of page.changes) if (change.type === 'upsert') events.push(change.event);
          cursor = page.cursor;
          if (!page.more) break;
          await lease.hold();
        }
        const queued = ((await readQueue())?.value.ops ?? []).filter((o) => o.calendarId === calendarId);
        // An update may already have revived its event under the derived id (a crash before the
        // flush recorded it): that event is the flush's to place, or the local copy shows it twice.
        const revivable = await Promise.all(queued.filter((o) => o.type === 'update').map((o) => eventIdFromKey(`offline:${o.id}`)));
        await mutate<BaseMap, true>(baseKey(calendarId), {}, (bases) => {
          // Events with queued changes (under their id or one they moved from) keep the base those
          // changes were made against: the flush compares with it.
          const pendingIds = new Set<string>(revivable);
          for (const op of queued) {
            let id: string | undefined = op.eventId;
            for (let hops = 0; id !== undefined && hops < 16; hops++, id = bases[id]?.movedTo) pendingIds.add(id);
          }
          const next: BaseMap = {};
          for (const [id, record] of Object.entries(bases)) if (pendingIds.has(id)) next[id] = record;
          for (const event of events) if (!pendingIds.has(event.id)) next[event.id] = fromRemote(event);
          return { next, result: true };
        });
        return { events: events.length, skipped: false };
      } finally {
        await lease.release();
      }
    },

    flush() {
      if (running) return running;
      running = runFlush().finally(() => {
        running = undefined;
      });
      return running;
    },

    async pending() {
      return structuredClone((await readQueue())?.value.ops ?? []);
    },

    async discard(opId) {
      assertId(opId, 'opId');
      const removed = await mutate<QueueState, true>(queueKey, { seq: 0, ops: [] }, (queue) => {
        if (!queue.ops.some((o) => o.id === opId)) return undefined;
        return { next: { seq: queue.seq, ops: queue.ops.filter((o) => o.id !== opId) }, result: true };
      });
      return removed === true;
    },
  };
}
