/**
 * Stripe SDK errors → `IntegrationError`. The code says what the host can do about it; `retryable`
 * says whether the same request may be sent again (Stripe's own `Stripe-Should-Retry` verdict wins
 * when it gives one). Messages carry Stripe's explanation (never a key: the constructor redacts)
 * and `details` the codes a host branches on (`declineCode`, `stripeCode`, `requestId`).
 */
import { type ErrorCode, IntegrationError, isIntegrationError } from '../../core/errors.js';

type Bag = Record<string, unknown>;

/** Stripe's 400 codes that mean "not in a state that allows this", not "your parameters are wrong". */
const STATE_CODES: ReadonlySet<string> = new Set([
  'payment_intent_unexpected_state',
  'setup_intent_unexpected_state',
  'charge_already_captured',
  'charge_already_refunded',
  'charge_not_refundable',
  'charge_disputed',
  'resource_already_exists',
]);
const isBag = (v: unknown): v is Bag => typeof v === 'object' && v !== null;

function header(headers: unknown, name: string): string | undefined {
  if (!isBag(headers)) return undefined;
  const v = headers[name] ?? headers[name.toLowerCase()];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

/**
 * Map an error thrown by the Stripe SDK to an `IntegrationError` (code, `retryable`, status,
 * `details.declineCode`); an `IntegrationError` passes through unchanged.
 *
 * @example
 * try {
 *   await stripe.refunds.create({ payment_intent: 'pi_123' });
 * } catch (error) {
 *   throw mapStripeError(error, 'refunds.create');
 * }
 */
export function mapStripeError(error: unknown, operation: string): IntegrationError {
  if (isIntegrationError(error)) return error;
  if (!isBag(error)) return new IntegrationError('provider_error', `stripe ${operation} failed`, { provider: 'stripe', cause: error });
  const rawType = typeof error.rawType === 'string' ? error.rawType : undefined;
  const type = typeof error.type === 'string' ? error.type : undefined;
  const status = typeof error.statusCode === 'number' ? error.statusCode : undefined;
  const stripeCode = typeof error.code === 'string' ? error.code : undefined;
  const declineCode = typeof error.decline_code === 'string' ? error.decline_code : undefined;
  const requestId = typeof error.requestId === 'string' ? error.requestId : undefined;
  const pi = isBag(error.payment_intent) && typeof error.payment_intent.id === 'string' ? error.payment_intent.id : undefined;
  const text = typeof error.message === 'string' ? error.message.slice(0, 300) : '';

  let code: ErrorCode;
  if (rawType === 'card_error' || type === 'StripeCardError') code = 'precondition_failed';
  else if (rawType === 'idempotency_error' || type === 'StripeIdempotencyError') code = 'idempotency_conflict';
  else if (status === 429 || type === 'StripeRateLimitError') code = 'rate_limited';
  else if (status === 401 || type === 'StripeAuthenticationError') code = 'authentication';
  else if (status === 403 || type === 'StripePermissionError') code = 'permission';
  else if (status === 404 || stripeCode === 'resource_missing') code = 'not_found';
  else if (status === 409) code = 'conflict';
  else if (stripeCode && STATE_CODES.has(stripeCode)) code = 'precondition_failed';
  else if (type === 'StripeConnectionError') code = /timed? ?out/i.test(text) ? 'timeout' : 'unavailable';
  else if (rawType === 'api_error' || type === 'StripeAPIError' || (status !== undefined && status >= 500)) code = 'unavailable';
  else if (rawType === 'invalid_request_error' || type === 'StripeInvalidRequestError' || status === 400) code = 'invalid_input';
  else code = 'provider_error';

  const shouldRetry = header(error.headers, 'stripe-should-retry');
  const details: Record<string, unknown> = { operation };
  if (stripeCode) details.stripeCode = stripeCode;
  if (declineCode) details.declineCode = declineCode;
  if (requestId) details.requestId = requestId;
  if (pi) details.paymentId = pi;
  if (typeof error.param === 'string') details.field = error.param;

  return new IntegrationError(code, `stripe ${operation}: ${text || type || 'failed'}`, {
    provider: 'stripe',
    ...(status === undefined ? {} : { status }),
    ...(shouldRetry === 'true' || shouldRetry === 'false' ? { retryable: shouldRetry === 'true' } : {}),
    cause: error,
    details,
  });
}
