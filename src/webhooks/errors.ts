/**
 * `WebhookVerificationError`: the only thing a verifier throws. It is an `IntegrationError`, so a
 * host that already switches on `IntegrationError.code` needs nothing new.
 *
 * Messages say what to fix (which header, which option, what the usual mistake is) and never quote
 * a secret, a signature or the body: they are meant to be logged as they are.
 */
import { IntegrationErrorBase, type IntegrationErrorOptions, isIntegrationError } from '../core/error-base.js';

/**
 * The four codes of the contract, plus two a verifier needs to be honest about whose fault it was:
 * `invalid_config` (our caller passed a secret or key in the wrong format: answer 500, fix the
 * deployment) and `unavailable` (an SNS signing certificate could not be fetched: retryable).
 */
export type WebhookErrorCode =
  | 'signature_invalid'
  | 'timestamp_out_of_tolerance'
  | 'replayed'
  | 'invalid_input'
  | 'invalid_config'
  | 'unavailable';

/**
 * What every verifier throws: an `IntegrationError` (`instanceof IntegrationError` holds) whose
 * `code` says whose fault it was and so which status to answer (see docs/webhooks.md).
 *
 * It is built without the redactor, so that `switchyard/webhooks` stays small: its messages and
 * `details` are fixed text, header and option names and numbers, never a secret, a signature or the
 * body (docs/decisions.md). Do not put secrets in one you construct yourself; use
 * `IntegrationError` for errors of your own.
 *
 * @example
 * try {
 *   const event = await verifyStripeWebhook(raw, { secret });
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError) {
 *     return new Response(error.code === 'invalid_config' ? 'misconfigured' : 'invalid signature', {
 *       status: error.code === 'invalid_config' ? 500 : 400,
 *     });
 *   }
 *   throw error;
 * }
 */
export class WebhookVerificationError extends IntegrationErrorBase {
  override readonly name: string = 'WebhookVerificationError';
  declare readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string, options: IntegrationErrorOptions & { provider: string }) {
    super(code, message, options);
  }
}

/**
 * Type guard for {@link WebhookVerificationError} that also recognises an instance from another
 * copy of the module (ESM and CJS side by side).
 *
 * @example
 * if (isWebhookVerificationError(error) && error.code === 'replayed') return new Response(null, { status: 200 });
 */
export function isWebhookVerificationError(value: unknown): value is WebhookVerificationError {
  return value instanceof WebhookVerificationError || (isIntegrationError(value) && value.name === 'WebhookVerificationError');
}

/** `details` of a verifier's error: the name of the header or option at fault, or a record of facts. */
type Details = string | Record<string, unknown> | undefined;

function failWith(code: WebhookErrorCode) {
  return (provider: string, message: string, details?: Details) =>
    new WebhookVerificationError(code, message, { provider, details: typeof details === 'string' ? { field: details } : details });
}

/**
 * Shorthands so each verifier reads as a list of checks. A string as `details` is
 * `details.field`: the header or option at fault. No `status`: on IntegrationError that is the
 * status a provider answered with, and here no provider answered; docs/webhooks.md maps each code
 * to the status to send back.
 */
export const fail = {
  signature: failWith('signature_invalid'),
  input: failWith('invalid_input'),
  config: failWith('invalid_config'),
  tolerance: failWith('timestamp_out_of_tolerance'),
};
