/**
 * The one error class of switchyard. Every adapter and helper maps whatever went wrong
 * (a provider's HTTP error, a bad option, a forged webhook) to an `IntegrationError` with a
 * `code` from a closed union, so host code can `switch` on it exhaustively.
 */
import { redact, redactString } from './redact.js';

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

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes whose failures are worth retrying by default (a transient condition on the other side). */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'rate_limited',
  'unavailable',
  'timeout',
  'idempotency_in_progress',
]);

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
  /** Extra, non-secret facts (a field name, a decline code). Redacted before it is serialized. */
  details?: Record<string, unknown>;
}

export function isRetryableCode(code: ErrorCode): boolean {
  return RETRYABLE_BY_DEFAULT.has(code);
}

export class IntegrationError extends Error {
  override readonly name: string = 'IntegrationError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly provider: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: IntegrationErrorOptions = {}) {
    // Messages are built by us, but may quote user input: redact defensively so a secret pasted
    // into the wrong option never ends up in a log line through `err.message`.
    super(redactString(message), options.cause === undefined ? undefined : { cause: options.cause });
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
   * Never includes `cause` (a provider error may carry request headers) and redacts `details`.
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
    if (this.details !== undefined) json.details = redactDetails(this.details);
    return json;
  }
}

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

function redactDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return redact(details) as Record<string, unknown>;
}

/** Type guard that works across module copies (ESM and CJS builds loaded side by side). */
export function isIntegrationError(value: unknown): value is IntegrationError {
  if (value instanceof IntegrationError) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name !== undefined &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as { code: string }).code) &&
    typeof (value as { retryable?: unknown }).retryable === 'boolean'
  );
}
