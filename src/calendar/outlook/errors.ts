/**
 * GraphError → `IntegrationError`. Graph throttles with 429, 503 and 504 carrying `Retry-After`;
 * an expired delta token is 410 (`SyncStateNotFound`, older tenants `syncStateNotFound` or
 * `resyncRequired`) → `sync_token_expired`; `If-Match` failures are 412.
 */
import { type ErrorCode, IntegrationError, isIntegrationError } from '../../core/errors.js';
import { classifyError } from '../../retry/index.js';

const EXPIRED_CODES: ReadonlySet<string> = new Set(['syncstatenotfound', 'syncstateinvalid', 'resyncrequired']);

/**
 * Map a Microsoft Graph client error (GraphError) to an `IntegrationError`: 410 `SyncStateNotFound`
 * is `sync_token_expired`, 429/503/504 are retryable with `Retry-After`, 412 is `precondition_failed`.
 *
 * @example
 * try {
 *   await client.api(deltaLink).get();
 * } catch (error) {
 *   throw mapGraphError(error, 'calendarView.delta');
 * }
 */
export function mapGraphError(error: unknown, operation: string): IntegrationError {
  if (isIntegrationError(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: number; status?: number; code?: unknown };
  const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
  const graphCode = typeof e.code === 'string' ? e.code : undefined;
  const classification = classifyError(error);
  let code: ErrorCode;
  if (status === 410 || (graphCode && EXPIRED_CODES.has(graphCode.toLowerCase())))
    code = operation === 'calendarView.delta' ? 'sync_token_expired' : 'not_found';
  else if (status === undefined) code = 'unavailable';
  else if (status === 400) code = 'invalid_input';
  else if (status === 401) code = 'authentication';
  else if (status === 403) code = 'permission';
  else if (status === 404) code = 'not_found';
  else if (status === 409) code = 'conflict';
  else if (status === 412) code = 'precondition_failed';
  else if (status === 429) code = 'rate_limited';
  else if (status === 504 || status === 408) code = 'timeout';
  else if (status >= 500) code = 'unavailable';
  else code = 'provider_error';
  const retryable = code === 'sync_token_expired' ? false : classification.retryable;
  return new IntegrationError(code, `graph ${operation} failed${status ? ` with ${status}` : ''}${graphCode ? ` (${graphCode})` : ''}`, {
    provider: 'outlook',
    retryable,
    ...(status !== undefined ? { status } : {}),
    ...(classification.retryAfterMs !== undefined ? { retryAfterMs: classification.retryAfterMs } : {}),
    cause: error,
    ...(graphCode ? { details: { reason: graphCode } } : {}),
  });
}
