/**
 * `switchyard/retry`: retries that honour the provider (backoff with jitter, `Retry-After`,
 * Stripe-Should-Retry, Google's 403 rate limits), per-attempt timeouts, a circuit breaker and a
 * token-bucket rate limiter. Edge-ready: timers and `AbortSignal` only, no `node:` import.
 *
 * @packageDocumentation
 */
export {
  retry,
  resolveRetryPolicy,
  RETRY_DEFAULTS,
  type AttemptContext,
  type RetryEvent,
  type ResolvedRetryPolicy,
  type RetryPolicy,
} from './retry.js';
export { backoffDelay, exponentialCeiling, type BackoffOptions, type Jitter } from './backoff.js';
export { classifyError, googleReasons, GOOGLE_RETRYABLE_REASONS, RETRYABLE_STATUSES, type Classification } from './classify.js';
export { parseRetryAfter, parseHttpDate, retryAfterFromHeaders, headerValue } from './retry-after.js';
export { errorFromResponse, type ResponseLike } from './http.js';
export {
  createCircuitBreaker,
  type BreakerStrategy,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
} from './circuit-breaker.js';
export { createRateLimiter, type AcquireOptions, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { sleep } from './sleep.js';
