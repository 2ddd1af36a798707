/**
 * A token bucket: `capacity` tokens, refilled continuously at `refillPerSecond`. Optional per-key
 * buckets model per-user quotas (Google's "queries per minute per user"). When empty, `acquire`
 * either waits its turn (reserving tokens, so waiters are served in order) or rejects at once
 * with `rate_limited` and the `retryAfterMs` at which a token will be there.
 *
 * Local to this process, like the breaker: it smooths what this process sends. A quota shared by
 * many processes is the provider's to enforce; `retry` honours its 429s and `Retry-After`.
 */
import { IntegrationError } from '../core/errors.js';
import { abortReason, sleep } from './sleep.js';
import { functionOption, intOption, numberOption, objectOption, oneOf, signalOption } from './validate.js';

/** Options of `createRateLimiter`. */
export interface RateLimiterOptions {
  /** Bucket size: the burst allowed after a quiet period. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
  /** `wait` (default) sleeps until the tokens are there; `reject` throws `rate_limited` at once. */
  whenEmpty?: 'wait' | 'reject';
  /** With `wait`: longest wait before rejecting anyway, ms. Default 30,000. */
  maxWaitMs?: number;
  /** Per-key buckets kept at most (least recently used are dropped). Default 10,000. */
  maxKeys?: number;
  /** Clock, epoch milliseconds (like `Date.now`); inject one in tests. */
  now?: () => number;
}

/** Per-call options of `acquire` and `schedule`. */
export interface AcquireOptions {
  /** Tokens this call costs (default 1; at most `capacity`). */
  tokens?: number;
  signal?: AbortSignal;
}

/** A token-bucket rate limiter, local to this process. */
export interface RateLimiter {
  /** Take tokens from `key`'s bucket (default: the shared bucket), waiting or rejecting when empty. */
  acquire(key?: string, options?: AcquireOptions): Promise<void>;
  /** Take tokens only if they are there now; never waits. */
  tryAcquire(key?: string, tokens?: number): boolean;
  /** Run `fn` after `acquire(key)`. */
  schedule<T>(fn: () => Promise<T>, key?: string, options?: AcquireOptions): Promise<T>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const SHARED = '\u0000shared';

/**
 * Create a token-bucket rate limiter (optionally per key) that waits its turn or rejects with `rate_limited`.
 *
 * @example
 * const limiter = createRateLimiter({ capacity: 10, refillPerSecond: 10 });
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const owner = 'createRateLimiter';
  const o = objectOption(owner, options);
  const capacity = numberOption(owner, 'capacity', o.capacity ?? Number.NaN, 0, 0, true);
  const refillPerSecond = numberOption(owner, 'refillPerSecond', o.refillPerSecond ?? Number.NaN, 0, 0, true);
  const whenEmpty = oneOf(owner, 'whenEmpty', o.whenEmpty, ['wait', 'reject'], 'wait');
  const maxWaitMs = numberOption(owner, 'maxWaitMs', o.maxWaitMs, 30_000);
  const maxKeys = intOption(owner, 'maxKeys', o.maxKeys, 10_000);
  const now = functionOption<() => number>(owner, 'now', o.now) ?? Date.now;
  const buckets = new Map<string, Bucket>();

  const bucketFor = (key: string | undefined): Bucket => {
    if (key !== undefined && (typeof key !== 'string' || key === '')) {
      throw new IntegrationError('invalid_input', 'rate limiter key must be a non-empty string', { details: { field: 'key' } });
    }
    const id = key ?? SHARED;
    const t = now();
    let bucket = buckets.get(id);
    if (bucket) {
      buckets.delete(id); // re-insert: Map order is our LRU order
      bucket.tokens = Math.min(capacity, bucket.tokens + ((t - bucket.updatedAt) / 1000) * refillPerSecond);
      bucket.updatedAt = t;
    } else {
      bucket = { tokens: capacity, updatedAt: t };
      if (buckets.size >= maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
    }
    buckets.set(id, bucket);
    return bucket;
  };

  const cost = (tokens: unknown): number => {
    if (tokens === undefined) return 1;
    if (typeof tokens !== 'number' || !Number.isFinite(tokens) || tokens <= 0 || tokens > capacity) {
      throw new IntegrationError('invalid_input', `tokens must be a number in (0, capacity=${capacity}]`, { details: { field: 'tokens' } });
    }
    return tokens;
  };

  const acquire = async (key?: string, opts: AcquireOptions = {}): Promise<void> => {
    const n = cost(opts.tokens);
    const signal = signalOption('acquire', opts.signal);
    if (signal?.aborted) throw abortReason(signal);
    const bucket = bucketFor(key);
    if (bucket.tokens >= n) {
      bucket.tokens -= n;
      return;
    }
    // Tokens may go negative: that is the queue of reservations ahead of the next caller.
    const waitMs = Math.ceil(((n - bucket.tokens) / refillPerSecond) * 1000);
    if (whenEmpty === 'reject' || waitMs > maxWaitMs) {
      throw new IntegrationError('rate_limited', `rate limit reached${key === undefined ? '' : ' for this key'}; retry in ${waitMs} ms`, {
        retryable: true,
        retryAfterMs: waitMs,
      });
    }
    bucket.tokens -= n;
    try {
      await sleep(waitMs, signal);
    } catch (error) {
      bucket.tokens += n; // give the reservation back
      throw error;
    }
  };

  return {
    acquire,
    tryAcquire(key, tokens) {
      const n = cost(tokens);
      const bucket = bucketFor(key);
      if (bucket.tokens < n) return false;
      bucket.tokens -= n;
      return true;
    },
    async schedule(fn, key, opts) {
      if (typeof fn !== 'function') {
        throw new IntegrationError('invalid_input', 'schedule: fn must be a function', { details: { field: 'fn' } });
      }
      await acquire(key, opts);
      return fn();
    },
  };
}
