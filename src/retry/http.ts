/**
 * Turning a fetch `Response` that is not ok into an `IntegrationError`, with the retry facts
 * (`retryable`, `retryAfterMs`) already decided, so `retry` and host code see one error shape.
 */
import { type ErrorCode, IntegrationError } from '../core/errors.js';
import { classifyError, GOOGLE_RETRYABLE_REASONS, googleReasons } from './classify.js';

/** The parts of a Fetch `Response` (or a similar object) that `errorFromResponse` reads. */
export interface ResponseLike {
  status: number;
  headers:
    | Headers
    | {
        /** A header's value by name (case-insensitive), or `null`. */
        get(name: string): string | null;
      };
  /** Read to find Google's error reasons (`rateLimitExceeded` …); never copied into messages. */
  text?: () => Promise<string>;
}

function codeFor(status: number, googleRateLimited: boolean): ErrorCode {
  if (googleRateLimited || status === 429) return 'rate_limited';
  switch (status) {
    case 400:
    case 422:
      return 'invalid_input';
    case 401:
      return 'authentication';
    case 403:
      return 'permission';
    case 404:
    case 410:
      return 'not_found';
    case 408:
    case 504:
      return 'timeout';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition_failed';
    case 502:
    case 503:
      return 'unavailable';
    default:
      return 'provider_error';
  }
}

/**
 * An `IntegrationError` for a failed HTTP response. Reads the body only to find Google's error
 * reasons (a malformed or empty body is fine); the message holds the status, never the body.
 *
 * @example
 * const response = await fetch(url);
 * if (!response.ok) throw await errorFromResponse(response, { provider: 'sendgrid' }); // 429 → rate_limited, retryAfterMs
 */
export async function errorFromResponse(
  response: ResponseLike,
  options: { provider?: string; now?: () => number } = {},
): Promise<IntegrationError> {
  if (typeof response !== 'object' || response === null || typeof response.status !== 'number') {
    throw new IntegrationError('invalid_input', 'errorFromResponse: expected a fetch Response', { details: { field: 'response' } });
  }
  let body: unknown;
  if (response.status === 403 && typeof response.text === 'function') {
    body = await response.text().catch(() => undefined);
  }
  const reasons = body === undefined ? [] : googleReasons({ body });
  const googleRateLimited = reasons.some((r) => GOOGLE_RETRYABLE_REASONS.has(r));
  const classification = classifyError({ status: response.status, headers: response.headers, body }, options.now);
  const errorOptions: ConstructorParameters<typeof IntegrationError>[2] = {
    retryable: classification.retryable,
    status: response.status,
  };
  if (options.provider !== undefined) errorOptions.provider = options.provider;
  if (classification.retryAfterMs !== undefined) errorOptions.retryAfterMs = classification.retryAfterMs;
  if (reasons.length > 0) errorOptions.details = { reason: reasons[0] };
  const who = options.provider ? `${options.provider} ` : '';
  return new IntegrationError(codeFor(response.status, googleRateLimited), `${who}answered HTTP ${response.status}`, errorOptions);
}
