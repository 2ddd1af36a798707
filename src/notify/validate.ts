/**
 * Checks every adapter (and the fake) runs before anything leaves the process, so a bad address
 * is the same clear `invalid_input` everywhere instead of whatever each provider answers.
 */
import { IntegrationError, isIntegrationError } from '../core/errors.js';
import { CHANNELS, type Channel, type EmailAddress, type MessagesByChannel, type NotifyMessage, type SendOptions } from './types.js';

/** Web Push payloads are encrypted into one 4096-byte record (RFC 8291 §4); FCM's limit is also 4 KB. */
export const MAX_PUSH_PAYLOAD_BYTES = 4096 - 86; // record size minus the aes128gcm header, padding delimiter and tag overhead as web-push computes it
export const MAX_SMS_LENGTH = 1600; // Twilio's cap on a message body, in characters
export const MAX_SUBJECT_LENGTH = 998; // RFC 5322 line limit
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

// Deliberately simple (the WHATWG `input type=email` rule): full RFC 5322 accepts addresses no
// provider delivers to. The domain must have a dot, so `user@localhost` is refused.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
const E164 = /^\+[1-9]\d{7,14}$/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const HEADER_NAME = /^[!-9;-~]+$/;

export function invalid(field: string, message: string): IntegrationError {
  return new IntegrationError('invalid_input', message, { details: { field } });
}

/**
 * Whether `value` is an email address every adapter accepts: the WHATWG `input type=email` rule,
 * a dotted domain, at most 254 characters (64 before the `@`). No display name.
 *
 * @example
 * isEmailAddress('ada@example.com'); // true
 * isEmailAddress('ada@localhost'); // false: the domain needs a dot
 * isEmailAddress('Ada <ada@example.com>'); // false: pass { email, name } for a display name
 */
export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL.test(value) && (value.split('@')[0]?.length ?? 0) <= 64;
}

/**
 * Whether `value` is an E.164 phone number: `+`, a non-zero digit, 8 to 15 digits in all, nothing else.
 *
 * @example
 * isE164('+14155550100'); // true
 * isE164('(415) 555-0100'); // false: normalize to E.164 before sending
 */
export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value);
}

/** `a@b.co` or `{ email, name }` → `{ email, name? }`, or `invalid_input` naming the field. Never echoes the address. */
export function emailAddress(value: unknown, field: string): EmailAddress {
  const email = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? (value as EmailAddress).email : undefined;
  const name = typeof value === 'object' && value !== null ? (value as EmailAddress).name : undefined;
  if (!isEmailAddress(email)) throw invalid(field, `${field} is not a valid email address`);
  if (name !== undefined && (typeof name !== 'string' || /[\r\n]/.test(name)))
    throw invalid(field, `${field}.name must be a single-line string`);
  return name === undefined ? { email } : { email, name };
}

export function checkSendOptions(options: SendOptions | undefined): string {
  const key = options?.idempotencyKey;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw invalid(
      'idempotencyKey',
      `send() needs an idempotencyKey (1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters) so a retry never sends twice`,
    );
  }
  const signal = options?.signal;
  if (signal !== undefined) {
    if (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).aborted !== 'boolean')
      throw invalid('signal', 'signal must be an AbortSignal');
    if (signal.aborted) throw abortedError(signal, true);
  }
  return key;
}

/**
 * The error for a send whose `signal` aborted: `timeout`, not retryable (the caller stopped
 * waiting), `details.aborted`, and `details.notSent` when the request never left (so `guardSends`
 * releases the key; otherwise the key is `uncertain`, as after any timeout). The signal's reason is
 * the `cause`.
 */
export function abortedError(signal: AbortSignal, notSent: boolean, provider?: string): IntegrationError {
  const what = notSent ? 'before anything was sent' : 'while the request was in flight; it may have been sent';
  return new IntegrationError('timeout', `the send was aborted ${what}`, {
    retryable: false,
    cause: signal.reason,
    ...(provider !== undefined ? { provider } : {}),
    details: notSent ? { aborted: true, notSent: true } : { aborted: true },
  });
}

/** Whether `error` is a send stopped by its caller's `signal` (see `abortedError`). */
export function isAborted(error: unknown): boolean {
  return isIntegrationError(error) && error.details?.aborted === true;
}

function singleLine(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, `${field} must be a non-empty string`);
  if (/[\r\n]/.test(value)) throw invalid(field, `${field} must not contain line breaks (header injection)`);
  if (value.length > max) throw invalid(field, `${field} is longer than ${max} characters`);
  return value;
}

/** Bytes of the JSON a push adapter sends; used for the 4 KB check. */
export function pushPayload(message: Extract<NotifyMessage, { channel: 'push' }>): string {
  const payload: Record<string, unknown> = {};
  if (message.title !== undefined) payload.title = message.title;
  if (message.body !== undefined) payload.body = message.body;
  if (message.data !== undefined) payload.data = message.data;
  return JSON.stringify(payload);
}

/**
 * What every single-channel adapter checks first: a valid message (`checkMessage`) on the channel it
 * sends (`unsupported` otherwise, naming both).
 */
export function assertChannel<C extends Channel>(
  provider: string,
  message: NotifyMessage,
  channel: C,
): asserts message is MessagesByChannel[C] {
  checkMessage(message);
  if (message.channel !== channel)
    throw new IntegrationError('unsupported', `${provider} sends ${channel}, not ${message.channel}`, { provider });
}

/** Validate a message for any channel; throws `invalid_input` naming the first bad field. */
export function checkMessage(message: NotifyMessage): void {
  if (typeof message !== 'object' || message === null) throw invalid('message', 'message must be an object');
  if (!(CHANNELS as readonly string[]).includes((message as { channel?: string }).channel as string)) {
    throw invalid('channel', `message.channel must be one of ${CHANNELS.join(', ')}`);
  }
  switch (message.channel) {
    case 'email': {
      emailAddress(message.to, 'to');
      if (message.from !== undefined) emailAddress(message.from, 'from');
      if (message.replyTo !== undefined) emailAddress(message.replyTo, 'replyTo');
      singleLine(message.subject, 'subject', MAX_SUBJECT_LENGTH);
      if (message.text === undefined && message.html === undefined) throw invalid('text', 'an email needs text, html or both');
      if (message.text !== undefined && typeof message.text !== 'string') throw invalid('text', 'text must be a string');
      if (message.html !== undefined && typeof message.html !== 'string') throw invalid('html', 'html must be a string');
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (!HEADER_NAME.test(name)) throw invalid('headers', 'a header name has characters a header name cannot have');
        if (/^list-unsubscribe/i.test(name)) throw invalid('headers', 'set List-Unsubscribe through message.unsubscribe, not headers');
        singleLine(value, 'headers', 998);
      }
      if (message.category === 'bulk' && message.unsubscribe === undefined) {
        throw invalid('unsubscribe', 'bulk email must carry an unsubscribe target (RFC 8058; Gmail and Yahoo require it)');
      }
      if (message.unsubscribe !== undefined) {
        const url = safeUrl(message.unsubscribe.url);
        if (url?.protocol !== 'https:') throw invalid('unsubscribe.url', 'unsubscribe.url must be an https URL (RFC 8058)');
        if (message.unsubscribe.mailto !== undefined && !isEmailAddress(message.unsubscribe.mailto)) {
          throw invalid('unsubscribe.mailto', 'unsubscribe.mailto is not a valid email address');
        }
      }
      return;
    }
    case 'sms': {
      if (!isE164(message.to)) throw invalid('to', 'to must be an E.164 phone number such as +14155550100');
      if (message.from !== undefined && !isE164(message.from) && !ALPHANUMERIC_SENDER.test(message.from)) {
        throw invalid('from', 'from must be an E.164 number or an alphanumeric sender id of up to 11 characters');
      }
      if (typeof message.body !== 'string' || message.body.length === 0) throw invalid('body', 'body must be a non-empty string');
      if (message.body.length > MAX_SMS_LENGTH) throw invalid('body', `body is longer than ${MAX_SMS_LENGTH} characters`);
      return;
    }
    case 'push': {
      const to = message.to;
      if (to?.kind === 'webpush') {
        const url = safeUrl(to.subscription?.endpoint);
        if (url?.protocol !== 'https:') throw invalid('to.subscription.endpoint', 'a push subscription endpoint must be an https URL');
        if (typeof to.subscription.keys?.p256dh !== 'string' || typeof to.subscription.keys?.auth !== 'string') {
          throw invalid('to.subscription.keys', 'a push subscription needs keys.p256dh and keys.auth');
        }
      } else if (to?.kind === 'fcm') {
        if (typeof to.token !== 'string' || to.token.length === 0 || to.token.length > 4096)
          throw invalid('to.token', 'to.token must be an FCM registration token');
      } else {
        throw invalid('to', "push to must be { kind: 'webpush', subscription } or { kind: 'fcm', token }");
      }
      if (message.title === undefined && message.body === undefined && message.data === undefined) {
        throw invalid('body', 'a push needs a title, a body or data');
      }
      for (const [k, v] of Object.entries(message.data ?? {})) {
        if (typeof v !== 'string') throw invalid('data', `data.${k} must be a string (FCM accepts string values only)`);
      }
      if (
        message.ttlSeconds !== undefined &&
        !(Number.isInteger(message.ttlSeconds) && message.ttlSeconds >= 0 && message.ttlSeconds <= 2_419_200)
      ) {
        throw invalid('ttlSeconds', 'ttlSeconds must be an integer from 0 to 2,419,200 (28 days)');
      }
      const bytes = new TextEncoder().encode(pushPayload(message)).length;
      if (bytes > MAX_PUSH_PAYLOAD_BYTES) {
        throw invalid(
          'body',
          `the push payload is ${bytes} bytes; push services accept at most ${MAX_PUSH_PAYLOAD_BYTES} (send an id and fetch the rest)`,
        );
      }
      return;
    }
  }
}

function safeUrl(text: unknown): URL | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** The address a message goes to, normalized the way the suppression list keys it. */
export function addressOf(message: NotifyMessage): string {
  switch (message.channel) {
    case 'email':
      return normalizeAddress('email', typeof message.to === 'string' ? message.to : message.to.email);
    case 'sms':
      return message.to;
    case 'push':
      return message.to.kind === 'webpush' ? message.to.subscription.endpoint : message.to.token;
  }
}

/** Emails compare case-insensitively in practice (the local part is case-sensitive on paper, never in reality). */
export function normalizeAddress(channel: string, address: string): string {
  return channel === 'email' ? address.trim().toLowerCase() : address.trim();
}
