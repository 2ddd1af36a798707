/**
 * `switchyard/notify/sendgrid`: email through SendGrid's v3 Mail Send API (plain `fetch`, no SDK)
 * and its signed Event Webhook, verified with `verifySendGridWebhook` before anything is trusted.
 *
 * SendGrid accepts no idempotency key: the key travels as `custom_args.switchyard_key` (so events
 * and the activity feed show it), and duplicates are prevented by `guardSends` / the strategies.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { IntegrationError } from '../../core/errors.js';
import { verifySendGridWebhook } from '../../webhooks/providers/sendgrid.js';
import type { RawWebhook } from '../../webhooks/types.js';
import { emailHeaders } from '../consent.js';
import { callProvider, observeWebhook, notSentOn4xx, withCode } from '../http.js';
import { adapterTelemetry } from '../../core/observability.js';
import { configuredFrom, HTTP_ADAPTER_OPTIONS, parseOptions } from '../options.js';
import type { DeliveryEvent, DeliveryStatus, NotifyEvent, NotifyMessage, SendResult, WebhookNotifier } from '../types.js';
import { assertChannel, checkSendOptions, emailAddress, normalizeAddress } from '../validate.js';
import { markVerified } from '../verified.js';

const PROVIDER = 'sendgrid';

const optionsSchema = z.object({
  apiKey: z.string().regex(/^SG\.[\w-]+\.[\w-]+$/, 'must be a SendGrid API key (SG.xxx.yyy)'),
  from: z.union([z.string(), z.object({ email: z.string(), name: z.string().optional() })]),
  /** The Signed Event Webhook verification key (base64 DER or PEM). Needed for `parseWebhook`. */
  webhookPublicKey: z.string().min(1).optional(),
  /** Default https://api.sendgrid.com (https://api.eu.sendgrid.com for EU regional subusers). */
  baseUrl: z.url().optional(),
  /** Mail Send sandbox: SendGrid validates and answers 200 without sending. */
  sandbox: z.boolean().optional(),
  ...HTTP_ADAPTER_OPTIONS,
});

/**
 * Options of `createSendGridEmail`: `apiKey` (`SG.xxx.yyy`), the default `from`, and
 * `webhookPublicKey` (the Signed Event Webhook verification key, needed for `parseWebhook`);
 * optionally `baseUrl` (`https://api.eu.sendgrid.com` for EU subusers) and `sandbox`.
 * Shared by the HTTP adapters: `fetch` (inject for tests or a proxy), `retry` (a `RetryPolicy`
 * subset: `maxAttempts`, delays, `attemptTimeoutMs`), `now`, and `telemetry` or a bare `logger`
 * (not both).
 */
export type SendGridEmailOptions = z.input<typeof optionsSchema>;

/**
 * Email through SendGrid's v3 Mail Send API (plain `fetch`, no SDK), and its signed Event Webhook
 * through `parseWebhook`. SendGrid takes no idempotency key: wrap it in `guardSends`, `fallback`
 * or `failover` so a key is sent once. Bad options are `invalid_config` naming the field.
 *
 * @example
 * const sendgrid = createSendGridEmail({
 *   apiKey: process.env.SENDGRID_API_KEY!,
 *   from: { email: 'bookings@studio.example', name: 'Studio' },
 *   webhookPublicKey: process.env.SENDGRID_WEBHOOK_KEY!,
 * });
 * await sendgrid.send({ channel: 'email', to: 'ada@example.com', subject: 'Booked', text: 'See you at 10:00' }, { idempotencyKey: 'booking:42:confirmed' });
 * const events = await sendgrid.parseWebhook(await fromFetchRequest(request)); // verified, normalized
 */
export function createSendGridEmail(options: SendGridEmailOptions): WebhookNotifier<'email'> {
  const o = parseOptions('createSendGridEmail', optionsSchema, options);
  const telemetry = adapterTelemetry('createSendGridEmail', o);
  const from = configuredFrom('createSendGridEmail', o.from);
  const baseUrl = (o.baseUrl ?? 'https://api.sendgrid.com').replace(/\/$/, '');
  const now = o.now ?? Date.now;

  return {
    provider: PROVIDER,
    channels: ['email'],
    async send(message: NotifyMessage, sendOptions): Promise<SendResult> {
      const key = checkSendOptions(sendOptions);
      assertChannel(PROVIDER, message, 'email');
      const headers = emailHeaders(message);
      const content: { type: string; value: string }[] = [];
      if (message.text !== undefined) content.push({ type: 'text/plain', value: message.text });
      if (message.html !== undefined) content.push({ type: 'text/html', value: message.html });
      const payload: Record<string, unknown> = {
        personalizations: [{ to: [emailAddress(message.to, 'to')] }],
        from: message.from ? emailAddress(message.from, 'from') : from,
        subject: message.subject,
        content,
        custom_args: { switchyard_key: key },
      };
      if (message.replyTo) payload.reply_to = emailAddress(message.replyTo, 'replyTo');
      if (Object.keys(headers).length > 0) payload.headers = headers;
      if (message.tags?.length) payload.categories = message.tags.slice(0, 10);
      if (o.sandbox) payload.mail_settings = { sandbox_mode: { enable: true } };
      const { response } = await callProvider(
        {
          provider: PROVIDER,
          telemetry: telemetry,
          operation: 'email.send',
          signal: sendOptions.signal,
          fetch: o.fetch,
          retry: o.retry,
          refine: (e, b, r) => refineError(e, b, r, now),
          now,
        },
        `${baseUrl}/v3/mail/send`,
        () => ({
          method: 'POST',
          headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        }),
      );
      const id = response.headers.get('x-message-id');
      if (!id)
        throw new IntegrationError('provider_error', 'sendgrid accepted the message without an X-Message-Id', {
          provider: PROVIDER,
          retryable: false,
        });
      return { channel: 'email', provider: PROVIDER, providerMessageId: id, status: 'queued', idempotencyKey: key };
    },
    async parseWebhook(raw: RawWebhook): Promise<NotifyEvent[]> {
      const publicKey = o.webhookPublicKey;
      if (!publicKey) {
        throw new IntegrationError('invalid_config', 'createSendGridEmail: pass webhookPublicKey to verify Event Webhook requests', {
          details: { field: 'webhookPublicKey' },
        });
      }
      const verified = await observeWebhook(telemetry, PROVIDER, () => verifySendGridWebhook<unknown>(raw, { publicKey, now }));
      if (!Array.isArray(verified.payload))
        throw new IntegrationError('invalid_input', 'the Event Webhook body is not an array of events', {
          provider: PROVIDER,
          details: { field: 'body' },
        });
      const events: DeliveryEvent[] = [];
      for (const e of verified.payload as Record<string, unknown>[]) {
        const event = toEvent(e, now);
        if (event) events.push(event);
      }
      return markVerified(events);
    },
  };
}

const STATUS: Record<string, DeliveryStatus> = {
  processed: 'queued',
  deferred: 'bounced',
  delivered: 'delivered',
  open: 'opened',
  click: 'clicked',
  bounce: 'bounced',
  dropped: 'failed',
  spamreport: 'complained',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
};

function toEvent(e: Record<string, unknown>, now: () => number): DeliveryEvent | undefined {
  const status = typeof e.event === 'string' ? STATUS[e.event] : undefined;
  const sgMessageId = typeof e.sg_message_id === 'string' ? e.sg_message_id : undefined;
  if (!status || !sgMessageId) return undefined; // group_resubscribe, or an event without a message (none we act on)
  const timestamp = typeof e.timestamp === 'number' && Number.isFinite(e.timestamp) && e.timestamp > 0 ? e.timestamp : undefined;
  const event: DeliveryEvent = {
    kind: 'delivery',
    provider: PROVIDER,
    channel: 'email',
    // sg_event_id is unique per event; older accounts may lack it, then message + type + time is.
    providerEventId: typeof e.sg_event_id === 'string' ? e.sg_event_id : `${sgMessageId}:${String(e.event)}:${String(timestamp)}`,
    // sg_message_id is X-Message-Id plus a filter suffix after the first dot.
    providerMessageId: sgMessageId.split('.')[0] as string,
    status,
    // Without a usable event time, when we received it (the injected clock), never 1970.
    occurredAt: new Date(timestamp === undefined ? now() : timestamp * 1000).toISOString(),
  };
  if (typeof e.email === 'string') event.recipient = normalizeAddress('email', e.email);
  if (status === 'bounced') {
    // `deferred` is a temporary refusal and a `blocked` bounce is the receiving server's policy: both soft.
    event.bounceType = e.event === 'deferred' || e.type === 'blocked' ? 'soft' : 'hard';
  }
  const reason =
    typeof e.status === 'string' ? e.status : e.event === 'dropped' && typeof e.reason === 'string' ? e.reason.slice(0, 80) : undefined;
  if (reason) event.reason = reason;
  return event;
}

function refineError(error: IntegrationError, body: unknown, response: Response, now: () => number): IntegrationError {
  let e = notSentOn4xx(error);
  // SendGrid's 429 carries X-RateLimit-Reset (epoch seconds), not Retry-After.
  const reset = Number(response.headers.get('x-ratelimit-reset'));
  if (e.code === 'rate_limited' && e.retryAfterMs === undefined && Number.isFinite(reset) && reset > 0) {
    const retryAfterMs = Math.max(0, reset * 1000 - now());
    e = new IntegrationError('rate_limited', e.message, {
      provider: PROVIDER,
      status: 429,
      retryable: true,
      retryAfterMs,
      details: { notSent: true },
    });
  }
  if (e.status === 413) e = withCode(e, 'invalid_input', { details: { field: 'message' } });
  // Field names only: SendGrid's messages can quote the address.
  const fields = (body as { errors?: { field?: unknown }[] })?.errors
    ?.map((x) => x.field)
    .filter((f): f is string => typeof f === 'string');
  if (fields?.length) e = withCode(e, e.code, { details: { fields } });
  return e;
}
