/** zod-validated adapter options: a bad option is `invalid_config` naming the field, never a crash later. */
import { z } from 'zod';
import { IntegrationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Telemetry } from '../core/observability.js';
import { isLogger, isTelemetry } from '../core/observability.js';
import type { FetchLike } from './http.js';
import type { EmailAddress } from './types.js';
import { emailAddress } from './validate.js';

export function parseOptions<S extends z.ZodType>(owner: string, schema: S, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || '(options)';
  // The issue message names the expectation, never the value (which may be a key).
  throw new IntegrationError('invalid_config', `${owner}: ${field}: ${issue?.message ?? 'invalid'}`, { details: { field } });
}

/**
 * The options every fetch-based adapter (SendGrid, SES, Resend, Twilio, FCM) shares, spread into
 * its own `z.object({ ... })`: an injectable `fetch`, a retry policy, a clock, and telemetry or a
 * bare logger.
 */
export const HTTP_ADAPTER_OPTIONS = {
  fetch: z.custom<FetchLike>((v) => typeof v === 'function').optional(),
  retry: z.record(z.string(), z.unknown()).optional(),
  now: z.custom<() => number>((v) => typeof v === 'function').optional(),
  /** Spans, counters and hooks (`createTelemetry` from `switchyard`). */
  telemetry: z.custom<Telemetry>(isTelemetry).optional(),
  /** Host logger (wrapped with `withRedaction`); shorthand for `telemetry: createTelemetry({ logger })` without spans. */
  logger: z.custom<Logger>(isLogger).optional(),
};

/** An email adapter's default sender, checked at construction: a bad one is `invalid_config`, not a failed send later. */
export function configuredFrom(owner: string, from: unknown): EmailAddress {
  try {
    return emailAddress(from, 'from');
  } catch {
    throw new IntegrationError('invalid_config', `${owner}: from is not a valid email address`, { details: { field: 'from' } });
  }
}
