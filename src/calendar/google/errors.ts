/**
 * gaxios errors → `IntegrationError`. Quota errors are 403 with reason `rateLimitExceeded` or
 * `userRateLimitExceeded` (not only 429), and 410 means two different things: an expired sync
 * token (`fullSyncRequired`, on events.list) or an event already deleted.
 */
import { type ErrorCode, IntegrationError, isIntegrationError } from '../../core/errors.js';
import { classifyError, GOOGLE_RETRYABLE_REASONS, googleReasons } from '../../retry/index.js';

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { status?: unknown; response?: { status?: unknown } };
  const s = typeof e.status === 'number' ? e.status : e.response?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * Map an error of the Google client (gaxios) to an `IntegrationError`: 410 on `events.list` is
 * `sync_token_expired`, quota 403s and 429 are retryable `rate_limited`; the message never quotes
 * the request URL.
 *
 * @example
 * try {
 *   await api.events.list({ calendarId: 'primary', syncToken });
 * } catch (error) {
 *   throw mapGoogleError(error, 'events.list');
 * }
 */
export function mapGoogleError(error: unknown, operation: string): IntegrationError {
  if (isIntegrationError(error)) return error;
  const status = statusOf(error);
  const reasons = googleReasons(error);
  const classification = classifyError(error);
  const reason = reasons[0];
  let code: ErrorCode;
  if (status === 410 && operation === 'events.list') code = 'sync_token_expired';
  else if (status === 403 && reasons.some((r) => GOOGLE_RETRYABLE_REASONS.has(r))) code = 'rate_limited';
  else if (status === undefined)
    code = classification.reason.includes('timeout') || classification.reason.includes('ETIMEDOUT') ? 'timeout' : 'unavailable';
  else if (status === 400) code = 'invalid_input';
  else if (status === 401) code = 'authentication';
  else if (status === 403) code = 'permission';
  else if (status === 404 || status === 410) code = 'not_found';
  else if (status === 409) code = 'conflict';
  else if (status === 412) code = 'precondition_failed';
  else if (status === 429) code = 'rate_limited';
  else if (status === 408 || status === 504) code = 'timeout';
  else if (status >= 500) code = 'unavailable';
  else code = 'provider_error';
  const retryable = code === 'sync_token_expired' ? false : classification.retryable;
  // The message names the operation and Google's reason only: gaxios messages can quote URLs with tokens.
  return new IntegrationError(code, `google ${operation} failed${status ? ` with ${status}` : ''}${reason ? ` (${reason})` : ''}`, {
    provider: 'google',
    retryable,
    ...(status !== undefined ? { status } : {}),
    ...(classification.retryAfterMs !== undefined ? { retryAfterMs: classification.retryAfterMs } : {}),
    cause: error,
    ...(reason ? { details: { reason } } : {}),
  });
}
