/**
 * The suppression list: addresses that must not be sent to on a channel (a hard bounce, a spam
 * complaint, an unsubscribe, an SMS STOP, a push subscription that is gone). Kept in a `Store`, so
 * every process sees the same list, and checked before every send by the strategies.
 */
import { IntegrationError } from '../core/errors.js';
import { sha256Hex } from '../idempotency/canonical.js';
import { createMemoryStore } from '../stores/memory.js';
import type { Store } from '../stores/store.js';
import { invalid, normalizeAddress } from './validate.js';
import { CHANNELS, type Channel } from './types.js';

export type SuppressionReason = 'hard_bounce' | 'complaint' | 'unsubscribed' | 'sms_stop' | 'subscription_gone' | 'manual';

export interface SuppressionEntry {
  channel: Channel;
  reason: SuppressionReason;
  /** ISO-8601 instant. */
  since: string;
  /** Provider that reported it, when one did. */
  provider?: string;
}

export interface SuppressionList {
  add(channel: Channel, address: string, entry: { reason: SuppressionReason; provider?: string }): Promise<void>;
  /** Lift a suppression (an SMS START, a person re-subscribing through the host's UI). */
  remove(channel: Channel, address: string): Promise<boolean>;
  get(channel: Channel, address: string): Promise<SuppressionEntry | undefined>;
  /** Throws `permission` (not retryable) when the address is suppressed on the channel. */
  assertAllowed(channel: Channel, address: string): Promise<void>;
}

export interface SuppressionListOptions {
  /** Default: an in-memory store (one process only). */
  store?: Store;
  /** Default `notify:suppressed:`. */
  keyPrefix?: string;
  now?: () => number;
}

export function createSuppressionList(options: SuppressionListOptions = {}): SuppressionList {
  const store = options.store ?? createMemoryStore();
  const prefix = options.keyPrefix ?? 'notify:suppressed:';
  const now = options.now ?? Date.now;
  const key = async (channel: Channel, address: string) => {
    if (!(CHANNELS as readonly string[]).includes(channel)) throw invalid('channel', `channel must be one of ${CHANNELS.join(', ')}`);
    if (typeof address !== 'string' || address.trim().length === 0) throw invalid('address', 'address must be a non-empty string');
    const normalized = normalizeAddress(channel, address);
    // Push endpoints and tokens can outgrow a store key; a digest keeps them unique and bounded.
    return `${prefix}${channel}:${normalized.length > 200 ? `sha256:${await sha256Hex(normalized)}` : normalized}`;
  };
  const get = async (channel: Channel, address: string) => (await store.get<SuppressionEntry>(await key(channel, address)))?.value;
  return {
    async add(channel, address, entry) {
      const value: SuppressionEntry = { channel, reason: entry.reason, since: new Date(now()).toISOString() };
      if (entry.provider !== undefined) value.provider = entry.provider;
      await store.set(await key(channel, address), value);
    },
    async remove(channel, address) {
      return store.delete(await key(channel, address));
    },
    get,
    async assertAllowed(channel, address) {
      const entry = await get(channel, address);
      if (entry) {
        throw new IntegrationError('permission', `the recipient is suppressed on ${channel} (${entry.reason}); nothing was sent`, {
          retryable: false,
          details: { field: 'to', suppressed: true, reason: entry.reason },
        });
      }
    },
  };
}
