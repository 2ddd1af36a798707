/**
 * `switchyard/notify/resend`: email through Resend's API (plain `fetch`) and its webhooks (Svix /
 * Standard Webhooks, verified with `verifyStandardWebhook`).
 *
 * Resend accepts an `Idempotency-Key` (kept 24 h), so unlike SendGrid or SES a 5xx or a timeout can
 * be retried safely: the provider itself answers a repeat with the first result.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { IntegrationError } from '../../core/errors.js';
import { verifyStandardWebhook } from '../../webhooks/providers/standard.js';
import type { RawWebhook } from '../../webhooks/types.js';
import { emailHeaders } from '../consent.js';
import { callProvider, observeWebhook, notSentOn4xx, withCode } from '../http.js';
import { adapterTelemetry } from '../../core/observability.js';
import { configuredFrom, HTTP_ADAPTER_OPTIONS, parseOptions } from '../options.js';
import type { DeliveryEvent, DeliveryStatus, EmailAddress, NotifyEvent, NotifyMessage, SendResult, WebhookNotifier } from '../types.js';
import { assertChannel, checkSendOptions, emailAddress, normalizeAddress } from '../validate.js';
import { markVerified } from '../verified.js';

const PROVIDER = 'resend';

const optionsSchema = z.object({
  apiKey: z.string().regex(/^re_[A-Za-z0-9_]{8,}$/, 'must be a Resend API key (re_…)'),
  from: z.union([z.string(), z.object({ email: z.string(), name: z.string().optional() })]),
  /** The webhook signing secret (`whsec_…`); an array during rotation. Needed for `parseWebhook`. */
  webhookSecret: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  baseUrl: z.url().optional(),
  ...HTTP_ADAPTER_OPTIONS,
});

/**
 * Options of `createResendEmail`: `apiKey` (`re_…`), the default `from`, `webhookSecret` (`whsec_…`,
 * an array during rotation; needed for `parseWebhook`), optionally `baseUrl`.
 * Shared by the HTTP adapters: `fetch` (inject for tests or a proxy), `retry` (a `RetryPolicy`
 * subset: `maxAttempts`, delays, `attemptTimeoutMs`), `now`, and `telemetry` or a bare `logger`
 * (not both).
 */
export type ResendEmailOptions = z.input<typeof optionsSchema>;

const format = (a: EmailAddress) => (a.name ? `${a.name.replace(/[<>"]/g, '')} <${a.email}>` : a.email);

/**
 * Email through Resend's API (plain `fetch`), with the idempotency key sent as Resend's
 * `Idempotency-Key` (so its 5xx are retried), and its Svix-signed webhooks through `parseWebhook`.
 * Bad options are `invalid_config` naming the field.
 *
 * @example
 * const resend = createResendEmail({ apiKey: process.env.RESEND_API_KEY!, from: 'bookings@studio.example', webhookSecret: process.env.RESEND_WEBHOOK_SECRET! });
 * await resend.send({ channel: 'email', to: 'ada@example.com', subject: 'Booked', html: '<p>See you at 10:00</p>' }, { idempotencyKey: 'booking:42:confirmed' });
 * const events = await resend.parseWebhook(await fromFetchRequest(request));
 */
export function createResendEmail(options: ResendEmailOptions): WebhookNotifier<'email'> {
  const o = parseOptions('createResendEmail', optionsSchema, options);
  const telemetry = adapterTelemetry('createResendEmail', o);
  const from = configuredFrom('createResendEmail', o.from);
  const baseUrl = (o.baseUrl ?? 'https://api.resend.com').replace(/\/$/, '');
  const now = o.now ?? Date.now;

  return {
    provider: PROVIDER,
    channels: ['email'],
    async send(message: NotifyMessage, sendOptions): Promise<SendResult> {
      const key = checkSendOptions(sendOptions);
      assertChannel(PROVIDER, message, 'email');
      const headers = emailHeaders(message);
      const payload: Record<string, unknown> = {
        from: format(message.from ? emailAddress(message.from, 'from') : from),
        to: [format(emailAddress(message.to, 'to'))],
        subject: message.subject,
      };
      if (message.text !== undefined) payload.text = message.text;
      if (message.html !== undefined) payload.html = message.html;
      if (message.replyTo) payload.reply_to = format(emailAddress(message.replyTo, 'replyTo'));
      if (Object.keys(headers).length > 0) payload.headers = headers;
      if (message.tags?.length)
        payload.tags = message.tags.slice(0, 10).map((t) => ({ name: 'tag', value: t.replace(/[^\w-]/g, '_').slice(0, 256) }));
      const { body } = await callProvider(
        {
          provider: PROVIDER,
          telemetry: telemetry,
          operation: 'email.send',
          signal: sendOptions.signal,
          fetch: o.fetch,
          retry: o.retry,
          retryServerErrors: true,
          refine: refineError,
          now,
        },
        `${baseUrl}/emails`,
        () => ({
          method: 'POST',
          headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(payload),
        }),
      );
      const id = (body as { id?: unknown })?.id;
      if (typeof id !== 'string')
        throw new IntegrationError('provider_error', 'resend accepted the message without an id', { provider: PROVIDER, retryable: false });
      return { channel: 'email', provider: PROVIDER, providerMessageId: id, status: 'queued', idempotencyKey: key };
    },
    async parseWebhook(raw: RawWebhook): Promise<NotifyEvent[]> {
      const secret = o.webhookSecret;
      if (!secret) {
        throw new IntegrationError('invalid_config', 'createResendEmail: pass webhookSecret to verify webhook requests', {
          details: { field: 'webhookSecret' },
        });
      }
      const verified = await observeWebhook(telemetry, PROVIDER, () => verifyStandardWebhook<ResendEvent>(raw, { secret, now }));
      const event = toEvent(verified.payload, verified.id, now);
      return markVerified(event ? [event] : []);
    },
  };
}

interface ResendEvent {
  type?: string;
  created_at?: string;
  data?: { email_id?: string; to?: string[]; created_at?: string; bounce?: { type?: string; subType?: string } };
}

const STATUS: Record<string, DeliveryStatus> = {
  'email.sent': 'sent',
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'bounced',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.opened': 'opened',
  'email.clicked': 'clicked',
  'email.failed': 'failed',
};

function toEvent(payload: ResendEvent, svixId: string | undefined, now: () => number): DeliveryEvent | undefined {
  const status = payload?.type ? STATUS[payload.type] : undefined;
  const messageId = payload?.data?.email_id;
  if (!status || typeof messageId !== 'string') return undefined;
  const t = Date.parse(payload.created_at ?? '');
  const event: DeliveryEvent = {
    kind: 'delivery',
    provider: PROVIDER,
    channel: 'email',
    providerEventId: svixId ?? `${messageId}:${payload.type}:${payload.created_at}`,
    providerMessageId: messageId,
    status,
    // Without a parseable created_at, when we received it (the injected clock), never 1970.
    occurredAt: new Date(Number.isNaN(t) ? now() : t).toISOString(),
  };
  const to = payload.data?.to?.[0];
  if (typeof to === 'string') event.recipient = normalizeAddress('email', to.replace(/^.*<([^>]+)>$/, '$1'));
  if (status === 'bounced')
    event.bounceType = payload.type === 'email.bounced' && payload.data?.bounce?.type !== 'Transient' ? 'hard' : 'soft';
  if (payload.data?.bounce?.subType) event.reason = payload.data.bounce.subType;
  return event;
}

function refineError(error: IntegrationError, body: unknown): IntegrationError {
  const e = notSentOn4xx(error);
  const name = (body as { name?: unknown })?.name;
  if (typeof name !== 'string') return e;
  if (name === 'invalid_idempotent_request' || name === 'concurrent_idempotent_requests') {
    return withCode(e, name === 'concurrent_idempotent_requests' ? 'idempotency_in_progress' : 'idempotency_conflict', {
      details: { resendError: name },
    });
  }
  if (name === 'invalid_api_Key' || name === 'invalid_api_key' || name === 'missing_api_key')
    return withCode(e, 'authentication', { retryable: false, details: { resendError: name } });
  return withCode(e, e.code, { details: { resendError: name } });
}
