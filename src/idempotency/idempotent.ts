/**
 * `idempotent(options, run)`: run a side effect at most once per key, across processes, with the
 * semantics of Stripe's idempotency keys and AWS Powertools' idempotency utility.
 *
 * The record under the key moves through these states, each write a compare-and-set on the
 * store's version, so two callers can never both believe they hold the key:
 *
 *   (absent) ──CAS(null)──▶ in_progress ──run ok──▶ completed          (kept ttlSeconds)
 *                             │  ▲         └─run failed─▶ released      (retry may take it)
 *                             │  └──────────────────────   or failed    (cacheErrors: kept ttlSeconds)
 *                             └─ holder crashed: the lock's TTL (lockSeconds) expires → (absent)
 */
import { type IntegrationErrorJSON, IntegrationError, isIntegrationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../stores/store.js';
import { MAX_KEY_LENGTH } from '../stores/store.js';
import { retry } from '../retry/retry.js';
import { fingerprintOf } from './key.js';

/** Options of `idempotent`: where records live, the key, and what to do on conflicts and failures. */
export interface IdempotentOptions {
  /** Where records live. Use a Redis or PostgreSQL store when more than one process runs. */
  store: Store;
  /** The idempotency key (from the client, or `deriveIdempotencyKey`). */
  key: string;
  /**
   * The request this key stands for (any JSON). A later call with the same key and a different
   * fingerprint is `idempotency_conflict`. Compared only when both calls give one.
   */
  fingerprint?: unknown;
  /** How long a completed (or cached failed) result is kept, seconds. Default 86,400 (24 h, as Stripe). */
  ttlSeconds?: number;
  /**
   * How long a holder may run before its lock expires, seconds. Default 60. Must exceed the
   * slowest `run`: a holder still running after `lockSeconds` can be overtaken by a retry.
   */
  lockSeconds?: number;
  /** When another caller holds the key: `throw` (default) `idempotency_in_progress`, or `wait` for its result. */
  onInProgress?: 'throw' | 'wait';
  /** With `wait`: how long to wait, ms. Default `lockSeconds` × 1000 + 1000 (enough for a crashed holder's lock to lapse). */
  waitTimeoutMs?: number;
  /** With `wait`: polling interval, ms. Default 50. */
  pollIntervalMs?: number;
  /**
   * Cache failures too. Only non-retryable `IntegrationError`s are ever cached (a card decline,
   * an invalid request): replays rethrow them without running. Retryable errors and any other
   * error release the key so the work can be retried. Default false: failures are never cached.
   */
  cacheErrors?: boolean | ((error: IntegrationError) => boolean);
  /** Prefix of the store key. Default `idempotency:`. */
  keyPrefix?: string;
  /** Told when a holder finished after losing its lock (see `lockSeconds`). */
  logger?: Logger;
}

/** The request fingerprint kept with a key (`null` when `idempotent` was given no `fingerprint`). */
export type Fingerprint = string | null;

/** What is kept in the store under the key. Plain JSON. */
export type IdempotencyRecord =
  | { status: 'in_progress'; fingerprint: Fingerprint; lockId: string; startedAt: number }
  | { status: 'completed'; fingerprint: Fingerprint; result?: unknown; completedAt: number }
  | { status: 'failed'; fingerprint: Fingerprint; error: IntegrationErrorJSON; completedAt: number }
  | { status: 'released'; fingerprint: Fingerprint };

/** The defaults of `idempotent`'s options: 24 h results, 60 s locks, `throw` when in progress. */
export const IDEMPOTENCY_DEFAULTS = {
  ttlSeconds: 86_400,
  lockSeconds: 60,
  onInProgress: 'throw',
  pollIntervalMs: 50,
  keyPrefix: 'idempotency:',
} as const;

/** After this many lost races in a row, something is wrong with the store: stop rather than spin. */
const MAX_RACES = 1000;

/**
 * Run `run` at most once per key across processes sharing `store`, and return its result to every
 * later call with the key. A concurrent call throws `idempotency_in_progress` (or waits, with
 * `onInProgress: 'wait'`); the key reused with another `fingerprint` throws `idempotency_conflict`.
 *
 * @example
 * const receipt = await idempotent({ store, key: `order:${orderId}:email`, fingerprint: { orderId } }, () =>
 *   sendReceipt(orderId),
 * );
 */
export async function idempotent<T>(options: IdempotentOptions, run: () => Promise<T>): Promise<T> {
  const o = resolve(options, run);
  const fingerprint = o.fingerprint === undefined ? null : await fingerprintOf(o.fingerprint);
  const deadline = Date.now() + o.waitTimeoutMs;

  for (let races = 0; races < MAX_RACES; races++) {
    const lock: IdempotencyRecord = { status: 'in_progress', fingerprint, lockId: randomId(), startedAt: Date.now() };
    let version = await o.store.compareAndSet(o.storeKey, null, lock, { ttlSeconds: o.lockSeconds });
    if (version === false) {
      const entry = await o.store.get<unknown>(o.storeKey);
      if (!entry) continue; // it expired or was released between our two calls
      const record = asRecord(entry.value, o.key);
      if (fingerprint !== null && record.fingerprint !== null && record.fingerprint !== fingerprint) {
        throw new IntegrationError('idempotency_conflict', 'this idempotency key was already used with a different request', {
          retryable: false,
          details: { key: o.key },
        });
      }
      if (record.status === 'completed') return record.result as T;
      if (record.status === 'failed') throw replayError(record.error);
      if (record.status === 'released') {
        version = await o.store.compareAndSet(o.storeKey, entry.version, lock, { ttlSeconds: o.lockSeconds });
        if (version === false) continue;
      } else {
        const lockLeftMs = entry.expiresAt === undefined ? o.lockSeconds * 1000 : Math.max(0, entry.expiresAt - Date.now());
        if (o.onInProgress === 'throw' || Date.now() >= deadline) {
          throw new IntegrationError('idempotency_in_progress', 'another request with this idempotency key is in progress', {
            retryable: true,
            retryAfterMs: Math.min(lockLeftMs, 1000),
            details: { key: o.key },
          });
        }
        await new Promise((r) => setTimeout(r, Math.min(o.pollIntervalMs, Math.max(1, deadline - Date.now()))));
        races--; // waiting is not a lost race
        continue;
      }
    }
    return hold(o, version, fingerprint, run);
  }
  throw new IntegrationError('unavailable', 'idempotency record kept changing under us; is the store healthy?', {
    details: { key: o.key },
  });
}

/** We own the key at `version`: run, then record the outcome, but only if the key is still ours. */
async function hold<T>(o: Resolved, version: number, fingerprint: Fingerprint, run: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (error) {
    const cache = isIntegrationError(error) && !error.retryable && o.cacheErrors(error);
    const record: IdempotencyRecord = cache
      ? { status: 'failed', fingerprint, error: (error as IntegrationError).toJSON(), completedAt: Date.now() }
      : { status: 'released', fingerprint };
    // If recording fails (store down), the lock still lapses after lockSeconds: the caller's
    // error is the one worth reporting.
    await writeOutcome(o, version, record, cache ? o.ttlSeconds : o.lockSeconds).catch(() => false);
    throw error;
  }
  const record: IdempotencyRecord = { status: 'completed', fingerprint, completedAt: Date.now() };
  if (result !== undefined) record.result = result;
  let stored: number | false;
  try {
    stored = await writeOutcome(o, version, record, o.ttlSeconds);
  } catch (error) {
    if (isIntegrationError(error) && error.code === 'invalid_input') {
      // The work is done but its result cannot be kept; the key stays locked until lockSeconds
      // so an immediate retry does not repeat it.
      throw new IntegrationError('invalid_input', `the result of an idempotent run must be JSON: ${error.message}`, {
        cause: error,
        details: { field: 'result', key: o.key },
      });
    }
    throw error;
  }
  if (stored === false) {
    o.logger?.warn(
      { key: o.key, lockSeconds: o.lockSeconds },
      'idempotent run finished after its lock expired; another caller may have run it too (raise lockSeconds)',
    );
  }
  return result;
}

/**
 * Record the outcome, riding out a brief store outage: after the side effect, losing the record
 * means the work runs again once the lock lapses, so a few quick retries are worth it. (If a write
 * landed but its answer was lost, the retry sees a new version and reports `false`.)
 */
function writeOutcome(o: Resolved, version: number, record: IdempotencyRecord, ttlSeconds: number): Promise<number | false> {
  return retry(() => o.store.compareAndSet(o.storeKey, version, record, { ttlSeconds }), {
    maxAttempts: 3,
    baseDelayMs: 50,
    maxElapsedMs: 2000,
  });
}

function replayError(json: IntegrationErrorJSON): IntegrationError {
  const options: ConstructorParameters<typeof IntegrationError>[2] = { retryable: json.retryable };
  if (json.provider !== undefined) options.provider = json.provider;
  if (json.status !== undefined) options.status = json.status;
  if (json.retryAfterMs !== undefined) options.retryAfterMs = json.retryAfterMs;
  options.details = { ...(json.details ?? {}), idempotentReplay: true };
  return new IntegrationError(json.code, json.message, options);
}

const STATUSES = new Set(['in_progress', 'completed', 'failed', 'released']);

function asRecord(value: unknown, key: string): IdempotencyRecord {
  const v = value as { status?: unknown; fingerprint?: unknown } | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    !STATUSES.has(v.status as string) ||
    !(v.fingerprint === null || typeof v.fingerprint === 'string')
  ) {
    throw new IntegrationError('idempotency_conflict', 'the store holds something other than an idempotency record under this key', {
      retryable: false,
      details: { key },
    });
  }
  return value as IdempotencyRecord;
}

function randomId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

interface Resolved {
  store: Store;
  key: string;
  storeKey: string;
  fingerprint: unknown;
  ttlSeconds: number;
  lockSeconds: number;
  onInProgress: 'throw' | 'wait';
  waitTimeoutMs: number;
  pollIntervalMs: number;
  cacheErrors: (error: IntegrationError) => boolean;
  logger: Logger | undefined;
}

function config(message: string, field: string): IntegrationError {
  return new IntegrationError('invalid_config', `idempotent: ${message}`, { details: { field } });
}

function positive(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw config(`${field} must be a positive finite number`, field);
  return value;
}

function resolve(options: IdempotentOptions, run: unknown): Resolved {
  if (typeof options !== 'object' || options === null) throw config('options must be an object', 'options');
  if (typeof run !== 'function') {
    throw new IntegrationError('invalid_input', 'idempotent: run must be a function', { details: { field: 'run' } });
  }
  const store = options.store as Partial<Store> | undefined;
  if (typeof store?.get !== 'function' || typeof store.compareAndSet !== 'function') {
    throw config('store must be a Store (createMemoryStore, createRedisStore, createPostgresStore)', 'store');
  }
  const keyPrefix = options.keyPrefix ?? IDEMPOTENCY_DEFAULTS.keyPrefix;
  if (typeof keyPrefix !== 'string') throw config('keyPrefix must be a string', 'keyPrefix');
  const key = options.key;
  if (typeof key !== 'string' || key.trim() === '') {
    throw new IntegrationError('invalid_input', 'idempotent: key must be a non-empty string', { details: { field: 'key' } });
  }
  if (keyPrefix.length + key.length > MAX_KEY_LENGTH) {
    throw new IntegrationError(
      'invalid_input',
      `idempotent: key is too long (prefix + key over ${MAX_KEY_LENGTH} characters); derive a shorter one with deriveIdempotencyKey`,
      {
        details: { field: 'key' },
      },
    );
  }
  const lockSeconds = positive(options.lockSeconds, 'lockSeconds', IDEMPOTENCY_DEFAULTS.lockSeconds);
  const onInProgress = options.onInProgress ?? IDEMPOTENCY_DEFAULTS.onInProgress;
  if (onInProgress !== 'throw' && onInProgress !== 'wait') throw config("onInProgress must be 'throw' or 'wait'", 'onInProgress');
  const cacheErrors = options.cacheErrors ?? false;
  if (typeof cacheErrors !== 'boolean' && typeof cacheErrors !== 'function')
    throw config('cacheErrors must be a boolean or a function', 'cacheErrors');
  const logger = options.logger;
  if (logger !== undefined && typeof logger?.warn !== 'function') throw config('logger must be a Logger', 'logger');
  return {
    store: store as Store,
    key,
    storeKey: keyPrefix + key,
    fingerprint: options.fingerprint,
    ttlSeconds: positive(options.ttlSeconds, 'ttlSeconds', IDEMPOTENCY_DEFAULTS.ttlSeconds),
    lockSeconds,
    onInProgress,
    waitTimeoutMs: positive(options.waitTimeoutMs, 'waitTimeoutMs', lockSeconds * 1000 + 1000),
    pollIntervalMs: positive(options.pollIntervalMs, 'pollIntervalMs', IDEMPOTENCY_DEFAULTS.pollIntervalMs),
    cacheErrors: typeof cacheErrors === 'function' ? cacheErrors : () => cacheErrors,
    logger,
  };
}
