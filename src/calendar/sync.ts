/**
 * `createCalendarSync`: keeps a host's copy of calendars in step with the provider, cheaply and
 * without losing or doubling anything.
 *
 * - One cursor per calendar, in a `Store` (never one checkpoint for many calendars: a shared
 *   cursor makes one expired token resync every calendar, and one slow calendar block the rest).
 * - Pages are committed one at a time: a crash resumes from the last committed page.
 * - Exactly-once to `onChange` by event id + etag: the provider delivers at least once (a page
 *   replayed after a crash, an event seen in a full listing and again in the increment that
 *   follows), so the etags a page delivered are recorded in the store (one batch write per page,
 *   after its deliveries), and a change whose etag was already delivered is skipped. If `onChange`
 *   throws, the etags delivered before it are still written, the failed change is not, and it is
 *   delivered again on the next run. The one window left is a process crash between `onChange`
 *   returning and the page's batch write: the changes that page delivered so far come again on
 *   resume, so make `onChange` an upsert by event id.
 * - Store traffic is per page, not per event: one `getMany` of the page's etags, one `setMany` of
 *   its new id chunks, one of its delivered etags, and the lease and cursor writes. The next page
 *   is requested while the current one is delivered (nothing is committed early).
 * - `sync_token_expired` (Google 410, Graph `syncStateNotFound`) restarts a full listing; at its end,
 *   every event the host was given that the listing no longer contains is delivered as a deletion.
 *
 * Store layout, under `keyPrefix` (default `switchyard:calsync`):
 * - `<prefix>:<provider>:<calendarId>`: `{ cursor, chunks, full? }`;
 * - `…:k:<i>`: chunks of the ids the host may hold (appended per page, compacted after a full listing);
 * - `…:s:<i>`: chunks of the ids a running full listing has seen;
 * - `<prefix>:<provider>:<calendarId>:e:<eventId>`: the last etag delivered for that event.
 */
import { IntegrationError, isIntegrationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { withRedaction } from '../core/logger.js';
import { getMany, type Store, type StoreBatchEntry, setMany } from '../stores/store.js';
import type { CalendarEvent, CalendarProvider, ChangePage, EventChange } from './types.js';

/** Options of `createCalendarSync`. */
export interface CalendarSyncOptions {
  /** The calendar adapter to read changes from (`createGoogleCalendar`, `createOutlookCalendar`, the fake, …). */
  provider: CalendarProvider;
  /** Where cursors, delivered etags, known ids and the lease live; use Redis or PostgreSQL with several workers. */
  store: Store;
  /** Called once per new change (event id + etag). Awaited; throwing stops the run without committing the page. */
  onChange: (change: EventChange) => void | Promise<void>;
  /** Prefix of every store key of the engine. Default `switchyard:calsync`. */
  keyPrefix?: string;
  /** Host logger (wrapped with `withRedaction`): cursor expiries and full resyncs are logged at info. */
  logger?: Logger;
  /** Safety net against a provider that never ends a listing. Default 10,000 pages per run. */
  maxPages?: number;
  /** Lease on a calendar so two workers never sync it at once, seconds. Default 120. */
  leaseSeconds?: number;
}

/** What one `sync(calendarId)` run did. */
export interface SyncResult {
  /** The calendar synced. */
  calendarId: string;
  /** Change pages read from the provider. */
  pages: number;
  /** Changes handed to `onChange` (upserts and deletions). */
  delivered: number;
  /** Changes skipped because that etag was already delivered. */
  duplicates: number;
  /** Deletions found by a full listing (events that vanished while a cursor was expired). */
  vanished: number;
  /** A full listing ran (first sync, or after `sync_token_expired`). */
  fullSync: boolean;
  /** Another worker holds the lease: nothing was done. */
  skipped: boolean;
}

/** A sync engine made by `createCalendarSync`: run, reset and inspect the sync of each calendar. */
export interface CalendarSync {
  /** Run one sync of a calendar to the end of its changes. Concurrent calls for one calendar share a run. */
  sync(calendarId: string): Promise<SyncResult>;
  /** Drop the cursor: the next sync is a full listing. Etags already delivered are still skipped (the host has them). */
  reset(calendarId: string): Promise<void>;
  /** The committed cursor of a calendar, for inspection. */
  cursor(calendarId: string): Promise<string | undefined>;
}

interface SyncState {
  cursor?: string;
  /** How many chunks of known ids exist (`<state>:k:<i>`). Append-only between full listings. */
  chunks: number;
  /** Present while a full listing runs: how many chunks of ids it has seen (`<state>:s:<i>`). */
  full?: { seenChunks: number };
}

/** Ids per chunk when the known set is rewritten after a full listing. */
const CHUNK = 1000;

/**
 * The incremental sync engine: one cursor per calendar in `store`, each change delivered once to
 * `onChange` (by event id + etag), crash-resume from the last committed page, and a full resync
 * with deletions for vanished events when the provider's cursor expires.
 *
 * @example
 * const sync = createCalendarSync({
 *   provider: createGoogleCalendar({ auth: tokenProvider }),
 *   store: createRedisStore({ url: process.env.REDIS_URL! }),
 *   onChange: async (change) => {
 *     if (change.type === 'upsert') await db.events.upsert(change.event); // an upsert by id
 *     else await db.events.delete(change.calendarId, change.eventId);
 *   },
 * });
 * const result = await sync.sync('primary'); // { delivered, duplicates, vanished, fullSync, … }
 */
export function createCalendarSync(options: CalendarSyncOptions): CalendarSync {
  if (!options || typeof options !== 'object') throw new IntegrationError('invalid_config', 'createCalendarSync needs options');
  const { provider, store, onChange } = options;
  if (!provider || typeof provider.listChanges !== 'function') {
    throw new IntegrationError('invalid_config', 'provider must be a CalendarProvider', { details: { field: 'provider' } });
  }
  if (!store || typeof store.compareAndSet !== 'function') {
    throw new IntegrationError('invalid_config', 'store must be a Store', { details: { field: 'store' } });
  }
  if (typeof onChange !== 'function')
    throw new IntegrationError('invalid_config', 'onChange must be a function', { details: { field: 'onChange' } });
  const prefix = `${options.keyPrefix ?? 'switchyard:calsync'}:${provider.name}`;
  const maxPages = options.maxPages ?? 10_000;
  const leaseSeconds = options.leaseSeconds ?? 120;
  const logger = withRedaction(options.logger);
  const running = new Map<string, Promise<SyncResult>>();

  const stateKey = (calendarId: string) => `${prefix}:${calendarId}`;
  const eventKey = (calendarId: string, eventId: string) => `${prefix}:${calendarId}:e:${eventId}`;
  const knownKey = (calendarId: string, i: number) => `${prefix}:${calendarId}:k:${i}`;
  const seenKey = (calendarId: string, i: number) => `${prefix}:${calendarId}:s:${i}`;
  const seriesKey = (calendarId: string, seriesId: string) => `${prefix}:${calendarId}:r:${seriesId}`;

  /** Remember which instances of a series the host is given, so a complete instance list can reveal cancelled ones. */
  async function addToSeries(calendarId: string, events: readonly CalendarEvent[]): Promise<void> {
    const bySeries = new Map<string, string[]>();
    for (const e of events) if (e.recurringEventId) bySeries.set(e.recurringEventId, [...(bySeries.get(e.recurringEventId) ?? []), e.id]);
    for (const [seriesId, ids] of bySeries) {
      const key = seriesKey(calendarId, seriesId);
      for (;;) {
        const entry = await store.get<string[]>(key);
        const current = entry?.value ?? [];
        const add = ids.filter((id) => !current.includes(id));
        if (add.length === 0) break;
        if ((await store.compareAndSet(key, entry?.version ?? null, [...current, ...add])) !== false) break;
      }
    }
  }

  async function readChunks(key: (i: number) => string, count: number): Promise<Set<string>> {
    const out = new Set<string>();
    const entries = await getMany<string[]>(
      store,
      Array.from({ length: count }, (_, i) => key(i)),
    );
    for (const entry of entries) for (const id of entry?.value ?? []) out.add(id);
    return out;
  }

  async function run(calendarId: string): Promise<SyncResult> {
    const result: SyncResult = { calendarId, pages: 0, delivered: 0, duplicates: 0, vanished: 0, fullSync: false, skipped: false };
    const lease = `${stateKey(calendarId)}:lease`;
    if (!(await store.setIfAbsent(lease, true, { ttlSeconds: leaseSeconds }))) return { ...result, skipped: true };
    let leaseVersion = (await store.get(lease))?.version ?? null;
    /** Extend the lease each page; losing it (it expired and another worker took it) stops this run. */
    const holdLease = async () => {
      const next = await store.compareAndSet(lease, leaseVersion, true, { ttlSeconds: leaseSeconds });
      if (next === false) {
        leaseVersion = null;
        throw new IntegrationError('conflict', `lost the sync lease of calendar ${calendarId} (a page took longer than leaseSeconds)`, {
          retryable: true,
        });
      }
      leaseVersion = next;
    };
    try {
      const entry = await store.get<SyncState>(stateKey(calendarId));
      let version = entry?.version ?? null;
      const state: SyncState = entry ? { ...entry.value } : { chunks: 0 };
      if (state.cursor === undefined && !state.full) state.full = { seenChunks: 0 };
      let expiredInARow = 0;
      let caughtUp = false;
      const commit = async () => {
        const next = await store.compareAndSet(stateKey(calendarId), version, state);
        if (next === false) {
          throw new IntegrationError('conflict', `the sync state of calendar ${calendarId} was changed by another worker`, {
            retryable: true,
          });
        }
        version = next;
      };

      // The next page is requested as soon as its cursor is known, so the provider's round trip
      // overlaps this page's store writes and deliveries. Nothing is committed early: a run that
      // stops drops the prefetched page and the next run lists it again from the committed cursor.
      let prefetched: Promise<ChangePage> | undefined;
      const prefetch = (cursor: string) => {
        let next: Promise<ChangePage>;
        try {
          next = Promise.resolve(provider.listChanges(calendarId, cursor));
        } catch (error) {
          next = Promise.reject(error); // a provider that throws synchronously: handled where awaited
        }
        next.catch(() => undefined); // awaited (and its error handled) by the next iteration, or dropped
        return next;
      };
      while (result.pages < maxPages) {
        // A listing that starts from the beginning invalidates ids seen by an earlier, aborted
        // attempt at a full listing: events may have been deleted since, and the new listing's
        // final cursor will not report those deletions.
        if (state.cursor === undefined) state.full = { seenChunks: 0 };
        let page: ChangePage;
        try {
          const next = prefetched ?? provider.listChanges(calendarId, state.cursor);
          prefetched = undefined;
          page = await next;
        } catch (error) {
          if (!isIntegrationError(error) || error.code !== 'sync_token_expired') throw error;
          // A fresh full listing cannot expire twice in a row unless the provider is broken: stop.
          if (++expiredInARow > 2) throw error;
          logger.info({ calendarId, provider: provider.name }, 'calendar sync cursor expired: full resync');
          delete state.cursor;
          state.full = { seenChunks: 0 };
          await commit();
          continue;
        }
        expiredInARow = 0;
        result.pages += 1;
        if (page.more || (page.full && !caughtUp)) prefetched = prefetch(page.cursor);
        await holdLease();
        if (page.full) {
          result.fullSync = true;
          state.full ??= { seenChunks: 0 };
        }
        const upserts = page.changes.flatMap((c) => (c.type === 'upsert' ? [c.event] : []));
        // One batch read of the page's delivered etags (one round trip on Redis/PostgreSQL).
        const delivered = await getMany<string>(
          store,
          upserts.map((e) => eventKey(calendarId, e.id)),
        );
        // Record new ids before delivering them: the known set is always a superset of what the
        // host holds, so a later full listing finds every vanished event (a crash between delivery
        // and the page commit would otherwise leave a ghost the host never hears about). Only this
        // page's ids are written: the cost per page does not grow with the calendar.
        const fresh = upserts.filter((_, i) => delivered[i] === undefined).map((e) => e.id);
        const chunks: StoreBatchEntry<string[]>[] = [];
        if (fresh.length > 0) chunks.push({ key: knownKey(calendarId, state.chunks++), value: fresh });
        if (state.full && upserts.length > 0)
          chunks.push({ key: seenKey(calendarId, state.full.seenChunks++), value: upserts.map((e) => e.id) });
        if (chunks.length > 0) {
          await setMany(store, chunks);
          await commit();
        }
        await addToSeries(calendarId, upserts);
        // Etags delivered in this page, written in one batch after the deliveries (and before any
        // deletion, which reads them). If onChange throws, those delivered so far are still
        // written before the error propagates, so they are not delivered again.
        const pending = new Map<string, string>();
        /** What this page did to an event so far: the etag delivered, or null for a deletion. */
        const touched = new Map<string, string | null>();
        const flush = async () => {
          if (pending.size === 0) return;
          const entries = [...pending].map(([id, etag]) => ({ key: eventKey(calendarId, id), value: etag }));
          pending.clear();
          await setMany(store, entries);
        };
        try {
          let i = 0;
          for (const change of page.changes) {
            if (change.type === 'upsert') {
              const stored = delivered[i++];
              const previous = touched.has(change.event.id) ? touched.get(change.event.id) : stored?.value;
              if (previous === change.event.etag) {
                result.duplicates += 1;
                continue;
              }
              // Only await a promise: a synchronous onChange then costs no microtask per event.
              const done = onChange(change);
              if (done) await done;
              pending.set(change.event.id, change.event.etag);
              touched.set(change.event.id, change.event.etag);
              result.delivered += 1;
            } else {
              await flush();
              touched.set(change.eventId, null);
              if (await deliverDelete(calendarId, change.eventId, change)) result.delivered += 1;
              else result.duplicates += 1;
            }
          }
        } catch (error) {
          await flush().catch(() => undefined); // the host's error is the one to report
          throw error;
        }
        await flush();
        for (const { seriesId, instanceIds } of page.series ?? []) {
          const key = seriesKey(calendarId, seriesId);
          const present = new Set(instanceIds);
          const held = (await store.get<string[]>(key))?.value ?? [];
          for (const id of held) {
            if (present.has(id)) continue;
            if (await deliverDelete(calendarId, id, { type: 'delete', calendarId, eventId: id })) result.vanished += 1;
          }
          const kept = held.filter((id) => present.has(id));
          // No key for a series with no instances held (a deleted series, a plain event): the store does not grow per event.
          if (kept.length === 0 && held.length > 0) await store.delete(key);
          else if (kept.length !== held.length) await store.set(key, kept);
        }
        if (!page.more && state.full) {
          result.vanished += await finishFullListing(calendarId, state);
          delete state.full;
        }
        state.cursor = page.cursor;
        await commit();
        if (!page.more) {
          // Changes made while a full listing ran (or between a crash and its resume) are in the
          // increment that follows it: read that too, so a sync ends up to date with its start.
          if (page.full && !caughtUp) {
            caughtUp = true;
            continue;
          }
          return result;
        }
      }
      throw new IntegrationError('provider_error', `calendar ${calendarId}: the change listing did not end after ${maxPages} pages`, {
        provider: provider.name,
      });
    } finally {
      // Only release a lease that is still ours.
      // Atomic: a lease that expired and was taken by another worker is theirs to release.
      if (leaseVersion !== null) await store.compareAndDelete(lease, leaseVersion);
    }
  }

  /**
   * End of a full listing: every known id the listing did not contain is gone. Deliver those
   * deletions, then rewrite the known set compactly. A crash midway is safe: deletions are only
   * delivered while the etag key exists, and the rewritten chunks are a superset of the survivors.
   */
  async function finishFullListing(calendarId: string, state: SyncState): Promise<number> {
    const full = state.full as { seenChunks: number };
    const known = await readChunks((i) => knownKey(calendarId, i), state.chunks);
    const seen = await readChunks((i) => seenKey(calendarId, i), full.seenChunks);
    let vanished = 0;
    for (const id of known) {
      if (seen.has(id)) continue;
      if (await deliverDelete(calendarId, id, { type: 'delete', calendarId, eventId: id })) vanished += 1;
    }
    const survivors = [...seen];
    const chunks = Math.ceil(survivors.length / CHUNK);
    await setMany(
      store,
      Array.from({ length: chunks }, (_, i) => ({ key: knownKey(calendarId, i), value: survivors.slice(i * CHUNK, (i + 1) * CHUNK) })),
    );
    // The rewritten chunks are in place: the leftovers can go, in any order.
    const stale: string[] = [];
    for (let i = chunks; i < state.chunks; i++) stale.push(knownKey(calendarId, i));
    for (let i = 0; i < full.seenChunks; i++) stale.push(seenKey(calendarId, i));
    await Promise.all(stale.map((key) => store.delete(key)));
    state.chunks = chunks;
    return vanished;
  }

  /** Deliver a deletion only when the host was given the event (its etag key exists). */
  async function deliverDelete(calendarId: string, eventId: string, change: EventChange): Promise<boolean> {
    const key = eventKey(calendarId, eventId);
    if (!(await store.get(key))) return false;
    await onChange(change);
    await store.delete(key);
    return true;
  }

  return {
    sync(calendarId) {
      if (typeof calendarId !== 'string' || calendarId.length === 0) {
        return Promise.reject(
          new IntegrationError('invalid_input', 'calendarId must be a non-empty string', { details: { field: 'calendarId' } }),
        );
      }
      const current = running.get(calendarId);
      if (current) return current;
      const promise = run(calendarId).finally(() => running.delete(calendarId));
      running.set(calendarId, promise);
      return promise;
    },
    async reset(calendarId) {
      // Keep what the host was given (known ids, delivered etags): the next full listing can then
      // still report what vanished.
      for (;;) {
        const entry = await store.get<SyncState>(stateKey(calendarId));
        if (!entry) return;
        if ((await store.compareAndSet(stateKey(calendarId), entry.version, { chunks: entry.value.chunks })) !== false) return;
      }
    },
    async cursor(calendarId) {
      return (await store.get<SyncState>(stateKey(calendarId)))?.value.cursor;
    },
  };
}
