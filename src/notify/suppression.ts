/**
 * The suppression list: addresses that must not be sent to on a channel (a hard bounce, a spam
 * complaint, an unsubscribe, an SMS STOP, a push subscription that is gone). Kept in a `Store`, so
 * every process sees the same list, and checked before every send by the strategies.
 *
 * Privacy: the store never holds the address. Each entry is keyed by an HMAC-SHA-256 of the
 * channel and normalized address under a host secret (`hashKey`), so a leaked store does not list
 * who opted out, and a dictionary of known addresses cannot be tested without the key. When a
 * person is erased (GDPR), only the link between their id and their entries goes: the keyed hash
 * stays, so erasure never re-enables sending to someone who opted out.
 *
 * Per-person index: `add(..., { personId })` records `{channel, digest}` pairs under
 * `<prefix>person:<personId>`, because a `Store` cannot list keys and export/erasure must find them.
 */
import { IntegrationError } from '../core/errors.js';
import { sha256Hex } from '../idempotency/canonical.js';
import { hmac } from '../webhooks/crypto.js';
import { createMemoryStore } from '../stores/memory.js';
import type { Store } from '../stores/store.js';
import { CHANNELS, type Channel } from './types.js';
import { invalid, normalizeAddress } from './validate.js';

/** Why an address is suppressed: written by the tracker (bounces, complaints, STOP), the unsubscribe handler, the push adapters, or the host (`manual`). */
export type SuppressionReason = 'hard_bounce' | 'complaint' | 'unsubscribed' | 'sms_stop' | 'subscription_gone' | 'manual';

/** One suppression, as stored (without the address: the store holds only its keyed hash). */
export interface SuppressionEntry {
  /** The channel the address must not be sent to on. */
  channel: Channel;
  /** Why. */
  reason: SuppressionReason;
  /** ISO-8601 instant. */
  since: string;
  /** Provider that reported it, when one did. */
  provider?: string;
}

/** Addresses that must not be sent to, per channel; made by `createSuppressionList`. */
export interface SuppressionList {
  /** `personId` links the entry to the host's person, for `exportPerson` / `erasePerson`. */
  add(channel: Channel, address: string, entry: { reason: SuppressionReason; provider?: string; personId?: string }): Promise<void>;
  /** Lift a suppression (an SMS START, a person re-subscribing through the host's UI). */
  remove(channel: Channel, address: string): Promise<boolean>;
  /** The entry for an address on a channel, or undefined when it may be sent to. */
  get(channel: Channel, address: string): Promise<SuppressionEntry | undefined>;
  /** Throws `permission` (not retryable) when the address is suppressed on the channel. */
  assertAllowed(channel: Channel, address: string): Promise<void>;
  /** GDPR access request: the entries linked to `personId` (the store holds no address to return). */
  exportPerson(personId: string): Promise<SuppressionEntry[]>;
  /**
   * GDPR erasure: forget the link between `personId` and their entries; returns how many links
   * went. The keyed-hash entries stay on purpose, so the person is still not sent to.
   */
  erasePerson(personId: string): Promise<number>;
}

/** HMAC key: at least 32 bytes, raw or as text (e.g. `openssl rand -base64 32`). */
export type SuppressionHashKey = string | Uint8Array;

/** Options of `createSuppressionList` shared by its plain and privacy (keyed-hash) forms. */
export interface SuppressionListBaseOptions {
  /** Default `notify:suppressed:`. */
  keyPrefix?: string;
  /** Clock in epoch ms, for `since`. Default `Date.now`. */
  now?: () => number;
  /**
   * Migration from plain-address keys (switchyard before the keyed hash): also look up the old
   * key when the hashed one is absent, and move a found entry to the hashed key. Costs one extra
   * read per check of an unsuppressed address; turn it off once every entry has moved.
   */
  migrateLegacyEntries?: boolean;
}

/**
 * A shared `store` needs a stable `hashKey` (the same in every process, kept like any secret);
 * without a store, a per-instance random key is used, which is fine for the in-memory default.
 */
export type SuppressionListOptions = SuppressionListBaseOptions &
  ({ store: Store; hashKey: SuppressionHashKey } | { store?: undefined; hashKey?: SuppressionHashKey });

interface IndexItem {
  channel: Channel;
  digest: string;
}

const MIN_KEY_BYTES = 32;

function configError(message: string, field: string): IntegrationError {
  return new IntegrationError('invalid_config', message, { details: { field } });
}

function hashKeyBytes(hashKey: unknown): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  if (hashKey instanceof Uint8Array) bytes = new Uint8Array(hashKey);
  else if (typeof hashKey === 'string') bytes = new TextEncoder().encode(hashKey) as Uint8Array<ArrayBuffer>;
  // Never quote the key: it is the secret that keeps the list from being a list of addresses.
  if (!bytes || bytes.length < MIN_KEY_BYTES) throw configError(`hashKey must be at least ${MIN_KEY_BYTES} bytes`, 'hashKey');
  return bytes;
}

function webCrypto(): Crypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) throw new IntegrationError('unsupported', 'the suppression list needs Web Crypto (globalThis.crypto.subtle)');
  return c;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The suppression list, in a `Store`, keyed by an HMAC-SHA-256 of channel and normalized address
 * under `hashKey` (a leaked store does not list who opted out). A shared `store` without `hashKey`,
 * or a key under 32 bytes, is `invalid_config`.
 *
 * @example
 * const suppression = createSuppressionList({ store: redisStore, hashKey: process.env.SUPPRESSION_HASH_KEY! });
 * await suppression.add('email', 'Ada@Example.com', { reason: 'manual', personId: 'user_42' });
 * await suppression.get('email', 'ada@example.com'); // { channel: 'email', reason: 'manual', since: '…' }
 * await suppression.assertAllowed('email', 'ada@example.com'); // throws `permission` (details.suppressed)
 */
export function createSuppressionList(options: SuppressionListOptions = {}): SuppressionList {
  if (options.store !== undefined && options.hashKey === undefined) {
    throw configError('hashKey is required with a shared store: entries must hash to the same key in every process', 'hashKey');
  }
  const store = options.store ?? createMemoryStore();
  const prefix = options.keyPrefix ?? 'notify:suppressed:';
  const now = options.now ?? Date.now;
  const migrate = options.migrateLegacyEntries === true;
  const crypto = webCrypto();
  let rawKey: Uint8Array<ArrayBuffer>;
  if (options.hashKey === undefined) {
    rawKey = new Uint8Array(MIN_KEY_BYTES);
    crypto.getRandomValues(rawKey);
  } else {
    rawKey = hashKeyBytes(options.hashKey);
  }

  const check = (channel: Channel, address: string) => {
    if (!(CHANNELS as readonly string[]).includes(channel)) throw invalid('channel', `channel must be one of ${CHANNELS.join(', ')}`);
    if (typeof address !== 'string' || address.trim().length === 0) throw invalid('address', 'address must be a non-empty string');
    return normalizeAddress(channel, address);
  };
  const checkPerson = (personId: unknown): string => {
    if (typeof personId !== 'string' || personId.length === 0 || personId.length > 200)
      throw invalid('personId', 'personId must be a string of 1 to 200 characters');
    return personId;
  };
  // The channel is inside the MAC input, so the same string on two channels gives unrelated digests.
  // The shared helper: node:crypto's synchronous HMAC on Node (it sits on every send's path; Web
  // Crypto's async sign costs far more per call), Web Crypto on edge runtimes. Same digest either way.
  const digestOf = async (channel: Channel, normalized: string) => toHex(await hmac('SHA-256', rawKey, [`${channel}\n`, normalized]));
  const entryKey = (channel: Channel, digest: string) => `${prefix}${channel}:h:${digest}`;
  const indexKey = (personId: string) => `${prefix}person:${personId}`;
  // The key format before the keyed hash, kept only to migrate from it.
  const legacyKey = async (channel: Channel, normalized: string) =>
    `${prefix}${channel}:${normalized.length > 200 ? `sha256:${await sha256Hex(normalized)}` : normalized}`;

  const lookup = async (channel: Channel, address: string): Promise<SuppressionEntry | undefined> => {
    const normalized = check(channel, address);
    const key = entryKey(channel, await digestOf(channel, normalized));
    const found = (await store.get<SuppressionEntry>(key))?.value;
    if (found || !migrate) return found;
    const old = await legacyKey(channel, normalized);
    const legacy = (await store.get<SuppressionEntry>(old))?.value;
    if (!legacy) return undefined;
    // Move, never drop: write the hashed entry before deleting the plain-address one.
    await store.setIfAbsent(key, legacy);
    await store.delete(old);
    return legacy;
  };

  // Compare-and-set loop, as two suppressions of one person may be recorded at once by two workers.
  const updateIndex = async (personId: string, item: IndexItem) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await store.get<IndexItem[]>(indexKey(personId));
      const items = Array.isArray(current?.value) ? current.value : [];
      if (items.some((i) => i.channel === item.channel && i.digest === item.digest)) return;
      if ((await store.compareAndSet(indexKey(personId), current?.version ?? null, [...items, item])) !== false) return;
    }
    throw new IntegrationError('conflict', 'could not update the suppression person index: too much contention', { retryable: true });
  };

  return {
    async add(channel, address, entry) {
      const normalized = check(channel, address);
      const personId = entry.personId === undefined ? undefined : checkPerson(entry.personId);
      const digest = await digestOf(channel, normalized);
      const value: SuppressionEntry = { channel, reason: entry.reason, since: new Date(now()).toISOString() };
      if (entry.provider !== undefined) value.provider = entry.provider;
      // Index first: an entry linked to a person must never exist that exportPerson cannot find.
      if (personId !== undefined) await updateIndex(personId, { channel, digest });
      await store.set(entryKey(channel, digest), value);
    },
    async remove(channel, address) {
      const normalized = check(channel, address);
      const removed = await store.delete(entryKey(channel, await digestOf(channel, normalized)));
      const removedLegacy = migrate ? await store.delete(await legacyKey(channel, normalized)) : false;
      return removed || removedLegacy;
    },
    get: lookup,
    async assertAllowed(channel, address) {
      const entry = await lookup(channel, address);
      if (entry) {
        throw new IntegrationError('permission', `the recipient is suppressed on ${channel} (${entry.reason}); nothing was sent`, {
          retryable: false,
          details: { field: 'to', suppressed: true, reason: entry.reason },
        });
      }
    },
    async exportPerson(personId) {
      const items = (await store.get<IndexItem[]>(indexKey(checkPerson(personId))))?.value ?? [];
      const out: SuppressionEntry[] = [];
      for (const item of items) {
        const entry = (await store.get<SuppressionEntry>(entryKey(item.channel, item.digest)))?.value;
        if (entry) out.push(entry);
      }
      return out;
    },
    async erasePerson(personId) {
      const key = indexKey(checkPerson(personId));
      const items = (await store.get<IndexItem[]>(key))?.value ?? [];
      return (await store.delete(key)) ? items.length : 0;
    },
  };
}
