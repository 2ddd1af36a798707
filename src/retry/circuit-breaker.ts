/**
 * A circuit breaker in the shape of cockatiel's: closed → (too many failures) → open → (after
 * `halfOpenAfterMs`) half-open, where one probe call decides between closed and open again.
 * While open, calls fail at once with a retryable `unavailable` carrying `retryAfterMs`, so a
 * `retry` around the breaker waits for the half-open moment instead of hammering.
 *
 * The state lives in this process. That is deliberate: a breaker protects this process's callers
 * from a dependency that is down, and reacts faster with local state than through a store.
 */
import { IntegrationError } from '../core/errors.js';
import { classifyError } from './classify.js';
import { functionOption, intOption, numberOption, objectOption } from './validate.js';

/** `closed`: calls pass; `open`: calls fail at once; `half-open`: one probe decides. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** When the breaker opens: after N consecutive failures, or a failure ratio over a sliding window. */
export type BreakerStrategy =
  /** Open after `threshold` failures in a row. */
  | { kind: 'consecutive'; threshold: number }
  /**
   * Open when, over the last `windowMs`, at least `minimumCalls` calls were made and the share
   * that failed is ≥ `failureRatio` (0–1). The window is kept in `buckets` slices (default 10).
   */
  | { kind: 'sampling'; windowMs: number; failureRatio: number; minimumCalls?: number; buckets?: number };

/** Options of `createCircuitBreaker`. */
export interface CircuitBreakerOptions {
  strategy: BreakerStrategy;
  /** How long to stay open before letting a probe through, ms. Default 30,000. */
  halfOpenAfterMs?: number;
  /**
   * Which errors count against the dependency. Default: the ones `classifyError` calls retryable
   * (timeouts, resets, 429, 5xx); a 400 or 404 is the caller's problem and leaves the breaker alone.
   */
  isFailure?: (error: unknown) => boolean;
  /** Called on every transition (for logs and metrics). */
  onStateChange?: (state: CircuitState) => void;
  /** Name used in errors (`circuit "stripe" is open`). */
  name?: string;
  /** Clock, epoch milliseconds (like `Date.now`); inject one in tests. */
  now?: () => number;
}

/** A circuit breaker around calls to one dependency. */
export interface CircuitBreaker {
  /** Run `fn` through the breaker; throws a retryable `unavailable` without calling it while open. */
  execute<T>(fn: () => Promise<T>): Promise<T>;
  readonly state: CircuitState;
  /** Back to closed with a clean slate (an operator's override). */
  reset(): void;
}

interface Bucket {
  start: number;
  calls: number;
  failures: number;
}

/**
 * Create a circuit breaker that fails fast with a retryable `unavailable` while a dependency is down.
 *
 * @example
 * const breaker = createCircuitBreaker({ strategy: { kind: 'consecutive', threshold: 5 }, halfOpenAfterMs: 30_000 });
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const owner = 'createCircuitBreaker';
  const o = objectOption(owner, options);
  const strategy = validateStrategy(o.strategy);
  const halfOpenAfterMs = numberOption(owner, 'halfOpenAfterMs', o.halfOpenAfterMs, 30_000, 0, true);
  const isFailure = functionOption<(error: unknown) => boolean>(owner, 'isFailure', o.isFailure) ?? ((e) => classifyError(e).retryable);
  const onStateChange = functionOption<(state: CircuitState) => void>(owner, 'onStateChange', o.onStateChange);
  const now = functionOption<() => number>(owner, 'now', o.now) ?? Date.now;
  if (o.name !== undefined && typeof o.name !== 'string') {
    throw new IntegrationError('invalid_config', `${owner}: name must be a string`, { details: { field: 'name' } });
  }
  const label = o.name ? `circuit "${o.name}"` : 'circuit';

  let state: CircuitState = 'closed';
  let openedAt = 0;
  let probing = false;
  let consecutive = 0;
  let buckets: Bucket[] = [];

  const transition = (next: CircuitState) => {
    if (state === next) return;
    state = next;
    if (next === 'open') openedAt = now();
    if (next === 'closed') {
      consecutive = 0;
      buckets = [];
    }
    onStateChange?.(next);
  };

  const record = (failed: boolean) => {
    if (strategy.kind === 'consecutive') {
      consecutive = failed ? consecutive + 1 : 0;
      return consecutive >= strategy.threshold;
    }
    const t = now();
    const width = strategy.windowMs / strategy.buckets;
    buckets = buckets.filter((b) => b.start > t - strategy.windowMs);
    let current = buckets[buckets.length - 1];
    if (!current || current.start + width <= t) {
      current = { start: t, calls: 0, failures: 0 };
      buckets.push(current);
    }
    current.calls++;
    if (failed) current.failures++;
    let calls = 0;
    let failures = 0;
    for (const b of buckets) {
      calls += b.calls;
      failures += b.failures;
    }
    return calls >= strategy.minimumCalls && failures / calls >= strategy.failureRatio;
  };

  const openError = (): IntegrationError =>
    new IntegrationError('unavailable', `${label} is open: calls are failing fast`, {
      retryable: true,
      retryAfterMs: Math.max(0, openedAt + halfOpenAfterMs - now()),
      details: { circuit: state },
    });

  return {
    get state() {
      if (state === 'open' && now() - openedAt >= halfOpenAfterMs) return 'half-open';
      return state;
    },
    reset() {
      probing = false;
      transition('closed');
    },
    async execute<T>(fn: () => Promise<T>): Promise<T> {
      if (typeof fn !== 'function') {
        throw new IntegrationError('invalid_input', 'execute: fn must be a function', { details: { field: 'fn' } });
      }
      if (state === 'open') {
        if (now() - openedAt < halfOpenAfterMs) throw openError();
        transition('half-open');
      }
      const isProbe = state === 'half-open';
      if (isProbe) {
        // One probe at a time: the others fail fast until it reports back.
        if (probing) throw openError();
        probing = true;
      }
      try {
        const value = await fn();
        if (isProbe) {
          probing = false;
          transition('closed');
        } else record(false);
        return value;
      } catch (error) {
        const failed = isFailure(error);
        if (isProbe) {
          probing = false;
          transition(failed ? 'open' : 'closed');
        } else if (record(failed) && state === 'closed') transition('open');
        throw error;
      }
    },
  };
}

type ResolvedStrategy =
  | { kind: 'consecutive'; threshold: number }
  | { kind: 'sampling'; windowMs: number; failureRatio: number; minimumCalls: number; buckets: number };

function validateStrategy(value: unknown): ResolvedStrategy {
  const owner = 'createCircuitBreaker';
  if (typeof value !== 'object' || value === null) {
    throw new IntegrationError('invalid_config', `${owner}: strategy must be { kind: 'consecutive' | 'sampling', … }`, {
      details: { field: 'strategy' },
    });
  }
  const s = value as Record<string, unknown>;
  if (s.kind === 'consecutive')
    return { kind: 'consecutive', threshold: intOption(owner, 'strategy.threshold', s.threshold ?? Number.NaN, 1) };
  if (s.kind === 'sampling') {
    const failureRatio = numberOption(owner, 'strategy.failureRatio', s.failureRatio ?? Number.NaN, 0, 0, true);
    if (failureRatio > 1) {
      throw new IntegrationError('invalid_config', `${owner}: strategy.failureRatio must be in (0, 1]`, {
        details: { field: 'strategy.failureRatio' },
      });
    }
    return {
      kind: 'sampling',
      windowMs: numberOption(owner, 'strategy.windowMs', s.windowMs ?? Number.NaN, 0, 0, true),
      failureRatio,
      minimumCalls: intOption(owner, 'strategy.minimumCalls', s.minimumCalls, 10),
      buckets: intOption(owner, 'strategy.buckets', s.buckets, 10),
    };
  }
  throw new IntegrationError('invalid_config', `${owner}: strategy.kind must be 'consecutive' or 'sampling'`, {
    details: { field: 'strategy.kind' },
  });
}
