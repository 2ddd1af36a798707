/**
 * The channel manager: keeps one push channel per calendar open, renews it before it expires, and
 * turns each verified notification into a (deduplicated) sync.
 *
 * - Google has no renewal call: a new channel is opened first, then the old one is stopped, so
 *   there is never a gap without notifications. Graph subscriptions are renewed in place (PATCH)
 *   through `provider.renewWatch`, asking for at most 3 days and keeping the expiry Graph grants.
 * - Graph lifecycle events: `reauthorizationRequired` → renew; `subscriptionRemoved` → open a new
 *   subscription and sync; `missed` → sync (changes were dropped). Google's `sync` message (the
 *   first one of a channel) carries no change and only confirms the channel.
 * - Notifications come in bursts (one per changed event). While a calendar's sync runs, further
 *   notifications only mark it dirty: exactly one more run follows, however many arrived.
 *
 * The host answers the webhook fast (Graph requires < 3 s): verify, enqueue, reply 202, and call
 * `handleNotification` from the worker. See docs/calendar.md.
 */
import { IntegrationError } from '../core/errors.js';
import type { Store } from '../stores/store.js';
import type { CalendarSync, SyncResult } from './sync.js';
import type { CalendarProvider, Channel } from './types.js';

/** Options of `createChannelManager`. */
export interface ChannelManagerOptions {
  /** The adapter that opens, renews and stops channels. */
  provider: CalendarProvider;
  /** Where the managed channels are remembered (by calendar and by channel id). */
  store: Store;
  /** The sync engine a notification triggers. */
  sync: CalendarSync;
  /** HTTPS endpoint the provider notifies. */
  address: string;
  /** Shared secret (Google channel token, Graph clientState); verify it with switchyard/webhooks. */
  token: string;
  /** Requested channel lifetime, seconds. The provider may grant less. Default 7 days (Graph caps at 3). */
  ttlSeconds?: number;
  /** Renew when less than this is left, seconds. Default 1 day. */
  renewBeforeSeconds?: number;
  /** Prefix of the manager's store keys. Default `switchyard:calchan`. */
  keyPrefix?: string;
  /** Clock, epoch ms (like `Date.now`); inject one to test renewal without waiting. */
  now?: () => number;
}

/** The parts of a verified Google (`verifyGoogleChannel`) or Graph (`verifyGraphNotification`) notification used here. */
export interface ChannelNotification {
  /** Google `X-Goog-Channel-ID`. */
  channelId?: string;
  /** Graph `subscriptionId`. */
  subscriptionId?: string;
  /** Google `X-Goog-Resource-State`. */
  resourceState?: 'sync' | 'exists' | 'not_exists';
  /** Graph lifecycle notifications. */
  lifecycleEvent?: 'subscriptionRemoved' | 'missed' | 'reauthorizationRequired';
}

/** What `handleNotification` did: ignored a handshake, synced, joined a running sync, renewed or reopened the channel. */
export interface NotificationOutcome {
  /** The calendar the notification was for. */
  calendarId: string;
  /** `coalesced`: a sync of that calendar was already running, and this notification joined it. */
  action: 'ignored' | 'synced' | 'coalesced' | 'renewed' | 'reopened';
  /** The sync run's result, when this notification ran one. */
  result?: SyncResult;
}

/** Keeps one push channel per calendar open and renewed, and turns notifications into (deduplicated) syncs. */
export interface ChannelManager {
  /** Open a channel for the calendar unless a live one is stored; returns it. */
  ensure(calendarId: string): Promise<Channel>;
  /** Renew every managed channel that expires within `renewBeforeSeconds`. Run it from a cron (hourly is plenty). */
  renewDue(): Promise<Channel[]>;
  /**
   * Act on a verified notification: sync the calendar (concurrent ones coalesce), renew on
   * `reauthorizationRequired`, reopen on `subscriptionRemoved`; `not_found` for an unknown channel.
   */
  handleNotification(notification: ChannelNotification): Promise<NotificationOutcome>;
  /** Stop the calendar's channel and forget it. */
  stop(calendarId: string): Promise<void>;
}

/**
 * The channel manager: opens a push channel per calendar, renews Google channels (new one first,
 * then stop the old) and Graph subscriptions (PATCH) before they expire, and triggers a sync per
 * notification. Answer the provider fast: verify, enqueue, 202, and call `handleNotification`
 * from a worker.
 *
 * @example
 * const channels = createChannelManager({ provider, store, sync, address: 'https://example.com/hooks/calendar', token: process.env.CHANNEL_TOKEN! });
 * await channels.ensure('primary');
 * // hourly cron: await channels.renewDue();
 * // worker, for each verified notification: await channels.handleNotification({ channelId, resourceState });
 */
export function createChannelManager(options: ChannelManagerOptions): ChannelManager {
  const { provider, store, sync } = options;
  if (!provider || !store || !sync)
    throw new IntegrationError('invalid_config', 'provider, store and sync are required', { details: { field: 'provider' } });
  if (typeof options.address !== 'string' || !options.address.startsWith('https://')) {
    throw new IntegrationError('invalid_config', 'address must be an https URL', { details: { field: 'address' } });
  }
  if (typeof options.token !== 'string' || options.token.length < 16) {
    throw new IntegrationError('invalid_config', 'token must be a secret of at least 16 characters', { details: { field: 'token' } });
  }
  const now = options.now ?? Date.now;
  const ttlSeconds = options.ttlSeconds ?? 7 * 86_400;
  const renewBeforeMs = (options.renewBeforeSeconds ?? 86_400) * 1000;
  const prefix = `${options.keyPrefix ?? 'switchyard:calchan'}:${provider.name}`;
  const byCalendar = (calendarId: string) => `${prefix}:cal:${calendarId}`;
  const byChannel = (channelId: string) => `${prefix}:ch:${channelId}`;
  const indexKey = `${prefix}:index`;
  const running = new Map<string, Promise<SyncResult>>();
  const dirty = new Set<string>();

  async function remember(channel: Channel): Promise<void> {
    await store.set(byCalendar(channel.calendarId), channel);
    // The reverse key outlives the channel a little, so late notifications of a replaced channel still resolve.
    await store.set(byChannel(channel.id), channel.calendarId, { ttlSeconds: Math.max(60, (channel.expiresAt - now()) / 1000 + 3600) });
    for (;;) {
      const index = await store.get<string[]>(indexKey);
      const list = index?.value ?? [];
      if (list.includes(channel.calendarId)) return;
      if ((await store.compareAndSet(indexKey, index?.version ?? null, [...list, channel.calendarId])) !== false) return;
    }
  }

  async function open(calendarId: string): Promise<Channel> {
    const channel = await provider.watch({ calendarId, address: options.address, token: options.token, ttlSeconds });
    await remember(channel);
    return channel;
  }

  async function renew(current: Channel): Promise<Channel> {
    if (provider.renewWatch) {
      const renewed = await provider.renewWatch(current, ttlSeconds);
      await remember(renewed);
      return renewed;
    }
    // Overlap, then stop: a notification may arrive on either channel meanwhile, both resolve.
    const next = await open(current.calendarId);
    await provider.stopWatch(current).catch(() => undefined);
    return next;
  }

  /** Single-flight per calendar; notifications during a run coalesce into one follow-up run. */
  function runSync(calendarId: string): { promise: Promise<SyncResult>; coalesced: boolean } {
    const current = running.get(calendarId);
    if (current) {
      dirty.add(calendarId);
      return { promise: current, coalesced: true };
    }
    const promise = (async () => {
      let result: SyncResult;
      do {
        dirty.delete(calendarId);
        result = await sync.sync(calendarId);
      } while (dirty.has(calendarId));
      return result;
    })().finally(() => running.delete(calendarId));
    running.set(calendarId, promise);
    return { promise, coalesced: false };
  }

  const manager: ChannelManager = {
    async ensure(calendarId) {
      const stored = await store.get<Channel>(byCalendar(calendarId));
      if (stored && stored.value.expiresAt - now() > renewBeforeMs) return stored.value;
      return stored ? renew(stored.value) : open(calendarId);
    },

    async renewDue() {
      const list = (await store.get<string[]>(indexKey))?.value ?? [];
      const renewed: Channel[] = [];
      for (const calendarId of list) {
        const stored = await store.get<Channel>(byCalendar(calendarId));
        if (!stored) continue;
        if (stored.value.expiresAt - now() <= renewBeforeMs) renewed.push(await renew(stored.value));
      }
      return renewed;
    },

    async handleNotification(n) {
      const id = n?.channelId ?? n?.subscriptionId;
      if (typeof id !== 'string' || id.length === 0) {
        throw new IntegrationError('invalid_input', 'notification has neither channelId nor subscriptionId', {
          details: { field: 'channelId' },
        });
      }
      const calendarId = (await store.get<string>(byChannel(id)))?.value;
      if (calendarId === undefined) {
        throw new IntegrationError('not_found', 'notification for a channel this manager does not know (stop it)', {
          details: { field: 'channelId' },
        });
      }
      if (n.resourceState === 'sync') return { calendarId, action: 'ignored' };
      if (n.lifecycleEvent === 'reauthorizationRequired') {
        const stored = await store.get<Channel>(byCalendar(calendarId));
        if (stored) await renew(stored.value);
        return { calendarId, action: 'renewed' };
      }
      if (n.lifecycleEvent === 'subscriptionRemoved') {
        await open(calendarId);
        const result = await runSync(calendarId).promise;
        return { calendarId, action: 'reopened', result };
      }
      const { promise, coalesced } = runSync(calendarId);
      if (coalesced) return { calendarId, action: 'coalesced' };
      return { calendarId, action: 'synced', result: await promise };
    },

    async stop(calendarId) {
      const stored = await store.get<Channel>(byCalendar(calendarId));
      if (!stored) return;
      await provider.stopWatch(stored.value).catch(() => undefined);
      await store.delete(byCalendar(calendarId));
      await store.delete(byChannel(stored.value.id));
      for (;;) {
        const index = await store.get<string[]>(indexKey);
        if (!index) return;
        if (
          (await store.compareAndSet(
            indexKey,
            index.version,
            index.value.filter((c) => c !== calendarId),
          )) !== false
        )
          return;
      }
    },
  };
  return manager;
}
