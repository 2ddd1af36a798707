/**
 * Options of `createStripePayments`, validated with zod at construction: a bad option is an
 * `invalid_config` error naming the field, never a confusing failure on the first payment.
 */
import type Stripe from 'stripe';
import { z } from 'zod';
import { IntegrationError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { TelemetryHooks, OpenTelemetryApiLike } from '../../core/observability.js';
import type { RetryPolicy } from '../../retry/retry.js';
import type { ReplayGuard } from '../../webhooks/replay.js';

/**
 * The Stripe API version this adapter is written and tested against: the one stripe-node 20.4
 * pins. Requests send it as `Stripe-Version`; webhook events rendered in another version are
 * still parsed (the mappers read both layouts) but logged as a warning.
 */
export const STRIPE_API_VERSION = '2026-02-25.clover';

/** Options of `createStripePayments`: `apiKey` or `stripe`, and what `parseWebhook` needs. */
export interface StripePaymentsOptions {
  /** Secret (`sk_…`) or restricted (`rk_…`) key. Or pass `stripe`. */
  apiKey?: string;
  /** An already-built client. Its own `maxNetworkRetries` and HTTP client are left as you set them. */
  stripe?: Stripe;
  /** Endpoint signing secret(s) `whsec_…`; several while rolling. Needed by `parseWebhook` only. */
  webhookSecret?: string | string[];
  /** Pinned API version. Default {@link STRIPE_API_VERSION}. */
  apiVersion?: string;
  /** `test` or `live`. Derived from `apiKey`; set it when you pass `stripe`, to keep the livemode check. */
  mode?: 'test' | 'live';
  /** Per-request timeout, ms. Default 20 000 (the SDK default is 80 000). When you pass `stripe`, its own timeout applies. */
  timeoutMs?: number;
  /**
   * Retries, by switchyard's `retry` (the SDK's own retries are turned off so there is one policy,
   * one budget, and telemetry sees every attempt). Every retried mutation resends the same
   * `Idempotency-Key`. Default: 3 attempts, 500 ms base, full jitter, 60 s budget (room for three 20 s timeouts).
   */
  retry?: Pick<RetryPolicy, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'maxElapsedMs' | 'random' | 'jitter'>;
  /** Webhook timestamp tolerance, seconds (default 300) and clock. */
  toleranceSeconds?: number;
  /** Clock for the webhook timestamp check, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Rejects a redelivered webhook event id within its TTL (`createReplayGuard`). */
  replayGuard?: ReplayGuard;
  /** Host logger, wrapped with `withRedaction`; sees ids, codes and timings, never keys or card data. */
  logger?: Logger;
  /** OpenTelemetry and hooks for every Stripe call (see `createTelemetry`). */
  telemetry?: { hooks?: TelemetryHooks; openTelemetry?: 'auto' | false | OpenTelemetryApiLike };
  /** Replace the HTTP client built for `apiKey` (default `Stripe.createFetchHttpClient()`, see docs/decisions.md). */
  httpClient?: Stripe.HttpClient;
}

const schema = z
  .object({
    apiKey: z
      .string()
      .refine((k) => !/^pk_/.test(k), 'is a publishable key (pk_…); the server needs a secret (sk_…) or restricted (rk_…) key')
      .refine((k) => /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(k), 'must be a Stripe secret or restricted key (sk_test_…, rk_live_…)')
      .optional(),
    stripe: z.custom<Stripe>((v) => typeof v === 'object' && v !== null && 'paymentIntents' in v, 'must be a Stripe client').optional(),
    webhookSecret: z
      .union([
        z.string().regex(/^whsec_\S+$/, 'must be an endpoint signing secret (whsec_…)'),
        z.array(z.string().regex(/^whsec_\S+$/)).min(1),
      ])
      .optional(),
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/, 'must look like 2026-02-25.clover')
      .optional(),
    mode: z.enum(['test', 'live']).optional(),
    timeoutMs: z.number().int().min(100).max(300_000).optional(),
    toleranceSeconds: z.number().positive().optional(),
  })
  .refine((o) => (o.apiKey === undefined) !== (o.stripe === undefined), {
    message: 'pass exactly one of apiKey or stripe',
    path: ['apiKey'],
  });

export function validateOptions(options: StripePaymentsOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new IntegrationError('invalid_config', 'createStripePayments needs an options object', {
      provider: 'stripe',
      details: { field: 'options' },
    });
  }
  const result = schema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'options';
    throw new IntegrationError('invalid_config', `createStripePayments: ${field} ${issue?.message ?? 'is invalid'}`, {
      provider: 'stripe',
      details: { field },
    });
  }
}

export function modeOfKey(apiKey: string | undefined): 'test' | 'live' | undefined {
  if (!apiKey) return undefined;
  return /^(sk|rk)_live_/.test(apiKey) ? 'live' : 'test';
}
