/**
 * What is worth retrying. One function looks at whatever a call threw (an `IntegrationError`, a
 * fetch `Response`, a provider SDK error with `status`/`statusCode`/`headers`, a Node or undici
 * network error, an abort or timeout) and says whether a retry can help and how long the provider
 * asked us to wait.
 */
import { isIntegrationError } from '../core/errors.js';
import { headerValue, retryAfterFromHeaders } from './retry-after.js';

/** `classifyError`'s verdict on one failure. */
export interface Classification {
  /** A retry can succeed: the failure is transient on the other side. */
  retryable: boolean;
  /** Short, secret-free explanation: `http 503`, `ECONNRESET`, `google rateLimitExceeded`, … */
  reason: string;
  /** What the provider asked for (`Retry-After` or an `IntegrationError`'s `retryAfterMs`). */
  retryAfterMs?: number;
  /**
   * The request provably never reached the server (connection refused, DNS lookup failed, connect
   * timeout), so even a mutation without an idempotency key can be sent again.
   */
  notDelivered: boolean;
}

/** Statuses that mean "try again later" for every provider we integrate. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Google answers quota exhaustion with 403 and one of these reasons (Calendar API error docs). */
export const GOOGLE_RETRYABLE_REASONS: ReadonlySet<string> = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/** Node and undici error codes of transient network failures. */
const TRANSIENT_NETWORK: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Of those, the ones where no byte of the request reached the server. */
const NOT_DELIVERED: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The messages of fetch's network-failure TypeError in undici, Chromium, Firefox and Safari. */
const FETCH_FAILED =
  /^(fetch failed|Failed to fetch|NetworkError when attempting to fetch resource\.?|Load failed|Network request failed)$/;

type Bag = Record<string, unknown>;
const isObject = (v: unknown): v is Bag => typeof v === 'object' && v !== null;

/**
 * Decide whether an error (fetch `Response`, provider SDK error, network error, `IntegrationError`) is worth retrying, and after how long.
 *
 * @example
 * const { retryable, retryAfterMs } = classifyError(error);
 */
export function classifyError(error: unknown, now: () => number = Date.now): Classification {
  // 1. Stripe's explicit verdict beats everything: it sets `Stripe-Should-Retry: true` on some
  //    409s (lock contention) and `false` on 5xx it knows will fail again.
  const headers = headersOf(error);
  const shouldRetry = headerValue(headers, 'stripe-should-retry');
  const retryAfterMs = headers === undefined ? undefined : retryAfterFromHeaders(headers, now);
  const withDelay = (c: Classification): Classification => {
    const after = c.retryAfterMs ?? retryAfterMs;
    return after === undefined ? c : { ...c, retryAfterMs: after };
  };
  if (shouldRetry === 'true' || shouldRetry === 'false') {
    return withDelay({ retryable: shouldRetry === 'true', reason: `stripe-should-retry: ${shouldRetry}`, notDelivered: false });
  }

  // 2. Our own errors already carry the adapter's verdict.
  if (isIntegrationError(error)) {
    const c: Classification = { retryable: error.retryable, reason: error.code, notDelivered: false };
    if (error.retryAfterMs !== undefined) c.retryAfterMs = error.retryAfterMs;
    return withDelay(c);
  }

  // 3. An HTTP answer: a fetch Response, or an SDK error carrying the status.
  const status = statusOf(error);
  if (status !== undefined) {
    if (status === 403) {
      const reason = googleReasons(error).find((r) => GOOGLE_RETRYABLE_REASONS.has(r));
      if (reason) return withDelay({ retryable: true, reason: `google ${reason}`, notDelivered: false });
    }
    return withDelay({ retryable: RETRYABLE_STATUSES.has(status), reason: `http ${status}`, notDelivered: false });
  }

  // 4. Timeouts and aborts. A TimeoutError (AbortSignal.timeout) is transient; a bare AbortError
  //    is somebody cancelling on purpose, so never retried.
  const name = isObject(error) ? error.name : undefined;
  if (name === 'TimeoutError') return { retryable: true, reason: 'timeout', notDelivered: false };
  if (name === 'AbortError') return { retryable: false, reason: 'aborted', notDelivered: false };

  // 5. Network failures, looked up along the `cause` chain (fetch wraps undici's error in a
  //    TypeError('fetch failed')).
  const code = networkCode(error);
  if (code) return { retryable: true, reason: code, notDelivered: NOT_DELIVERED.has(code) };
  // A fetch that failed below HTTP without telling us why (browsers, Workers, msw's
  // `HttpResponse.error()`): the connection broke somewhere, and the request may have arrived.
  if (error instanceof TypeError && FETCH_FAILED.test(error.message))
    return { retryable: true, reason: 'network error', notDelivered: false };
  // gaxios (googleapis) and node-fetch wrap a broken connection in a FetchError without a code.
  if (name === 'FetchError' || (name === 'GaxiosError' && statusOf(error) === undefined))
    return { retryable: true, reason: 'network error', notDelivered: false };

  return { retryable: false, reason: name ? String(name) : 'unknown error', notDelivered: false };
}

function statusOf(error: unknown): number | undefined {
  if (!isObject(error)) return undefined;
  for (const candidate of [error.status, error.statusCode, isObject(error.response) ? error.response.status : undefined]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100 && candidate <= 599) return candidate;
  }
  return undefined;
}

function headersOf(error: unknown): unknown {
  if (!isObject(error)) return undefined;
  if (isObject(error.headers)) return error.headers;
  if (isObject(error.response) && isObject(error.response.headers)) return error.response.headers;
  if (isObject(error.raw) && isObject(error.raw.headers)) return error.raw.headers; // Stripe SDK errors
  return undefined;
}

/**
 * Google's error reasons, wherever the caller's error keeps them: gaxios puts the body under
 * `response.data`, and also exposes `errors`; our adapters put it in `details.reason`.
 *
 * @example
 * googleReasons(error).includes('rateLimitExceeded'); // a 403 that is worth retrying
 */
export function googleReasons(error: unknown): string[] {
  if (!isObject(error)) return [];
  const reasons: string[] = [];
  const collect = (list: unknown) => {
    if (Array.isArray(list)) for (const item of list) if (isObject(item) && typeof item.reason === 'string') reasons.push(item.reason);
  };
  const fromBody = (body: unknown) => {
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        return;
      }
    }
    if (!isObject(body) || !isObject(body.error)) return;
    collect(body.error.errors);
    const details = body.error.details;
    if (Array.isArray(details)) for (const d of details) if (isObject(d) && typeof d.reason === 'string') reasons.push(d.reason);
  };
  if (typeof error.reason === 'string') reasons.push(error.reason);
  if (isObject(error.details) && typeof error.details.reason === 'string') reasons.push(error.details.reason);
  collect(error.errors);
  fromBody(error.body);
  fromBody(error.data);
  if (isObject(error.response)) fromBody(error.response.data);
  return reasons;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && isObject(current); depth++) {
    const code = current.code;
    if (typeof code === 'string' && TRANSIENT_NETWORK.has(code)) return code;
    // AggregateError from happy-eyeballs connects: any transient member counts.
    if (Array.isArray(current.errors)) {
      for (const member of current.errors) {
        const c = isObject(member) ? member.code : undefined;
        if (typeof c === 'string' && TRANSIENT_NETWORK.has(c)) return c;
      }
    }
    current = current.cause;
  }
  return undefined;
}
