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
  /** Release connections (durable stores); the memory store has nothing to release. */
  close?(): Promise<void>;
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
  checkJson(value, new Set(), '$');
  return JSON.stringify(value);
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
