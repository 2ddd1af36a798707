/**
 * The machinery of `IntegrationError` without the redactor: the closed code union, the fields,
 * `toJSON()` and the cross-copy type guard. Internal: hosts use `IntegrationError` (core/errors.ts),
 * which extends this class and scrubs every message and `details` it is given.
 *
 * Only errors whose message and `details` switchyard builds itself from fixed text, names and
 * numbers (never a secret, a signature, a body or a host-supplied string) may be constructed from
 * this class directly: the webhook verifiers do, so that `switchyard/webhooks` does not ship the
 * ~1 KiB (gzip) redactor. See docs/decisions.md, "Webhook errors skip the redactor".
 */

/** Every `IntegrationError.code`, a closed union hosts can `switch` on exhaustively. */
export const ERROR_CODES = [
  'invalid_input',
  'invalid_config',
  'authentication',
  'permission',
  'not_found',
  'conflict',
  'precondition_failed',
  'rate_limited',
  'unavailable',
  'timeout',
  'provider_error',
  'signature_invalid',
  'timestamp_out_of_tolerance',
  'replayed',
  'idempotency_conflict',
  'idempotency_in_progress',
  'sync_token_expired',
  'unsupported',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes whose failures are worth retrying by default (a transient condition on the other side). */
const RETRYABLE_BY_DEFAULT: readonly ErrorCode[] = ['rate_limited', 'unavailable', 'timeout', 'idempotency_in_progress'];

/** The optional fields of an `IntegrationError`, given to its constructor. */
export interface IntegrationErrorOptions {
  /** Overrides the default for the code (see {@link isRetryableCode}). */
  retryable?: boolean;
  /** Which provider the failure came from, e.g. `stripe`, `google`, `graph`. */
  provider?: string;
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** How long the provider asked us to wait before trying again, in milliseconds. */
  retryAfterMs?: number;
  /** The underlying error. Kept for debugging; never serialized by `toJSON()`. */
  cause?: unknown;
  /** Extra, non-secret facts (a field name, a decline code). Redacted when an `IntegrationError` is built. */
  details?: Record<string, unknown>;
}

/**
 * Whether failures with `code` are retried by default: `rate_limited`, `unavailable`, `timeout`
 * and `idempotency_in_progress` are; everything else is not.
 *
 * @example
 * isRetryableCode('rate_limited'); // true
 * isRetryableCode('signature_invalid'); // false
 */
export function isRetryableCode(code: ErrorCode): boolean {
  return RETRYABLE_BY_DEFAULT.includes(code);
}

/** The JSON-safe view `IntegrationError#toJSON()` returns (what logs and API responses should carry). */
export interface IntegrationErrorJSON {
  name: string;
  code: ErrorCode;
  message: string;
  retryable: boolean;
  provider?: string;
  status?: number;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
}

/** Internal base of `IntegrationError`: stores what it is given, scrubs nothing (see the file comment). */
export class IntegrationErrorBase extends Error {
  override readonly name: string = 'IntegrationError';
  // `declare`: assigned in the constructor (same own-property order), no field initialisers in the bundle.
  declare readonly code: ErrorCode;
  declare readonly retryable: boolean;
  declare readonly provider: string | undefined;
  declare readonly status: number | undefined;
  declare readonly retryAfterMs: number | undefined;
  declare readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: IntegrationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!(ERROR_CODES as readonly string[]).includes(code)) {
      throw new TypeError(`IntegrationError: unknown code ${JSON.stringify(code)}`);
    }
    this.code = code;
    this.retryable = options.retryable ?? isRetryableCode(code);
    this.provider = options.provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  /**
   * A JSON-safe view for logs and API responses: code, message and the public fields.
   * Never includes `cause` (a provider error may carry request headers).
   */
  toJSON(): IntegrationErrorJSON {
    const json: IntegrationErrorJSON = {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.provider !== undefined) json.provider = this.provider;
    if (this.status !== undefined) json.status = this.status;
    if (this.retryAfterMs !== undefined) json.retryAfterMs = this.retryAfterMs;
    if (this.details !== undefined) json.details = { ...this.details };
    return json;
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
export function isIntegrationError(value: unknown): value is IntegrationErrorBase {
  if (value instanceof IntegrationErrorBase) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name !== undefined &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as { code: string }).code) &&
    typeof (value as { retryable?: unknown }).retryable === 'boolean'
  );
}
