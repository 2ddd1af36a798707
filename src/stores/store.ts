/**
 * The `Store` interface: small, durable, shared state (idempotency records, replay-guard ids, sync
 * cursors, locks, encrypted tokens). Every other module takes a `Store` and defaults to the
 * in-memory one, so a host can move from one process to many by passing a Redis or PostgreSQL store.
 *
 * Values are JSON. `version` is an opaque number that changes on every write to a key; it is what
 * `compareAndSet` compares, so read-modify-write cycles never lose an update.
 */
import { IntegrationError } from '../core/errors.js';

/** A live entry: its value, version and expiry. */
export interface StoreEntry<T = unknown> {
  value: T;
  /** Changes on every write; unique within a store, so a deleted-then-recreated key never reuses one. */
  version: number;
  /** Epoch milliseconds after which the entry is gone, when it was written with a TTL. */
  expiresAt?: number;
}

/** Options of every store write. */
export interface StoreWriteOptions {
  /** Lifetime in seconds (fractions allowed). Omit for no expiry. */
  ttlSeconds?: number;
}

/** The key-value contract every switchyard store implements (memory, Redis, PostgreSQL, yours); atomic where it says so. */
export interface Store {
  /** The live entry for `key`, or `undefined` when absent or expired. */
  get<T = unknown>(key: string): Promise<StoreEntry<T> | undefined>;
  /** Write unconditionally; returns the new version. */
  set<T = unknown>(key: string, value: T, options?: StoreWriteOptions): Promise<number>;
  /** Write only if no live entry exists (a lock or a first-writer-wins record). Atomic. */
  setIfAbsent<T = unknown>(key: string, value: T, options?: StoreWriteOptions): Promise<boolean>;
  /**
   * Write only if the entry's current version is `expectedVersion` (`null`: only if absent). Atomic.
   * Returns the new version, or `false` when another writer got there first.
   */
  compareAndSet<T = unknown>(key: string, expectedVersion: number | null, value: T, options?: StoreWriteOptions): Promise<number | false>;
  /** Remove the entry; `true` if a live one was there. */
  delete(key: string): Promise<boolean>;
  /**
   * Remove the entry only if its current version is `expectedVersion`. Atomic. This is how a lock
   * holder releases its lock without deleting one that expired and was taken by someone else.
   */
  compareAndDelete(key: string, expectedVersion: number): Promise<boolean>;
  /**
   * Optional batch read: the live entry (or `undefined`) of each key, in the order given. A store
   * that implements it answers in one round trip; callers use the `getMany(store, keys)` helper,
   * which falls back to one `get` per key for stores without it.
   */
  getMany?<T = unknown>(keys: readonly string[]): Promise<(StoreEntry<T> | undefined)[]>;
  /**
   * Optional batch write: unconditionally write every entry (keys must be distinct), all with the
   * same options; returns the new versions in the order given. Native implementations are one
   * round trip and all-or-nothing; bad input (a bad key, value or TTL, a repeated key) writes
   * nothing. Callers use the `setMany(store, entries, options)` helper.
   */
  setMany?<T = unknown>(entries: readonly StoreBatchEntry<T>[], options?: StoreWriteOptions): Promise<number[]>;
  /** Release connections (durable stores); the memory store has nothing to release. */
  close?(): Promise<void>;
}

/** One entry of a `setMany` batch. */
export interface StoreBatchEntry<T = unknown> {
  key: string;
  value: T;
}

/**
 * Read many keys at once: the store's own `getMany` when it has one (one round trip), otherwise
 * one `get` per key, issued together. Results are in the order of `keys`.
 *
 * @example
 * const [a, b] = await getMany(store, ['user:1', 'user:2']);
 * if (a) console.log(a.value, a.version);
 */
export async function getMany<T = unknown>(store: Store, keys: readonly string[]): Promise<(StoreEntry<T> | undefined)[]> {
  assertKeyList(keys);
  if (keys.length === 0) return [];
  if (typeof store.getMany === 'function') return store.getMany<T>(keys);
  return Promise.all(keys.map((key) => store.get<T>(key)));
}

/**
 * Write many entries at once: the store's own `setMany` when it has one (one round trip,
 * all-or-nothing), otherwise one `set` per entry after checking every key and value first, so bad
 * input still writes nothing (a failure midway can leave a prefix written). Returns the versions
 * in the order of `entries`.
 *
 * @example
 * await setMany(store, [{ key: 'etag:a', value: '"1"' }, { key: 'etag:b', value: '"7"' }], { ttlSeconds: 3600 });
 */
export async function setMany<T = unknown>(
  store: Store,
  entries: readonly StoreBatchEntry<T>[],
  options?: StoreWriteOptions,
): Promise<number[]> {
  checkBatch(entries, options);
  if (entries.length === 0) return [];
  if (typeof store.setMany === 'function') return store.setMany<T>(entries, options);
  const versions: number[] = [];
  for (const { key, value } of entries) versions.push(await store.set(key, value, options));
  return versions;
}

/** Shared checks of a key list (`getMany`). */
export function assertKeyList(keys: unknown): asserts keys is readonly string[] {
  if (!Array.isArray(keys)) {
    throw new IntegrationError('invalid_input', 'keys must be an array of store keys', { details: { field: 'keys' } });
  }
  for (const key of keys) assertKey(key);
}

/**
 * Shared checks of a `setMany` batch: an array of `{ key, value }` with valid, distinct keys and
 * JSON values, and a valid TTL. Returns each value's JSON text, for stores that keep text.
 */
export function checkBatch(entries: unknown, options: StoreWriteOptions | undefined): string[] {
  if (!Array.isArray(entries)) {
    throw new IntegrationError('invalid_input', 'entries must be an array of { key, value }', { details: { field: 'entries' } });
  }
  assertTtl(options);
  const seen = new Set<string>();
  return entries.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) {
      throw new IntegrationError('invalid_input', 'entries must be an array of { key, value }', { details: { field: 'entries' } });
    }
    const { key, value } = entry as StoreBatchEntry;
    assertKey(key);
    if (seen.has(key)) {
      throw new IntegrationError('invalid_input', 'setMany got the same key twice; a batch writes each key once', {
        details: { field: 'key' },
      });
    }
    seen.add(key);
    return encodeValue(value);
  });
}

/** Longest key any store accepts, in characters; longer keys are `invalid_input`. */
export const MAX_KEY_LENGTH = 512;

/** Shared argument checks, so every store rejects the same bad input with the same error. */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new IntegrationError('invalid_input', 'store key must be a non-empty string', { details: { field: 'key' } });
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw new IntegrationError('invalid_input', `store key is longer than ${MAX_KEY_LENGTH} characters`, {
      details: { field: 'key' },
    });
  }
}

export function assertTtl(options: StoreWriteOptions | undefined): number | undefined {
  const ttl = options?.ttlSeconds;
  if (ttl === undefined) return undefined;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
    throw new IntegrationError('invalid_input', `ttlSeconds must be a positive finite number, got ${String(ttl)}`, {
      details: { field: 'ttlSeconds' },
    });
  }
  return ttl;
}

export function assertVersion(version: unknown): asserts version is number | null {
  if (version !== null && !(typeof version === 'number' && Number.isSafeInteger(version) && version > 0)) {
    throw new IntegrationError('invalid_input', 'expectedVersion must be a positive integer or null', {
      details: { field: 'expectedVersion' },
    });
  }
}

/**
 * Serialize a value to JSON, rejecting what JSON would silently change: `undefined`, functions,
 * symbols, bigints, non-finite numbers and cycles. Durable stores keep exactly this text.
 */
export function encodeValue(value: unknown): string {
  // Strings are most values (etags, ids, tokens): nothing to check. Otherwise a quick walk that
  // builds no path strings, and only on a failure the walk that names the offending place.
  if (typeof value !== 'string' && !isPlainJson(value, [])) checkJson(value, new Set(), '$');
  return JSON.stringify(value);
}

/** `true` when `value` is JSON that `JSON.stringify` keeps as it is; `stack` holds the objects being walked (cycles). */
function isPlainJson(value: unknown, stack: object[]): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (stack.includes(value)) return false;
      if (Array.isArray(value)) {
        stack.push(value);
        for (const item of value) if (!isPlainJson(item, stack)) return false;
        stack.pop();
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      stack.push(value);
      for (const key in value) {
        const v = (value as Record<string, unknown>)[key];
        if (v !== undefined && !isPlainJson(v, stack)) return false;
      }
      stack.pop();
      return true;
    }
    default:
      return false;
  }
}

function checkJson(value: unknown, path: Set<object>, where: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw notJson(where, String(value));
      return;
    case 'object': {
      if (value === null) return;
      if (path.has(value)) throw notJson(where, 'a circular reference');
      if (value instanceof Date) throw notJson(where, 'a Date (store an ISO string instead)');
      const proto = Object.getPrototypeOf(value);
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        throw notJson(where, `an instance of ${(value as object).constructor?.name ?? 'a class'}`);
      }
      path.add(value);
      if (Array.isArray(value)) value.forEach((item, i) => void checkJson(item, path, `${where}[${i}]`));
      else for (const [k, v] of Object.entries(value)) if (v !== undefined) checkJson(v, path, `${where}.${k}`);
      path.delete(value);
      return;
    }
    default:
      throw notJson(where, typeof value);
  }
}

function notJson(where: string, what: string): IntegrationError {
  return new IntegrationError('invalid_input', `store values must be JSON; ${where} is ${what}`, {
    details: { field: 'value' },
  });
}
