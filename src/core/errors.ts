/**
 * The one error class of switchyard. Every adapter and helper maps whatever went wrong
 * (a provider's HTTP error, a bad option, a forged webhook) to an `IntegrationError` with a
 * `code` from a closed union, so host code can `switch` on it exhaustively.
 */
import {
  ERROR_CODES,
  type ErrorCode,
  IntegrationErrorBase,
  type IntegrationErrorJSON,
  type IntegrationErrorOptions,
  isIntegrationError as isIntegrationErrorBase,
  isRetryableCode,
} from './error-base.js';
import { redact, redactString } from './redact.js';

export { ERROR_CODES, type ErrorCode, type IntegrationErrorJSON, type IntegrationErrorOptions, isRetryableCode };

/**
 * The error every switchyard adapter and helper throws: a `code` from {@link ERROR_CODES}, whether
 * it is worth retrying, and the provider, HTTP status and `Retry-After` when there was one.
 *
 * Its message and `details` are redacted when it is built (a secret pasted into the wrong option
 * never reaches `err.message`, the stack, `console.log(err)` or `JSON.stringify(err)`), and
 * `toJSON()` never includes `cause`. `instanceof IntegrationError` is also true for the webhook
 * verifiers' `WebhookVerificationError`, which is built without the redactor (its messages are
 * fixed text: see docs/decisions.md).
 *
 * @example
 * throw new IntegrationError('invalid_config', 'apiKey must be a Stripe secret key (sk_…)', {
 *   provider: 'stripe',
 *   details: { field: 'apiKey' },
 * });
 *
 * @example
 * try {
 *   await calendar.createEvent(input);
 * } catch (error) {
 *   if (error instanceof IntegrationError && error.code === 'rate_limited') await sleep(error.retryAfterMs ?? 1000);
 *   else throw error;
 * }
 */
export class IntegrationError extends IntegrationErrorBase {
  constructor(code: ErrorCode, message: string, options: IntegrationErrorOptions = {}) {
    // Messages are built by us, but may quote user input: redact defensively so a secret pasted
    // into the wrong option never ends up in a log line through `err.message` (or the stack,
    // which is computed from the message we pass up). `details` is redacted here too, not only in
    // toJSON(), because util.inspect / console.log print own properties as they are.
    super(
      code,
      redactString(message),
      options.details === undefined ? options : { ...options, details: redact(options.details) as Record<string, unknown> },
    );
  }

  /**
   * `error instanceof IntegrationError` holds for every switchyard error, including those built
   * from the redactor-free base (webhook verification errors). Subclasses keep the ordinary check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` asked about, a subclass included.
    return this === IntegrationError ? value instanceof IntegrationErrorBase : Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * Whether `value` is an `IntegrationError`, also when it comes from another copy of the module
 * (ESM and CJS builds loaded side by side), where `instanceof` cannot see it.
 *
 * @example
 * try {
 *   await payments.refund(input);
 * } catch (error) {
 *   if (isIntegrationError(error) && error.retryable) await queue.retryLater(input);
 *   else throw error;
 * }
 */
export function isIntegrationError(value: unknown): value is IntegrationError {
  return isIntegrationErrorBase(value);
}
