/**
 * At most one send per channel and idempotency key, across processes and restarts. Email, SMS and
 * push providers mostly accept no idempotency key (SendGrid, SES, Twilio and FCM do not), so the
 * guarantee has to come from a durable record written before the request leaves:
 *
 *   (absent) ─claim─▶ sending ─ok──────────────▶ sent       (replays return this result)
 *                        │    ─provably not sent─▶ (absent)   (429, bad input, suppressed: a retry may send)
 *                        │    ─outcome unknown──▶ uncertain  (timeout, 5xx: never sent again on this channel)
 *                        └─ holder crashed, lock expired ──▶ uncertain
 *
 * `uncertain` answers every later send with a non-retryable `conflict` (details.uncertain): a
 * fallback moves on to the next channel, a host decides. Sending twice is the failure we refuse.
 */
import { IntegrationError, isIntegrationError, type ErrorCode } from '../core/errors.js';
import { createMemoryStore } from '../stores/memory.js';
import type { Store } from '../stores/store.js';
import { updateRecord } from './store-record.js';
import type { SuppressionList } from './suppression.js';
import type { Channel, Notifier, NotifyMessage, SendOptions, SendResult } from './types.js';
import { addressOf, checkMessage, checkSendOptions } from './validate.js';

type GuardRecord =
  | { state: 'sending'; startedAt: number }
  | { state: 'sent'; result: SendResult }
  | { state: 'uncertain'; since: number; reason: string };

/** Options of `guardSends`. */
export interface GuardOptions {
  /** Default: in-memory (one process). Pass a Redis or PostgreSQL store for the cross-restart guarantee. */
  store?: Store;
  /** How long a send may take before its claim counts as crashed, ms. Default 60,000. */
  lockMs?: number;
  /** How long outcomes are remembered, seconds. Default 7 days. */
  ttlSeconds?: number;
  /** Store key prefix. Default `notify:once:<provider>:`. */
  keyPrefix?: string;
  /** Clock in epoch ms, for claims and their expiry. Default `Date.now`. */
  now?: () => number;
  /** Checked before every send: a suppressed recipient is a non-retryable `permission` error and nothing is sent. */
  suppression?: SuppressionList;
}

/** Codes that prove the provider did not accept the message, so the claim can be released. */
const NOT_SENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid_input',
  'invalid_config',
  'authentication',
  'permission',
  'not_found',
  'rate_limited',
  'unsupported',
  'precondition_failed',
]);

/**
 * Whether a send's error proves the provider did not take the message (bad input or config,
 * authentication, permission, not found, rate limited, unsupported, precondition failed, or
 * `details.notSent`), so
 * sending again with the same key cannot make a second copy.
 *
 * @example
 * provablyNotSent(new IntegrationError('rate_limited', 'slow down')); // true
 * provablyNotSent(new IntegrationError('timeout', 'no answer')); // false: it may have gone out
 */
export function provablyNotSent(error: unknown): boolean {
  if (!isIntegrationError(error)) return false;
  if (error.details?.notSent === true) return true;
  return NOT_SENT.has(error.code);
}

/**
 * Whether the error is `guardSends` refusing a key whose earlier send may have gone out (a
 * non-retryable `conflict` with `details.uncertain`): do not resend on this channel; tell someone
 * or use another channel.
 *
 * @example
 * try {
 *   await guarded.send(message, { idempotencyKey: 'booking:42:reminder' });
 * } catch (error) {
 *   if (isUncertain(error)) logger.warn({ key: 'booking:42:reminder' }, 'reminder may have been sent; not resending');
 *   else throw error;
 * }
 */
export function isUncertain(error: unknown): boolean {
  return isIntegrationError(error) && error.code === 'conflict' && error.details?.uncertain === true;
}

/**
 * What `guardSends` returns: the port's members of the notifier it wraps (`provider`, `channels`,
 * `send`, and `parseWebhook` / `close` when that notifier has them), so a `WebhookNotifier` stays
 * one and its channel type is kept. Helpers of a particular adapter (the fake's `emit`) are not
 * carried over.
 */
export type GuardedNotifier<N extends Notifier<Channel>> = Notifier<N['channels'][number]> &
  Pick<N, Extract<keyof N, 'parseWebhook' | 'close'>>;

/**
 * Wrap a notifier so each channel and idempotency key is sent at most once, across processes and
 * restarts when `store` is durable: a claim is written before the request leaves, the result
 * after. A replay returns the stored result (`replayed: true`); a send still in flight is
 * `idempotency_in_progress`; a key whose outcome is unknown (timeout, 5xx, crash) is a
 * non-retryable `conflict` with `details.uncertain` (see `isUncertain`).
 *
 * @example
 * const twilio = guardSends(createTwilioSms({ accountSid, authToken, from: '+14155550199' }), { store: redisStore, suppression });
 * await twilio.send({ channel: 'sms', to: '+14155550100', body: 'Your code is 123456' }, { idempotencyKey: 'otp:user_42:1' });
 * const again = await twilio.send({ channel: 'sms', to: '+14155550100', body: 'Your code is 123456' }, { idempotencyKey: 'otp:user_42:1' });
 * again.replayed; // true: nothing was sent the second time
 */
export function guardSends<N extends Notifier<Channel>>(notifier: N, options: GuardOptions = {}): GuardedNotifier<N> {
  const store = options.store ?? createMemoryStore();
  const lockMs = options.lockMs ?? 60_000;
  const ttlSeconds = options.ttlSeconds ?? 7 * 86_400;
  const prefix = options.keyPrefix ?? `notify:once:${notifier.provider}:`;
  const now = options.now ?? Date.now;

  const uncertain = (reason: string) =>
    new IntegrationError(
      'conflict',
      `an earlier send with this idempotency key may have gone out (${reason}); not sending again on this channel`,
      {
        retryable: false,
        provider: notifier.provider,
        details: { uncertain: true, reason },
      },
    );

  const guarded: Notifier = {
    provider: notifier.provider,
    channels: notifier.channels,
    async send(message: NotifyMessage, sendOptions: SendOptions): Promise<SendResult> {
      const idempotencyKey = checkSendOptions(sendOptions);
      if (options.suppression) {
        checkMessage(message);
        await options.suppression.assertAllowed(message.channel, addressOf(message));
      }
      const key = `${prefix}${String(message?.channel)}:${idempotencyKey}`;
      let claimed = false;
      let seen: GuardRecord | undefined;
      await updateRecord<GuardRecord>(
        store,
        key,
        (current) => {
          seen = current;
          claimed = false;
          if (current === undefined) {
            claimed = true;
            return { state: 'sending', startedAt: now() };
          }
          if (current.state === 'sending' && current.startedAt + lockMs <= now()) {
            return { state: 'uncertain', since: now(), reason: 'the process sending it stopped before recording the outcome' };
          }
          return undefined;
        },
        { ttlSeconds },
      );
      if (!claimed) {
        const record = seen as GuardRecord | undefined;
        if (record?.state === 'sent') return { ...record.result, replayed: true };
        if (record?.state === 'sending' && record.startedAt + lockMs > now()) {
          throw new IntegrationError('idempotency_in_progress', 'a send with this idempotency key is in progress', {
            provider: notifier.provider,
          });
        }
        throw uncertain(record?.state === 'uncertain' ? record.reason : 'the process sending it stopped before recording the outcome');
      }
      try {
        const result = await notifier.send(message, sendOptions);
        await store.set<GuardRecord>(key, { state: 'sent', result }, { ttlSeconds });
        return result;
      } catch (error) {
        if (provablyNotSent(error)) {
          await store.delete(key);
        } else {
          const reason = isIntegrationError(error) ? error.code : 'unexpected error';
          await store.set<GuardRecord>(key, { state: 'uncertain', since: now(), reason }, { ttlSeconds });
        }
        throw error;
      }
    },
  };
  if (notifier.parseWebhook) guarded.parseWebhook = notifier.parseWebhook.bind(notifier);
  if (notifier.close) guarded.close = notifier.close.bind(notifier);
  // Exactly the port's members of N, so a WebhookNotifier stays one (parseWebhook required).
  return guarded as GuardedNotifier<N>;
}
