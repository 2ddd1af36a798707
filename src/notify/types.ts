/**
 * The plain data of `switchyard/notify`: messages for the three channels, what a send returns, and
 * the normalized events that provider webhooks turn into. Everything here is JSON-serializable.
 */
import type { RawWebhook } from '../webhooks/types.js';

/** The channels a `Notifier` can send on, in no particular order. */
export const CHANNELS = ['email', 'sms', 'push'] as const;
/** `email`, `sms` or `push`. */
export type Channel = (typeof CHANNELS)[number];

/** An email address with an optional display name (`"Ada Lovelace" <ada@example.com>`). */
export interface EmailAddress {
  /** The address itself, e.g. `ada@example.com`. */
  email: string;
  /** Display name; a single line. */
  name?: string;
}

/**
 * An email. `category: 'bulk'` (newsletters, reminders a person can opt out of) requires
 * `unsubscribe`, which becomes RFC 2369 / RFC 8058 headers; transactional mail may carry it too.
 */
export interface EmailMessage {
  /** Always `email`. */
  channel: 'email';
  /** The recipient: `ada@example.com` or `{ email, name }`. */
  to: string | EmailAddress;
  /** Default: the adapter's `from` option. */
  from?: string | EmailAddress;
  /** Where replies go, when not to `from`. */
  replyTo?: string | EmailAddress;
  /** One line, at most 998 characters. */
  subject: string;
  /** At least one of `text` and `html`. Send both: spam filters and screen readers prefer both. */
  text?: string;
  /** The HTML body; put user data in through `createTemplates` (which escapes it) or `escapeHtml`. */
  html?: string;
  /** Extra headers. `List-Unsubscribe*` are set from `unsubscribe`; CR/LF in names or values is rejected. */
  headers?: Record<string, string>;
  /** `bulk` (opt-out-able mail) requires `unsubscribe`. Default `transactional`. */
  category?: 'transactional' | 'bulk';
  /** Becomes `List-Unsubscribe` and `List-Unsubscribe-Post` (see `listUnsubscribeHeaders`). */
  unsubscribe?: UnsubscribeTarget;
  /** Short labels the provider keeps with the message (SendGrid categories, SES tags). */
  tags?: string[];
}

/** Where a one-click unsubscribe goes: an https URL the host serves (see `createUnsubscribeHandler`), optionally a mailto. */
export interface UnsubscribeTarget {
  /** An https URL, usually `unsubscribeUrl(base, token)`. */
  url: string;
  /** An address that unsubscribes on receipt, for clients that only do mailto. */
  mailto?: string;
}

/** A text message, at most 1,600 characters (see `smsSegments` for what it costs). */
export interface SmsMessage {
  /** Always `sms`. */
  channel: 'sms';
  /** E.164: `+` then 8 to 15 digits, e.g. `+14155550100`. */
  to: string;
  /** A sender number in E.164 or an alphanumeric sender id. Default: the adapter's `from`. */
  from?: string;
  /** The text, 1 to 1,600 characters. */
  body: string;
}

/** The object a browser's `PushManager.subscribe()` returns, as JSON. */
export interface WebPushSubscription {
  /** The push service URL for this browser: an https URL, and a capability (never log it). */
  endpoint: string;
  /** The browser's P-256 public key and auth secret, base64url, for RFC 8291 encryption. */
  keys: { p256dh: string; auth: string };
}

/** Where a push goes: a browser's Web Push subscription, or an FCM registration token. */
export type PushTarget = { kind: 'webpush'; subscription: WebPushSubscription } | { kind: 'fcm'; token: string };

/** A push notification: at least one of `title`, `body` and `data`, at most 4,010 bytes as JSON. */
export interface PushMessage {
  /** Always `push`. */
  channel: 'push';
  /** A Web Push subscription or an FCM token; the adapter must match (`createWebPush`, `createFcmPush`). */
  to: PushTarget;
  /** The notification's title. */
  title?: string;
  /** The notification's text. */
  body?: string;
  /** String values only (FCM requires it; Web Push gets it as JSON). */
  data?: Record<string, string>;
  /** How long the push service keeps an undelivered message, seconds. Default 86,400. */
  ttlSeconds?: number;
  /** RFC 8030 urgency (Web Push); `high` also raises the FCM Android and APNs priority. Default `normal`. */
  urgency?: 'very-low' | 'low' | 'normal' | 'high';
}

/** A message for any channel, discriminated by `channel`. */
export type NotifyMessage = EmailMessage | SmsMessage | PushMessage;
/** The message type of each channel (`MessageFor<'sms'>` is `SmsMessage`). */
export interface MessagesByChannel {
  email: EmailMessage;
  sms: SmsMessage;
  push: PushMessage;
}
/** The message type a `Notifier<C>` sends: `MessageFor<'email'>` is `EmailMessage`. */
export type MessageFor<C extends Channel> = MessagesByChannel[C];

/** Options of every `send`. */
export interface SendOptions {
  /**
   * Required: the same key for the same logical message (a booking id + purpose). Passed to the
   * provider where it supports one, and what the strategies use to never send twice.
   */
  idempotencyKey: string;
  /**
   * Stops the send. Already aborted: nothing is sent, and the error is a non-retryable `timeout`
   * with `details.aborted` and `details.notSent` (the key stays free). Aborted mid-request: the
   * HTTP adapters (SendGrid, SES, Resend, Twilio, FCM) cancel the `fetch` and any wait between
   * attempts, and the error has `details.aborted` without `notSent` unless the provider had only
   * refused it so far: it may have gone out, so `guardSends` counts the key as uncertain. SMTP and
   * Web Push check it only before sending (nodemailer and web-push cannot cancel a request in
   * flight). `failover` tries no other provider and `fallback` no other channel after an abort.
   */
  signal?: AbortSignal;
}

/** What a successful `send` returns. Delivery events later refer to `providerMessageId`. */
export interface SendResult {
  /** The channel the message went out on. */
  channel: Channel;
  /** `smtp`, `sendgrid`, `ses`, `twilio`, `webpush`, `fcm`, `fake`. */
  provider: string;
  /** The provider's id for the message; delivery events carry the same id. */
  providerMessageId: string;
  /** `accepted`: the provider took it and will not say more unless webhooks are set up; `queued`: delivery events will follow. */
  status: 'accepted' | 'queued';
  /** The key the send was made with. */
  idempotencyKey: string;
  /** True when this is the stored result of an earlier send with the same key (nothing was sent now). */
  replayed?: boolean;
}

/** Every status a delivery event can carry, roughly in progress order (see `statusRank` for the exact order). */
export const DELIVERY_STATUSES = [
  'queued',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'read',
  'bounced',
  'complained',
  'unsubscribed',
  'failed',
] as const;
/** One of `DELIVERY_STATUSES`: `queued`, `sent`, `delivered`, `bounced`, `complained`, … */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A normalized delivery event. Only adapters' `parseWebhook` (which verifies first) and the fake create them. */
export interface DeliveryEvent {
  /** Always `delivery`. */
  kind: 'delivery';
  /** The adapter's `provider` name. */
  provider: string;
  /** The channel the message went out on. */
  channel: Channel;
  /** Unique per provider event (`sg_event_id`, SNS `MessageId`, Twilio `MessageSid:status`): the dedupe key. */
  providerEventId: string;
  /** `SendResult.providerMessageId` of the message the event is about. */
  providerMessageId: string;
  /** What happened to the message. */
  status: DeliveryStatus;
  /** For `bounced`: `hard` (the address will never work: suppressed) or `soft` (a full mailbox, a greylist). */
  bounceType?: 'hard' | 'soft';
  /** Email address, E.164 number or push endpoint/token the event is about, when the provider says. */
  recipient?: string;
  /**
   * ISO-8601 instant: the provider's event time, or, when the event carries none that parses,
   * when the adapter received it (its `now` option): never 1970.
   */
  occurredAt: string;
  /** Provider's short reason (an SMTP status, a Twilio error code), never a message body. */
  reason?: string;
}

/** SMS keywords (Twilio Advanced Opt-Out: STOP, START, HELP and their synonyms). */
export interface ConsentEvent {
  /** Always `consent`. */
  kind: 'consent';
  /** The adapter's `provider` name. */
  provider: string;
  /** The channel the keyword came in on (`sms`). */
  channel: Channel;
  /** Unique per provider event (the inbound `MessageSid`): the dedupe key. */
  providerEventId: string;
  /** `opt_out` (STOP and synonyms) suppresses the address, `opt_in` (START) lifts it, `help` changes nothing. */
  action: 'opt_out' | 'opt_in' | 'help';
  /** The person's address (their phone number for SMS). */
  address: string;
  /** ISO-8601 instant (when the adapter received it: Twilio sends no event time). */
  occurredAt: string;
}

/** What an adapter's `parseWebhook` returns: delivery events, and consent events (SMS keywords). */
export type NotifyEvent = DeliveryEvent | ConsentEvent;

/**
 * The port. Adapters are factory functions returning one of these, typed by the channels they send:
 * `createTwilioSms()` is a `Notifier<'sms'>`, so handing it an email does not compile.
 */
export interface Notifier<C extends Channel = Channel> {
  /** `smtp`, `sendgrid`, `ses`, `resend`, `twilio`, `webpush`, `fcm`, `fake`, or a strategy's composite name. */
  readonly provider: string;
  /** The channels `send` accepts. */
  readonly channels: readonly C[];
  /** Validate, check nothing is malformed, send once. Throws `IntegrationError` on any failure. */
  send(message: MessagesByChannel[C], options: SendOptions): Promise<SendResult>;
  /**
   * Verify a provider webhook (through `switchyard/webhooks`) and normalize it. A forged or
   * tampered request throws; nothing unverified ever comes out of here. Absent when the provider
   * has no delivery webhooks (SMTP).
   */
  parseWebhook?(raw: RawWebhook): Promise<NotifyEvent[]>;
  /** Release connections (the SMTP pool); absent when there is nothing to release. */
  close?(): Promise<void>;
}

/**
 * A `Notifier` whose provider posts delivery webhooks, so `parseWebhook` is always there
 * (`createSendGridEmail`, `createSesEmail`, `createResendEmail`, `createTwilioSms`): call
 * `sendgrid.parseWebhook(raw)` without a `!`.
 */
export interface WebhookNotifier<C extends Channel = Channel> extends Notifier<C> {
  /** Verify a provider webhook (through `switchyard/webhooks`) and normalize it; a forged or tampered request throws. */
  parseWebhook(raw: RawWebhook): Promise<NotifyEvent[]>;
}
