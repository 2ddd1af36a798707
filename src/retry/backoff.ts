/**
 * Backoff delays. With n the retry number (1 for the first retry), base b and cap c:
 *
 * - `none`:          min(c, b·2^(n−1))
 * - `full` (default): random(0, min(c, b·2^(n−1)))                      — AWS "full jitter"
 * - `decorrelated`:  min(c, random(b, max(b, 3·previous)))  (previous₀ = b) — AWS "decorrelated jitter"
 *
 * Full jitter spreads a thundering herd best for the least total work (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"). Every result is within [0, c].
 */
/** How backoff delays are randomized; see the formulas above. */
export type Jitter = 'full' | 'decorrelated' | 'none';

/** Inputs of `backoffDelay`: the exponential base and cap, the jitter kind and the random source. */
export interface BackoffOptions {
  /** Delay of the first retry before jitter, ms. */
  baseDelayMs: number;
  /** Cap of any delay, ms. */
  maxDelayMs: number;
  /** `full`, `decorrelated` or `none`. */
  jitter: Jitter;
  /** Uniform in [0, 1), like `Math.random`. Out-of-range values are clamped, never trusted. */
  random: () => number;
}

/**
 * The un-jittered exponential delay ceiling for a retry: `min(maxDelayMs, baseDelayMs · 2^(retry − 1))`.
 *
 * @example
 * exponentialCeiling(3, 250, 20_000); // 1000
 */
export function exponentialCeiling(retry: number, baseDelayMs: number, maxDelayMs: number): number {
  // 2^1024 is Infinity; stop doubling long before that matters.
  const exp = Math.min(Math.max(retry - 1, 0), 1000);
  return Math.min(maxDelayMs, baseDelayMs * 2 ** exp);
}

/**
 * The delay before retry number `retry`, given the delay used before the previous one.
 *
 * @example
 * const delayMs = backoffDelay(2, 250, { baseDelayMs: 250, maxDelayMs: 20_000, jitter: 'full', random: Math.random }); // in [0, 500]
 */
export function backoffDelay(retry: number, previousDelayMs: number, options: BackoffOptions): number {
  const { baseDelayMs: base, maxDelayMs: cap } = options;
  const r = Math.min(Math.max(Number(options.random()) || 0, 0), 1);
  let delay: number;
  switch (options.jitter) {
    case 'none':
      delay = exponentialCeiling(retry, base, cap);
      break;
    case 'full':
      delay = r * exponentialCeiling(retry, base, cap);
      break;
    case 'decorrelated': {
      const previous = retry <= 1 ? base : previousDelayMs;
      const upper = Math.max(base, previous * 3);
      delay = Math.min(cap, base + r * (upper - base));
      break;
    }
  }
  return Math.min(Math.max(delay, 0), cap);
}
