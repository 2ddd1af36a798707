/**
 * `switchyard/notify/ses`: email through Amazon SES v2 (`SendEmail`, JSON over HTTPS signed with
 * SigV4 through Web Crypto; no AWS SDK), and bounces, complaints and deliveries through SNS,
 * verified with `verifySnsMessage` (RSA, SignatureVersion 1 and 2, certificate host pinned).
 *
 * SES takes no idempotency key; the key travels as the `switchyard_key` message tag (hashed: tag
 * values allow few characters), and `guardSends` / the strategies prevent duplicates.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { IntegrationError } from '../../core/errors.js';
import { sha256Hex } from '../../idempotency/canonical.js';
import { type SnsMessage, verifySnsMessage } from '../../webhooks/providers/sns.js';
import type { RawWebhook } from '../../webhooks/types.js';
import { emailHeaders } from '../consent.js';
import { callProvider, observeWebhook, notSentOn4xx, withCode } from '../http.js';
import { adapterTelemetry } from '../../core/observability.js';
import { configuredFrom, HTTP_ADAPTER_OPTIONS, parseOptions } from '../options.js';
import type { DeliveryEvent, EmailAddress, NotifyEvent, NotifyMessage, SendResult, WebhookNotifier } from '../types.js';
import { assertChannel, checkSendOptions, emailAddress, normalizeAddress } from '../validate.js';
import { markVerified } from '../verified.js';
import { signRequest } from './sigv4.js';

const PROVIDER = 'ses';

const optionsSchema = z.object({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'),
  credentials: z.object({ accessKeyId: z.string().min(16), secretAccessKey: z.string().min(16), sessionToken: z.string().optional() }),
  from: z.union([z.string(), z.object({ email: z.string(), name: z.string().optional() })]),
  configurationSetName: z.string().optional(),
  /** Accept SNS messages only from these topics (strongly recommended). */
  topicArns: z.array(z.string()).optional(),
  /** Confirm SNS subscriptions: called with the SubscribeURL of a verified SubscriptionConfirmation. */
  onSubscriptionConfirmation: z.custom<(subscribeUrl: string) => void | Promise<void>>((v) => typeof v === 'function').optional(),
  fetchCertificate: z.custom<(url: string) => Promise<string>>((v) => typeof v === 'function').optional(),
  endpoint: z.url().optional(),
  ...HTTP_ADAPTER_OPTIONS,
});

/**
 * Options of `createSesEmail`: `region`, `credentials` (`accessKeyId`, `secretAccessKey`,
 * optional `sessionToken`), the default `from`, optional `configurationSetName`; for SNS webhooks
 * `topicArns` (strongly recommended), `onSubscriptionConfirmation` and `fetchCertificate`;
 * `endpoint` to override the regional URL.
 * Shared by the HTTP adapters: `fetch` (inject for tests or a proxy), `retry` (a `RetryPolicy`
 * subset: `maxAttempts`, delays, `attemptTimeoutMs`), `now`, and `telemetry` or a bare `logger`
 * (not both).
 */
export type SesEmailOptions = z.input<typeof optionsSchema>;

/**
 * Email through Amazon SES v2 `SendEmail` (JSON over `fetch`, SigV4 through Web Crypto; no AWS
 * SDK), and bounces, complaints and deliveries from SNS through `parseWebhook`. SES takes no
 * idempotency key: wrap it in `guardSends`, `fallback` or `failover`. Bad options are
 * `invalid_config` naming the field.
 *
 * @example
 * const ses = createSesEmail({
 *   region: 'eu-west-1',
 *   credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! },
 *   from: 'bookings@studio.example',
 *   topicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-events'],
 * });
 * await ses.send({ channel: 'email', to: 'ada@example.com', subject: 'Booked', text: 'See you at 10:00' }, { idempotencyKey: 'booking:42:confirmed' });
 */
export function createSesEmail(options: SesEmailOptions): WebhookNotifier<'email'> {
  const o = parseOptions('createSesEmail', optionsSchema, options);
  const telemetry = adapterTelemetry('createSesEmail', o);
  const from = configuredFrom('createSesEmail', o.from);
  const endpoint = new URL('/v2/email/outbound-emails', o.endpoint ?? `https://email.${o.region}.amazonaws.com`);
  const now = o.now ?? Date.now;
  const credentials = o.credentials.sessionToken
    ? { accessKeyId: o.credentials.accessKeyId, secretAccessKey: o.credentials.secretAccessKey, sessionToken: o.credentials.sessionToken }
    : { accessKeyId: o.credentials.accessKeyId, secretAccessKey: o.credentials.secretAccessKey };

  return {
    provider: PROVIDER,
    channels: ['email'],
    async send(message: NotifyMessage, sendOptions): Promise<SendResult> {
      const key = checkSendOptions(sendOptions);
      assertChannel(PROVIDER, message, 'email');
      const headers = emailHeaders(message);
      const body: Record<string, unknown> = { Subject: { Data: message.subject, Charset: 'UTF-8' } };
      const parts: Record<string, unknown> = {};
      if (message.text !== undefined) parts.Text = { Data: message.text, Charset: 'UTF-8' };
      if (message.html !== undefined) parts.Html = { Data: message.html, Charset: 'UTF-8' };
      body.Body = parts;
      if (Object.keys(headers).length > 0) body.Headers = Object.entries(headers).map(([Name, Value]) => ({ Name, Value }));
      const payload: Record<string, unknown> = {
        FromEmailAddress: formatAddress(message.from ? emailAddress(message.from, 'from') : from),
        Destination: { ToAddresses: [formatAddress(emailAddress(message.to, 'to'))] },
        Content: { Simple: body },
        EmailTags: [
          { Name: 'switchyard_key', Value: (await sha256Hex(key)).slice(0, 32) },
          ...(message.tags ?? []).slice(0, 10).map((t, i) => ({ Name: `tag_${i}`, Value: t.replace(/[^\w.@-]/g, '_').slice(0, 256) })),
        ],
      };
      if (message.replyTo) payload.ReplyToAddresses = [formatAddress(emailAddress(message.replyTo, 'replyTo'))];
      if (o.configurationSetName) payload.ConfigurationSetName = o.configurationSetName;
      const json = JSON.stringify(payload);
      // SigV4 signs the time, so each attempt is signed afresh.
      const { body: answer } = await callProvider(
        {
          provider: PROVIDER,
          telemetry: telemetry,
          operation: 'email.send',
          signal: sendOptions.signal,
          fetch: o.fetch,
          retry: o.retry,
          refine: refineError,
          now,
        },
        endpoint.href,
        async () => ({
          method: 'POST',
          body: json,
          headers: await signRequest({
            method: 'POST',
            url: endpoint,
            headers: { 'content-type': 'application/json' },
            body: json,
            region: o.region,
            service: 'ses',
            credentials,
            now: now(),
          }),
        }),
      );
      const id = (answer as { MessageId?: unknown })?.MessageId;
      if (typeof id !== 'string')
        throw new IntegrationError('provider_error', 'ses accepted the message without a MessageId', {
          provider: PROVIDER,
          retryable: false,
        });
      return { channel: 'email', provider: PROVIDER, providerMessageId: id, status: 'queued', idempotencyKey: key };
    },
    async parseWebhook(raw: RawWebhook): Promise<NotifyEvent[]> {
      const snsOptions: Parameters<typeof verifySnsMessage>[1] = {};
      if (o.topicArns) snsOptions.topicArns = o.topicArns;
      if (o.fetchCertificate) snsOptions.fetchCertificate = o.fetchCertificate;
      const { payload, id } = await observeWebhook(telemetry, PROVIDER, () => verifySnsMessage<SnsMessage>(raw, snsOptions));
      if (payload.Type === 'SubscriptionConfirmation') {
        await o.onSubscriptionConfirmation?.(payload.SubscribeURL);
        return markVerified([]);
      }
      if (payload.Type !== 'Notification') return markVerified([]);
      let message: SesNotification;
      try {
        message = JSON.parse(payload.Message) as SesNotification;
      } catch {
        throw new IntegrationError('invalid_input', 'the SNS message is not an SES notification', {
          provider: PROVIDER,
          details: { field: 'Message' },
        });
      }
      return markVerified(toEvents(message, id ?? payload.MessageId, now));
    },
  };
}

function formatAddress(a: EmailAddress): string {
  return a.name ? `"${a.name.replace(/["\\]/g, '\\$&')}" <${a.email}>` : a.email;
}

interface SesNotification {
  notificationType?: string;
  eventType?: string;
  mail?: { messageId?: string; timestamp?: string; destination?: string[] };
  bounce?: {
    bounceType?: string;
    bounceSubType?: string;
    bouncedRecipients?: { emailAddress?: string; status?: string }[];
    timestamp?: string;
  };
  complaint?: { complainedRecipients?: { emailAddress?: string }[]; timestamp?: string };
  delivery?: { recipients?: string[]; timestamp?: string };
}

/** SES notifications (`notificationType`) and event publishing (`eventType`) share these shapes. */
function toEvents(n: SesNotification, snsMessageId: string, now: () => number): DeliveryEvent[] {
  const iso = (text: string | undefined) => isoOrReceipt(text, now);
  const type = n.notificationType ?? n.eventType;
  const messageId = n.mail?.messageId;
  if (!messageId) return [];
  const base = { kind: 'delivery' as const, provider: PROVIDER, channel: 'email' as const, providerMessageId: messageId };
  const events: DeliveryEvent[] = [];
  // One SNS message can name several recipients; the SNS MessageId (plus the recipient) is the event's identity.
  if (type === 'Bounce') {
    const hard = n.bounce?.bounceType === 'Permanent';
    for (const r of n.bounce?.bouncedRecipients ?? []) {
      const e: DeliveryEvent = {
        ...base,
        providerEventId: `${snsMessageId}:${r.emailAddress}`,
        status: 'bounced',
        bounceType: hard ? 'hard' : 'soft',
        occurredAt: iso(n.bounce?.timestamp),
      };
      if (r.emailAddress) e.recipient = normalizeAddress('email', r.emailAddress);
      if (r.status) e.reason = r.status;
      events.push(e);
    }
  } else if (type === 'Complaint') {
    for (const r of n.complaint?.complainedRecipients ?? []) {
      const e: DeliveryEvent = {
        ...base,
        providerEventId: `${snsMessageId}:${r.emailAddress}`,
        status: 'complained',
        occurredAt: iso(n.complaint?.timestamp),
      };
      if (r.emailAddress) e.recipient = normalizeAddress('email', r.emailAddress);
      events.push(e);
    }
  } else if (type === 'Delivery') {
    for (const r of n.delivery?.recipients ?? []) {
      events.push({
        ...base,
        providerEventId: `${snsMessageId}:${r}`,
        status: 'delivered',
        recipient: normalizeAddress('email', r),
        occurredAt: iso(n.delivery?.timestamp),
      });
    }
  } else if (type === 'Send') {
    events.push({ ...base, providerEventId: snsMessageId, status: 'queued', occurredAt: iso(n.mail?.timestamp) });
  }
  return events;
}

/** The event's own time, or, when it has none that parses, when we received it (the injected clock): never 1970. */
function isoOrReceipt(text: string | undefined, now: () => number): string {
  const t = text ? Date.parse(text) : Number.NaN;
  return new Date(Number.isNaN(t) ? now() : t).toISOString();
}

function refineError(error: IntegrationError, body: unknown): IntegrationError {
  let e = notSentOn4xx(error);
  const type = String((body as { __type?: unknown; name?: unknown })?.__type ?? (body as { name?: unknown })?.name ?? '');
  // SESv2 errors: a suppressed address and an unverified sender are the caller's problem, not transient.
  if (/AccountSuspended|SendingPaused/.test(type))
    e = withCode(e, 'permission', { retryable: false, details: { sesError: type, notSent: true } });
  else if (/MessageRejected|MailFromDomainNotVerified|NotFound/.test(type))
    e = withCode(e, 'invalid_input', { retryable: false, details: { sesError: type, notSent: true } });
  else if (/TooManyRequests|LimitExceeded|Throttl/.test(type))
    e = withCode(e, 'rate_limited', { retryable: true, details: { sesError: type, notSent: true } });
  else if (/SignatureDoesNotMatch|UnrecognizedClient|InvalidClientTokenId|ExpiredToken/.test(type))
    e = withCode(e, 'authentication', { retryable: false, details: { sesError: type, notSent: true } });
  return e;
}
