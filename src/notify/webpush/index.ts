/**
 * `switchyard/notify/webpush`: browser push through the `web-push` library (VAPID, RFC 8291
 * aes128gcm payload encryption, RFC 8030 headers). A 404 or 410 from the push service means the
 * subscription is gone for good: `not_found` with `details.gone`, and, when a suppression list is
 * given, the endpoint is suppressed so it is never tried again.
 *
 * Every send carries a `Topic` derived from the idempotency key: a push service keeps at most one
 * pending message per topic, so a retry replaces rather than duplicates an undelivered message.
 * That is what lets this adapter retry 5xx as well as 429.
 *
 * @packageDocumentation
 */
import webpush from 'web-push';
import { z } from 'zod';
import { IntegrationError, isIntegrationError } from '../../core/errors.js';
import { sha256Hex } from '../../idempotency/canonical.js';
import type { Logger } from '../../core/logger.js';
import type { CallContext, Telemetry } from '../../core/observability.js';
import { type RetryEvent, retry } from '../../retry/retry.js';
import { parseRetryAfter } from '../../retry/retry-after.js';
import type { HttpRetryOptions } from '../http.js';
import { adapterTelemetry, isLogger, isTelemetry } from '../../core/observability.js';
import { parseOptions } from '../options.js';
import type { SuppressionList } from '../suppression.js';
import type { Notifier, NotifyMessage, SendResult } from '../types.js';
import { checkMessage, checkSendOptions, pushPayload } from '../validate.js';

const PROVIDER = 'webpush';

const optionsSchema = z.object({
  vapid: z.object({
    /** `mailto:ops@example.com` or an https URL: how the push service reaches you. */
    subject: z.string().regex(/^(mailto:|https:)/, 'must be a mailto: or https: URL'),
    publicKey: z.string().regex(/^[A-Za-z0-9_-]{87}$/, 'must be the base64url P-256 public key (87 characters)'),
    privateKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the base64url P-256 private key (43 characters)'),
  }),
  /** Endpoints that answer 404/410 are added here (reason `subscription_gone`). */
  suppression: z
    .custom<SuppressionList>((v) => typeof v === 'object' && v !== null && typeof (v as SuppressionList).add === 'function')
    .optional(),
  /** An `https.Agent` (a proxy, a private CA in tests). */
  agent: z.unknown().optional(),
  timeoutMs: z.number().int().positive().optional(),
  retry: z.record(z.string(), z.unknown()).optional(),
  now: z.custom<() => number>((v) => typeof v === 'function').optional(),
  /** Spans, counters, hooks and the host logger (`createTelemetry` from `switchyard`). */
  telemetry: z.custom<Telemetry>(isTelemetry).optional(),
  /** Host logger (wrapped with `withRedaction`); shorthand for `telemetry: createTelemetry({ logger })` without spans. */
  logger: z.custom<Logger>(isLogger).optional(),
});

/**
 * Options of `createWebPush`: `vapid` (`subject`: a mailto: or https: URL; `publicKey` and
 * `privateKey`, base64url, as `web-push generate-vapid-keys` prints them), optionally
 * `suppression` (gone endpoints are added), `agent` (an `https.Agent`), `timeoutMs` (default
 * 30,000), `retry`, `now`, and `telemetry` or a bare `logger`.
 */
export type WebPushOptions = z.input<typeof optionsSchema>;

interface WebPushErrorLike {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string;
  code?: string;
}

/**
 * Browser push through the `web-push` library (VAPID, RFC 8291 encryption). Each send carries a
 * `Topic` derived from the idempotency key, so a retry replaces an undelivered copy instead of
 * adding one (which is why 5xx are retried). A 404/410 is `not_found` with `details.gone`, and the
 * endpoint is suppressed when `suppression` is given. Sends to `{ kind: 'webpush', subscription }`
 * only. Bad options are `invalid_config` naming the field.
 *
 * @example
 * const webPush = createWebPush({
 *   vapid: { subject: 'mailto:ops@studio.example', publicKey: process.env.VAPID_PUBLIC_KEY!, privateKey: process.env.VAPID_PRIVATE_KEY! },
 *   suppression,
 * });
 * await webPush.send({ channel: 'push', to: { kind: 'webpush', subscription }, title: 'Class moved', body: 'Yoga is now at 11:00' }, { idempotencyKey: 'booking:42:moved' });
 */
export function createWebPush(options: WebPushOptions): Notifier<'push'> {
  const o = parseOptions('createWebPush', optionsSchema, options);
  const telemetry = adapterTelemetry('createWebPush', o);
  const now = o.now ?? Date.now;

  return {
    provider: PROVIDER,
    channels: ['push'],
    async send(message: NotifyMessage, sendOptions): Promise<SendResult> {
      const key = checkSendOptions(sendOptions);
      checkMessage(message);
      if (message.channel !== 'push' || message.to.kind !== 'webpush') {
        throw new IntegrationError(
          message.channel === 'push' ? 'invalid_input' : 'unsupported',
          'webpush sends push messages to { kind: "webpush", subscription }',
          {
            provider: PROVIDER,
            details: { field: 'to' },
          },
        );
      }
      const subscription = message.to.subscription;
      // 32 base64url characters is the Topic header's limit (RFC 8030 §5.4).
      const topic = (await sha256Hex(`switchyard:${key}`)).slice(0, 32);
      const requestOptions: webpush.RequestOptions = {
        vapidDetails: o.vapid,
        TTL: message.ttlSeconds ?? 86_400,
        urgency: message.urgency ?? 'normal',
        topic,
        contentEncoding: 'aes128gcm',
        timeout: o.timeoutMs ?? 30_000,
      };
      if (o.agent) requestOptions.agent = o.agent as webpush.RequestOptions['agent'];
      const attempts = (context?: CallContext) =>
        retry(
          async () => {
            try {
              const sent = await webpush.sendNotification(subscription, pushPayload(message), requestOptions);
              context?.setStatus(sent.statusCode);
              return sent;
            } catch (error) {
              const mapped = mapError(error, now);
              if (mapped.status !== undefined) context?.setStatus(mapped.status);
              throw mapped;
            }
          },
          {
            maxAttempts: 3,
            baseDelayMs: 500,
            ...(o.retry as HttpRetryOptions | undefined),
            now,
            shouldRetry: (e) => isIntegrationError(e) && (e.code === 'rate_limited' || e.code === 'unavailable'),
            ...(context
              ? { onRetry: (e: RetryEvent) => context.retrying({ attempt: e.attempt, delayMs: e.delayMs, error: e.error }) }
              : {}),
          },
        );
      // The endpoint URL is a bearer capability for the subscription: it never goes to telemetry.
      const result = await (telemetry ? telemetry.instrument({ provider: PROVIDER, operation: 'push.send' }, attempts) : attempts()).catch(
        async (error: unknown) => {
          if (isIntegrationError(error) && error.details?.gone === true)
            await o.suppression?.add('push', subscription.endpoint, { reason: 'subscription_gone', provider: PROVIDER });
          throw error;
        },
      );
      // RFC 8030: the push service answers 201 with the push message resource in Location.
      const location = result.headers?.location ?? result.headers?.Location;
      return {
        channel: 'push',
        provider: PROVIDER,
        providerMessageId: typeof location === 'string' && location ? location : `topic:${topic}`,
        status: 'accepted',
        idempotencyKey: key,
      };
    },
  };
}

function mapError(error: unknown, now: () => number): IntegrationError {
  const e = (error ?? {}) as WebPushErrorLike;
  const status = e.statusCode;
  const base = { provider: PROVIDER, cause: error } as const;
  if (status === 404 || status === 410) {
    return new IntegrationError('not_found', 'the push subscription is gone (unsubscribed or expired); remove it', {
      ...base,
      status,
      retryable: false,
      details: { gone: true, notSent: true },
    });
  }
  if (status === 413)
    return new IntegrationError('invalid_input', 'the push service refused the payload as too large', {
      ...base,
      status,
      details: { field: 'body', notSent: true },
    });
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(e.headers?.['retry-after'], now);
    return new IntegrationError('rate_limited', 'the push service is rate limiting', {
      ...base,
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      details: { notSent: true },
    });
  }
  if (status === 401 || status === 403)
    return new IntegrationError('authentication', 'the push service refused the VAPID credentials', {
      ...base,
      status,
      retryable: false,
      details: { notSent: true },
    });
  if (status !== undefined && status >= 400 && status < 500)
    return new IntegrationError('invalid_input', `the push service answered ${status}`, {
      ...base,
      status,
      retryable: false,
      details: { notSent: true },
    });
  if (status !== undefined && status >= 500)
    return new IntegrationError('unavailable', `the push service answered ${status}`, { ...base, status, retryable: true });
  if (
    error instanceof Error &&
    /payload|key|subscription|auth/i.test(error.message) &&
    status === undefined &&
    !(e.code ?? '').startsWith('E')
  ) {
    return new IntegrationError('invalid_input', 'web-push refused the subscription or payload', {
      ...base,
      retryable: false,
      details: { field: 'to.subscription', notSent: true },
    });
  }
  const refused = e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN';
  return new IntegrationError('unavailable', 'could not reach the push service', {
    ...base,
    retryable: true,
    ...(refused ? { details: { notSent: true } } : {}),
  });
}
