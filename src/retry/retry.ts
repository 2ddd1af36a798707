/**
 * `retry(fn, policy)`: exponential backoff with jitter, a floor from the provider's `Retry-After`,
 * a total time budget, per-attempt timeouts and cancellation. Written here rather than on p-retry
 * (see docs/decisions.md): the budget, the Retry-After floor and the mutation rule need the loop itself.
 */
import { IntegrationError } from '../core/errors.js';
import { backoffDelay, type Jitter } from './backoff.js';
import { type Classification, classifyError } from './classify.js';
import { abortReason, sleep } from './sleep.js';
import { functionOption, intOption, numberOption, objectOption, oneOf, optionalNumber, signalOption } from './validate.js';

/** What `onRetry` is told before each wait. */
export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** What that attempt threw. */
  error: unknown;
  /** Why it is retried: `retryable` and the provider's `retryAfterMs`, if any. */
  classification: Classification;
  /** How long we wait before the next attempt. */
  delayMs: number;
  /** Time since `retry` started, before the wait. */
  elapsedMs: number;
}

/** The second argument of the function `retry` runs. */
export interface AttemptContext {
  /** This attempt, 1-based. */
  attempt: number;
  /** Aborts when this attempt times out or the caller's signal aborts: pass it to `fetch`. */
  signal: AbortSignal;
}

/** How `retry` retries: attempts, backoff, time budget, timeouts, cancellation and the mutation rule. */
export interface RetryPolicy {
  /** Total attempts including the first. Default 4. `1` disables retries. */
  maxAttempts?: number;
  /** Base of the exponential backoff, ms. Default 250. */
  baseDelayMs?: number;
  /** Cap of any single backoff delay, ms. Default 20,000. */
  maxDelayMs?: number;
  /** Total budget from the first attempt until giving up, waits and attempts included, ms. Default 60,000. */
  maxElapsedMs?: number;
  /** `full` (default), `decorrelated` or `none`. See backoff.ts for the formulas. */
  jitter?: Jitter;
  /** Abort an attempt that takes longer than this, ms (and counts as a retryable `timeout`). Default: none, only the budget. */
  attemptTimeoutMs?: number;
  /**
   * The longest `Retry-After` we honour, ms. Default 60,000. A provider asking for longer makes
   * `retry` give up with that error (it carries `retryAfterMs`), rather than retry too early.
   */
  maxRetryAfterMs?: number;
  /** Cancels waiting and the running attempt; `retry` rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called before each wait; awaited. An error thrown here stops the retries and propagates. */
  onRetry?: (event: RetryEvent) => void | Promise<void>;
  /**
   * The call changes state on the other side (POST, PATCH, DELETE, sending a message). A mutation
   * is retried only when it carries `idempotencyKey`, or when the request provably never left
   * (connection refused, DNS failure). Default false.
   */
  mutation?: boolean;
  /** The idempotency key the mutation sends to the provider (Stripe `Idempotency-Key`, Graph `transactionId`, …). */
  idempotencyKey?: string;
  /** Replace the classification (defaults to `classifyError`). */
  classify?: (error: unknown) => Classification;
  /** Last word on whether to retry a failure the classification called retryable. */
  shouldRetry?: (error: unknown, classification: Classification, attempt: number) => boolean;
  /** Uniform random in [0, 1) for jitter; inject for deterministic tests. Default Math.random. */
  random?: () => number;
  /** Clock in epoch ms. Default Date.now. */
  now?: () => number;
}

/** The defaults of `RetryPolicy`: 4 attempts, 250 ms base, 20 s cap, 60 s budget, full jitter. */
export const RETRY_DEFAULTS = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
  maxElapsedMs: 60_000,
  jitter: 'full' as Jitter,
  maxRetryAfterMs: 60_000,
} as const;

/** A `RetryPolicy` validated and with every default filled in, as `resolveRetryPolicy` returns it. */
export interface ResolvedRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxElapsedMs: number;
  jitter: Jitter;
  attemptTimeoutMs: number | undefined;
  maxRetryAfterMs: number;
  signal: AbortSignal | undefined;
  /** As in `RetryPolicy`. */
  onRetry: RetryPolicy['onRetry'];
  mutation: boolean;
  idempotencyKey: string | undefined;
  /** How an error is classified (retryable or not, and its delay hint): `classifyError` unless the policy gave its own. */
  classify: (error: unknown) => Classification;
  /** As in `RetryPolicy`. */
  shouldRetry: RetryPolicy['shouldRetry'];
  /** Source of jitter in [0, 1): `Math.random` unless injected. */
  random: () => number;
  /** Clock in epoch milliseconds: `Date.now` unless injected. */
  now: () => number;
}

/**
 * Validate a policy and fill in the defaults; every bad knob is `invalid_config` naming the field.
 *
 * @example
 * const policy = resolveRetryPolicy({ maxAttempts: 6 }); // check a policy from config at startup
 * policy.baseDelayMs; // 250
 */
export function resolveRetryPolicy(policy: RetryPolicy | undefined): ResolvedRetryPolicy {
  const o = objectOption('retry', policy);
  const owner = 'retry';
  const maxDelayMs = numberOption(owner, 'maxDelayMs', o.maxDelayMs, RETRY_DEFAULTS.maxDelayMs);
  const baseDelayMs = numberOption(owner, 'baseDelayMs', o.baseDelayMs, Math.min(RETRY_DEFAULTS.baseDelayMs, maxDelayMs));
  if (baseDelayMs > maxDelayMs) {
    throw new IntegrationError('invalid_config', `retry: baseDelayMs (${baseDelayMs}) must not exceed maxDelayMs (${maxDelayMs})`, {
      details: { field: 'baseDelayMs' },
    });
  }
  const mutation = o.mutation ?? false;
  if (typeof mutation !== 'boolean') {
    throw new IntegrationError('invalid_config', 'retry: mutation must be a boolean', { details: { field: 'mutation' } });
  }
  const idempotencyKey = o.idempotencyKey;
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.trim() === '')) {
    throw new IntegrationError('invalid_config', 'retry: idempotencyKey must be a non-empty string', {
      details: { field: 'idempotencyKey' },
    });
  }
  const now = functionOption<() => number>(owner, 'now', o.now) ?? Date.now;
  return {
    maxAttempts: intOption(owner, 'maxAttempts', o.maxAttempts, RETRY_DEFAULTS.maxAttempts),
    baseDelayMs,
    maxDelayMs,
    maxElapsedMs: numberOption(owner, 'maxElapsedMs', o.maxElapsedMs, RETRY_DEFAULTS.maxElapsedMs, 0, true),
    jitter: oneOf(owner, 'jitter', o.jitter, ['full', 'decorrelated', 'none'], RETRY_DEFAULTS.jitter),
    attemptTimeoutMs: optionalNumber(owner, 'attemptTimeoutMs', o.attemptTimeoutMs, 0, true),
    maxRetryAfterMs: numberOption(owner, 'maxRetryAfterMs', o.maxRetryAfterMs, RETRY_DEFAULTS.maxRetryAfterMs),
    signal: signalOption(owner, o.signal),
    onRetry: functionOption(owner, 'onRetry', o.onRetry),
    mutation,
    idempotencyKey: idempotencyKey as string | undefined,
    classify: functionOption<(error: unknown) => Classification>(owner, 'classify', o.classify) ?? ((error) => classifyError(error, now)),
    shouldRetry: functionOption(owner, 'shouldRetry', o.shouldRetry),
    random: functionOption<() => number>(owner, 'random', o.random) ?? Math.random,
    now,
  };
}

/**
 * Run `fn` until it succeeds, a failure is not worth retrying, `maxAttempts` is reached, or the
 * next wait would overrun `maxElapsedMs`. Rejects with the last error, unchanged (an attempt that
 * timed out rejects with an `IntegrationError` `timeout`).
 *
 * @example
 * const calendars = await retry(
 *   async (attempt, { signal }) => {
 *     const response = await fetch(url, { signal });
 *     if (!response.ok) throw await errorFromResponse(response, { provider: 'google' });
 *     return response.json();
 *   },
 *   { maxAttempts: 5, attemptTimeoutMs: 10_000 },
 * );
 */
export async function retry<T>(fn: (attempt: number, context: AttemptContext) => Promise<T>, policy?: RetryPolicy): Promise<T> {
  if (typeof fn !== 'function') {
    throw new IntegrationError('invalid_input', 'retry: fn must be a function', { details: { field: 'fn' } });
  }
  const p = resolveRetryPolicy(policy);
  const start = p.now();
  let previousDelay = p.baseDelayMs;
  for (let attempt = 1; ; attempt++) {
    if (p.signal?.aborted) throw abortReason(p.signal);
    const remaining = p.maxElapsedMs - (p.now() - start);
    try {
      return await runAttempt(fn, attempt, Math.min(p.attemptTimeoutMs ?? Number.POSITIVE_INFINITY, remaining), p.signal);
    } catch (error) {
      if (p.signal?.aborted) throw abortReason(p.signal);
      if (attempt >= p.maxAttempts) throw error;
      const classification = p.classify(error);
      if (!classification.retryable) throw error;
      // A mutation without an idempotency key may already have happened on the other side.
      if (p.mutation && p.idempotencyKey === undefined && !classification.notDelivered) throw error;
      if (p.shouldRetry && !p.shouldRetry(error, classification, attempt)) throw error;

      let delay = backoffDelay(attempt, previousDelay, p);
      previousDelay = delay;
      if (classification.retryAfterMs !== undefined) {
        // Retrying before the provider said is pointless (and can extend a ban); waiting longer
        // than we allow is the caller's call, so hand back the error with its retryAfterMs.
        if (classification.retryAfterMs > p.maxRetryAfterMs) throw error;
        delay = Math.max(delay, classification.retryAfterMs);
      }
      const elapsedMs = p.now() - start;
      // Waiting past the budget, or leaving no time to try, would only fail later; fail now.
      if (elapsedMs + delay >= p.maxElapsedMs) throw error;
      await p.onRetry?.({ attempt, error, classification, delayMs: delay, elapsedMs });
      await sleep(delay, p.signal);
    }
  }
}

/** One attempt, bounded by `timeoutMs` and linked to the caller's signal. */
function runAttempt<T>(
  fn: (attempt: number, context: AttemptContext) => Promise<T>,
  attempt: number,
  timeoutMs: number,
  outer: AbortSignal | undefined,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = () => {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      settle();
      const reason = abortReason(outer as AbortSignal);
      controller.abort(reason);
      reject(reason);
    };
    if (Number.isFinite(timeoutMs)) {
      const ms = Math.max(0, timeoutMs);
      timer = setTimeout(() => {
        settle();
        const error = new IntegrationError('timeout', `attempt ${attempt} timed out after ${Math.round(ms)} ms`, {
          details: { attempt, timeoutMs: Math.round(ms) },
        });
        controller.abort(error);
        reject(error);
      }, ms);
    }
    outer?.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(fn(attempt, { attempt, signal: controller.signal }));
    } catch (error) {
      // A synchronous throw is a failed attempt like any other.
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error) => {
        settle();
        reject(error);
      },
    );
  });
}
