import {
  assertKey,
  assertKeyList,
  assertTtl,
  assertVersion,
  checkBatch,
  encodeValue,
  type Store,
  type StoreEntry,
  type StoreWriteOptions,
} from './store.js';

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /** Clock in epoch milliseconds; inject one to test expiry without waiting. */
  now?: () => number;
}

interface Slot {
  json: string;
  version: number;
  expiresAt: number | undefined;
}

/**
 * The embedded default store: a `Map` in this process. Values are kept as JSON text, so what you
 * read back is a copy and behaves exactly as it will with a durable store. Expired entries are
 * dropped when touched and swept every few thousand writes; no timer keeps the process alive.
 *
 * Right for tests, scripts and single-process hosts. With more than one process, use
 * `switchyard/stores/redis` or `switchyard/stores/postgres`: a memory store cannot make two
 * processes agree.
 *
 * @example
 * const store = createMemoryStore();
 * await store.setIfAbsent('lock:order-42', { owner: 'worker-1' }, { ttlSeconds: 30 }); // true for the first caller
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const slots = new Map<string, Slot>();
  let lastVersion = 0;
  let writesSinceSweep = 0;

  const live = (key: string): Slot | undefined => {
    const slot = slots.get(key);
    if (slot && slot.expiresAt !== undefined && slot.expiresAt <= now()) {
      slots.delete(key);
      return undefined;
    }
    return slot;
  };

  const write = (key: string, json: string, opts: StoreWriteOptions | undefined): number => {
    const ttl = assertTtl(opts);
    const version = ++lastVersion;
    slots.set(key, { json, version, expiresAt: ttl === undefined ? undefined : now() + ttl * 1000 });
    if (++writesSinceSweep >= 4096) sweep();
    return version;
  };

  const sweep = () => {
    writesSinceSweep = 0;
    const t = now();
    for (const [key, slot] of slots) if (slot.expiresAt !== undefined && slot.expiresAt <= t) slots.delete(key);
  };

  // Every method is async and does its checks inside, so bad input rejects the promise rather
  // than throwing synchronously, the same as a durable store would.
  return {
    async get<T>(key: string): Promise<StoreEntry<T> | undefined> {
      assertKey(key);
      const slot = live(key);
      if (!slot) return undefined;
      const entry: StoreEntry<T> = { value: JSON.parse(slot.json) as T, version: slot.version };
      if (slot.expiresAt !== undefined) entry.expiresAt = slot.expiresAt;
      return entry;
    },
    async getMany<T>(keys: readonly string[]): Promise<(StoreEntry<T> | undefined)[]> {
      assertKeyList(keys);
      return keys.map((key) => {
        const slot = live(key);
        if (!slot) return undefined;
        const entry: StoreEntry<T> = { value: JSON.parse(slot.json) as T, version: slot.version };
        if (slot.expiresAt !== undefined) entry.expiresAt = slot.expiresAt;
        return entry;
      });
    },
    async set(key, value, opts) {
      assertKey(key);
      return write(key, encodeValue(value), opts);
    },
    async setMany(entries, opts) {
      // Every check first, so a bad entry writes nothing.
      const json = checkBatch(entries, opts);
      return entries.map((entry, i) => write(entry.key, json[i] as string, opts));
    },
    async setIfAbsent(key, value, opts) {
      assertKey(key);
      const json = encodeValue(value);
      assertTtl(opts);
      if (live(key)) return false;
      write(key, json, opts);
      return true;
    },
    async compareAndSet(key, expectedVersion, value, opts) {
      assertKey(key);
      assertVersion(expectedVersion);
      const json = encodeValue(value);
      assertTtl(opts);
      const current = live(key);
      if ((current?.version ?? null) !== expectedVersion) return false;
      return write(key, json, opts);
    },
    async compareAndDelete(key, expectedVersion) {
      assertKey(key);
      assertVersion(expectedVersion);
      if (expectedVersion === null || live(key)?.version !== expectedVersion) return false;
      slots.delete(key);
      return true;
    },
    async delete(key) {
      assertKey(key);
      const existed = live(key) !== undefined;
      slots.delete(key);
      return existed;
    },
    async close() {
      slots.clear();
    },
  };
}
