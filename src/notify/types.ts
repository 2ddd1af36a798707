/**
 * The plain data of `switchyard/notify`: messages for the three channels, what a send returns, and
 * the normalized events that provider webhooks turn into. Everything here is JSON-serializable.
 */
import type { RawWebhook } from '../webhooks/types.js';

export const CHANNELS = ['email', 'sms', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface EmailAddress {
  email: string;
  name?: string;
}

/**
 * An email. `category: 'bulk'` (newsletters, reminders a person can opt out of) requires
 * `unsubscribe`, which becomes RFC 2369 / RFC 8058 headers; transactional mail may carry it too.
 */
export interface EmailMessage {
  channel: 'email';
  to: string | EmailAddress;
  /** Default: the adapter's `from` option. */
  from?: string | EmailAddress;
  replyTo?: string | EmailAddress;
  subject: string;
  /** At least one of `text` and `html`. Send both: spam filters and screen readers prefer both. */
  text?: string;
  html?: string;
  /** Extra headers. `List-Unsubscribe*` are set from `unsubscribe`; CR/LF in names or values is rejected. */
  headers?: Record<string, string>;
  category?: 'transactional' | 'bulk';
  unsubscribe?: UnsubscribeTarget;
  /** Short labels the provider keeps with the message (SendGrid categories, SES tags). */
  tags?: string[];
}

/** Where a one-click unsubscribe goes: an https URL the host serves (see `createUnsubscribeHandler`), optionally a mailto. */
export interface UnsubscribeTarget {
  url: string;
  mailto?: string;
}

export interface SmsMessage {
  channel: 'sms';
  /** E.164: `+` then 8 to 15 digits, e.g. `+14155550100`. */
  to: string;
  /** A sender number in E.164 or an alphanumeric sender id. Default: the adapter's `from`. */
  from?: string;
  body: string;
}

/** The object a browser's `PushManager.subscribe()` returns, as JSON. */
export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export type PushTarget = { kind: 'webpush'; subscription: WebPushSubscription } | { kind: 'fcm'; token: string };

export interface PushMessage {
  channel: 'push';
  to: PushTarget;
  title?: string;
  body?: string;
  /** String values only (FCM requires it; Web Push gets it as JSON). */
  data?: Record<string, string>;
  /** How long the push service keeps an undelivered message, seconds. Default 86,400. */
  ttlSeconds?: number;
  urgency?: 'very-low' | 'low' | 'normal' | 'high';
}

export type NotifyMessage = EmailMessage | SmsMessage | PushMessage;
export interface MessagesByChannel {
  email: EmailMessage;
  sms: SmsMessage;
  push: PushMessage;
}
export type MessageFor<C extends Channel> = MessagesByChannel[C];

export interface SendOptions {
  /**
   * Required: the same key for the same logical message (a booking id + purpose). Passed to the
   * provider where it supports one, and what the strategies use to never send twice.
   */
  idempotencyKey: string;
  signal?: AbortSignal;
}

export interface SendResult {
  channel: Channel;
  /** `smtp`, `sendgrid`, `ses`, `twilio`, `webpush`, `fcm`, `fake`. */
  provider: string;
  /** The provider's id for the message; delivery events carry the same id. */
  providerMessageId: string;
  /** `accepted`: the provider took it and will not say more unless webhooks are set up; `queued`: delivery events will follow. */
  status: 'accepted' | 'queued';
  idempotencyKey: string;
  /** True when this is the stored result of an earlier send with the same key (nothing was sent now). */
  replayed?: boolean;
}

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
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A normalized delivery event. Only adapters' `parseWebhook` (which verifies first) and the fake create them. */
export interface DeliveryEvent {
  kind: 'delivery';
  provider: string;
  channel: Channel;
  /** Unique per provider event (`sg_event_id`, SNS `MessageId`, Twilio `MessageSid:status`): the dedupe key. */
  providerEventId: string;
  providerMessageId: string;
  status: DeliveryStatus;
  /** For `bounced`: `hard` (the address will never work: suppressed) or `soft` (a full mailbox, a greylist). */
  bounceType?: 'hard' | 'soft';
  /** Email address, E.164 number or push endpoint/token the event is about, when the provider says. */
  recipient?: string;
  /** ISO-8601 instant. */
  occurredAt: string;
  /** Provider's short reason (an SMTP status, a Twilio error code), never a message body. */
  reason?: string;
}

/** SMS keywords (Twilio Advanced Opt-Out: STOP, START, HELP and their synonyms). */
export interface ConsentEvent {
  kind: 'consent';
  provider: string;
  channel: Channel;
  providerEventId: string;
  action: 'opt_out' | 'opt_in' | 'help';
  /** The person's address (their phone number for SMS). */
  address: string;
  occurredAt: string;
}

export type NotifyEvent = DeliveryEvent | ConsentEvent;

/**
 * The port. Adapters are factory functions returning one of these, typed by the channels they send:
 * `createTwilioSms()` is a `Notifier<'sms'>`, so handing it an email does not compile.
 */
export interface Notifier<C extends Channel = Channel> {
  readonly provider: string;
  readonly channels: readonly C[];
  /** Validate, check nothing is malformed, send once. Throws `IntegrationError` on any failure. */
  send(message: MessagesByChannel[C], options: SendOptions): Promise<SendResult>;
  /**
   * Verify a provider webhook (through `switchyard/webhooks`) and normalize it. A forged or
   * tampered request throws; nothing unverified ever comes out of here. Absent when the provider
   * has no delivery webhooks (SMTP).
   */
  parseWebhook?(raw: RawWebhook): Promise<NotifyEvent[]>;
  close?(): Promise<void>;
}
