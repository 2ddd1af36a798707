/**
 * `createCalendarSync`: keeps a host's copy of calendars in step with the provider, cheaply and
 * without losing or doubling anything.
 *
 * - One cursor per calendar, in a `Store` (never one checkpoint for many calendars: a shared
 *   cursor makes one expired token resync every calendar, and one slow calendar block the rest).
 * - Pages are committed one at a time: a crash resumes from the last committed page.
 * - Exactly-once to `onChange` by event id + etag: the provider delivers at least once (a page
 *   replayed after a crash, an event seen in a full listing and again in the increment that
 *   follows), so each delivered etag is recorded in the store right after `onChange` returns, and
 *   a change whose etag was already delivered is skipped. If `onChange` throws, nothing is recorded
 *   and the change is delivered again on the next run. The one window left is a crash between
 *   `onChange` returning and that write: make `onChange` an upsert by event id to be safe there.
 * - `sync_token_expired` (Google 410, Graph `syncStateNotFound`) restarts a full listing; at its end,
 *   every event the host was given that the listing no longer contains is delivered as a deletion.
 *
 * Store layout, under `keyPrefix` (default `switchyard:calsync`):
 * - `<prefix>:<provider>:<calendarId>`: `{ cursor, known, seen }` (the ids the host may hold, and the
 *   ids seen so far by a running full listing);
 * - `<prefix>:<provider>:<calendarId>:e:<eventId>`: the last etag delivered for that event.
 */
import { IntegrationError, isIntegrationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { withRedaction } from '../core/logger.js';
import type { Store } from '../stores/store.js';
import type { CalendarProvider, EventChange } from './types.js';

export interface CalendarSyncOptions {
  provider: CalendarProvider;
  store: Store;
  /** Called once per new change (event id + etag). Awaited; throwing stops the run without committing the page. */
  onChange: (change: EventChange) => void | Promise<void>;
  keyPrefix?: string;
  logger?: Logger;
  /** Safety net against a provider that never ends a listing. Default 10,000 pages per run. */
  maxPages?: number;
  /** Lease on a calendar so two workers never sync it at once, seconds. Default 120. */
  leaseSeconds?: number;
}

export interface SyncResult {
  calendarId: string;
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
  known: string[];
  seen?: string[];
}

export function createCalendarSync(options: CalendarSyncOptions): CalendarSync {
  if (!options || typeof options !== 'object') throw new IntegrationError('invalid_config', 'createCalendarSync needs options');
  const { provider, store, onChange } = options;
  if (!provider || typeof provider.listChanges !== 'function') {
    throw new IntegrationError('invalid_config', 'provider must be a CalendarProvider', { details: { field: 'provider' } });
  }
  if (!store || typeof store.compareAndSet !== 'function') {
    throw new IntegrationError('invalid_config', 'store must be a Store', { details: { field: 'store' } });
  }
  if (typeof onChange !== 'function') throw new IntegrationError('invalid_config', 'onChange must be a function', { details: { field: 'onChange' } });
  const prefix = `${options.keyPrefix ?? 'switchyard:calsync'}:${provider.name}`;
  const maxPages = options.maxPages ?? 10_000;
  const leaseSeconds = options.leaseSeconds ?? 120;
  const logger = withRedaction(options.logger);
  const running = new Map<string, Promise<SyncResult>>();

  const stateKey = (calendarId: string) => `${prefix}:${calendarId}`;
  const eventKey = (calendarId: string, eventId: string) => `${prefix}:${calendarId}:e:${eventId}`;

  async function commit(calendarId: string, version: number | null, state: SyncState): Promise<number> {
    const next = await store.compareAndSet(stateKey(calendarId), version, state);
    if (next === false) {
      throw new IntegrationError('conflict', `the sync state of calendar ${calendarId} was changed by another worker`, { retryable: true });
    }
    return next;
  }

  async function run(calendarId: string): Promise<SyncResult> {
    const result: SyncResult = { calendarId, pages: 0, delivered: 0, duplicates: 0, vanished: 0, fullSync: false, skipped: false };
    const lease = `${stateKey(calendarId)}:lease`;
    if (!(await store.setIfAbsent(lease, true, { ttlSeconds: leaseSeconds }))) return { ...result, skipped: true };
    try {
      const entry = await store.get<SyncState>(stateKey(calendarId));
      let version = entry?.version ?? null;
      const state: SyncState = entry ? { ...entry.value } : { known: [] };
      const known = new Set(state.known);
      let seen = state.seen ? new Set(state.seen) : state.cursor === undefined ? new Set<string>() : undefined;
      let expiredInARow = 0;
      const save = async (cursor: string | undefined) => {
        const next: SyncState = { known: [...known] };
        if (cursor !== undefined) next.cursor = cursor;
        if (seen) next.seen = [...seen];
        version = await commit(calendarId, version, next);
        state.cursor = cursor;
      };

      while (result.pages < maxPages) {
        let page: Awaited<ReturnType<CalendarProvider['listChanges']>>;
        try {
          page = await provider.listChanges(calendarId, state.cursor);
        } catch (error) {
          if (!isIntegrationError(error) || error.code !== 'sync_token_expired') throw error;
          // A fresh full listing cannot expire twice in a row unless the provider is broken: stop.
          if (++expiredInARow > 2) throw error;
          logger.info({ calendarId, provider: provider.name }, 'calendar sync cursor expired: full resync');
          seen = new Set();
          await save(undefined);
          continue;
        }
        expiredInARow = 0;
        result.pages += 1;
        if (page.full) {
          result.fullSync = true;
          seen ??= new Set();
        }
        // Record the ids before delivering them: `known` is always a superset of what the host
        // holds, so a later full listing can find every vanished event (a crash between delivery
        // and the page commit would otherwise leave a ghost the host never hears about).
        const fresh = page.changes.filter((c) => c.type === 'upsert' && !known.has(c.event.id));
        if (fresh.length > 0) {
          for (const c of fresh) if (c.type === 'upsert') known.add(c.event.id);
          await save(state.cursor);
        }
        for (const change of page.changes) {
          if (change.type === 'upsert') {
            const key = eventKey(calendarId, change.event.id);
            seen?.add(change.event.id);
            const delivered = await store.get<string>(key);
            if (delivered?.value === change.event.etag) {
              result.duplicates += 1;
              continue;
            }
            await onChange(change);
            await store.set(key, change.event.etag);
            result.delivered += 1;
          } else {
            if (await deliverDelete(calendarId, change.eventId, change)) result.delivered += 1;
            else result.duplicates += 1;
            known.delete(change.eventId);
          }
        }
        if (!page.more && page.full && seen) {
          for (const id of known) {
            if (seen.has(id)) continue;
            if (await deliverDelete(calendarId, id, { type: 'delete', calendarId, eventId: id })) result.vanished += 1;
            known.delete(id);
          }
          seen = undefined;
        }
        await save(page.cursor);
        if (!page.more) return result;
      }
      throw new IntegrationError('provider_error', `calendar ${calendarId}: the change listing did not end after ${maxPages} pages`, {
        provider: provider.name,
      });
    } finally {
      await store.delete(lease);
    }
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
        return Promise.reject(new IntegrationError('invalid_input', 'calendarId must be a non-empty string', { details: { field: 'calendarId' } }));
      }
      const current = running.get(calendarId);
      if (current) return current;
      const promise = run(calendarId).finally(() => running.delete(calendarId));
      running.set(calendarId, promise);
      return promise;
    },
    async reset(calendarId) {
      await store.delete(stateKey(calendarId));
    },
    async cursor(calendarId) {
      return (await store.get<SyncState>(stateKey(calendarId)))?.value.cursor;
    },
  };
}
