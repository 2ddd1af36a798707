/**
 * `fallback([email, sms, push])`: send a notification by the first channel that works, and move
 * to the next one when a channel fails, when a verified hard bounce arrives, or when no delivery
 * confirmation came within the caller's deadline. The sequence per idempotency key is kept in a
 * `Store`, and every channel goes through `guardSends`, so a channel is never used twice for the
 * same key, also across restarts, and a message is not dropped while a channel remains.
 */
import { IntegrationError, isIntegrationError } from '../core/errors.js';
import { canonicalJson } from '../idempotency/canonical.js';
import { createMemoryStore } from '../stores/memory.js';
import type { Store } from '../stores/store.js';
import { closeAllOnce } from './close.js';
import { guardSends, isUncertain } from './guard.js';
import type { Preferences } from './preferences.js';
import { updateRecord } from './store-record.js';
import type { SuppressionList } from './suppression.js';
import type {
  Channel,
  EmailMessage,
  Notifier,
  NotifyEvent,
  NotifyMessage,
  PushMessage,
  SendOptions,
  SendResult,
  SmsMessage,
} from './types.js';
import { addressOf, checkMessage, checkSendOptions, invalid, isAborted } from './validate.js';
import { isVerifiedEvent } from './verified.js';

/** One notification, with its content for each channel it may go out on. */
export interface Notification {
  /** The email to send when the chain reaches the email channel. */
  email?: Omit<EmailMessage, 'channel'>;
  /** The SMS to send when the chain reaches the SMS channel. */
  sms?: Omit<SmsMessage, 'channel'>;
  /** The push to send when the chain reaches the push channel. */
  push?: Omit<PushMessage, 'channel'>;
  /** The person, for per-person channel preferences (see `createPreferences`). */
  personId?: string;
  /**
   * `sensitive` (a one-time code, a password reset, a security alert): goes only to the first
   * channel that has content, never silently somewhere else, unless `allowFallback` names the
   * channel. Default `normal`.
   */
  sensitivity?: 'normal' | 'sensitive';
  /** Channels a `sensitive` notification may still fall back to. */
  allowFallback?: Channel[];
  /**
   * Move on when no `delivered` (or later) event arrived this long after a send, ms. Checked when
   * the host calls `escalate(key)` (schedule it for `confirmBy` of the result).
   */
  confirmWithinMs?: number;
}

/**
 * Where one channel of a fallback stands: `sent` (live), `delivered` (confirmed), `failed`,
 * `bounced`, `unconfirmed` (no confirmation by `confirmBy`), `uncertain` (may have gone out; never
 * retried), `skipped` (no content, suppressed, opted out, or sensitive). A send in flight has no
 * attempt yet: `guardSends` holds its claim, and the attempt is written with its outcome.
 */
export type AttemptState = 'sent' | 'delivered' | 'failed' | 'bounced' | 'unconfirmed' | 'uncertain' | 'skipped';

/** One channel's attempt within a fallback sequence. */
export interface FallbackAttempt {
  /** The channel tried. */
  channel: Channel;
  /** Where it stands. */
  state: AttemptState;
  /** The adapter that took it, once sent. */
  provider?: string;
  /** The provider's id for the message, once sent. */
  providerMessageId?: string;
  /** Epoch ms after which `escalate` moves on. */
  confirmBy?: number;
  /** Error code or skip reason. */
  reason?: string;
}

/** The stored sequence of one notification (what `FallbackStrategy.inspect` returns). */
export interface FallbackRecord {
  /** Canonical JSON of the notification: the same key with different content is `idempotency_conflict`. */
  fingerprint: string;
  /** The notification as first sent. */
  notification: Notification;
  /** Every channel tried or skipped so far, in chain order. */
  attempts: FallbackAttempt[];
  /** Set once every allowed channel was tried without success. */
  exhausted?: { code: string; message: string };
}

/** A `SendResult` for the channel that took the notification, with what happened on the others. */
export interface FallbackResult extends SendResult {
  /** Channels tried before this one and why they were passed over. */
  attempts: FallbackAttempt[];
  /** Epoch ms: when to call `escalate(idempotencyKey)` if `confirmWithinMs` was set. */
  confirmBy?: number;
}

/** Sends a notification by the first channel that works and moves on when one fails; made by `fallback`. */
export interface FallbackStrategy {
  /**
   * Send by the first usable channel; the same key again returns the live attempt (`replayed`).
   * Throws `permission` or `unavailable` with `details.exhausted` when no channel could take it,
   * `idempotency_conflict` when the key was used for different content.
   */
  send(notification: Notification, options: SendOptions): Promise<FallbackResult>;
  /** Feed verified events (from an adapter's `parseWebhook`): a hard bounce or failure moves the notification on; a delivery confirms it. */
  handleEvents(events: readonly NotifyEvent[]): Promise<FallbackResult[]>;
  /** Call at `confirmBy`: if the current channel has not confirmed delivery, move to the next. */
  escalate(idempotencyKey: string): Promise<FallbackResult | undefined>;
  /** The stored sequence for a key (for support tools and tests). */
  inspect(idempotencyKey: string): Promise<FallbackRecord | undefined>;
  /**
   * Close every step's notifier that has a `close` (an SMTP pool), each notifier once even when it
   * serves two steps, all of them even when one fails; failures come back together as one
   * `unavailable` error naming the providers (`details.providers`). A second call returns the
   * first call's outcome.
   */
  close(): Promise<void>;
}

/** A step of a fallback chain: a single-channel notifier, or `{ channel, notifier }` to pick one channel of a multi-channel one. */
export type FallbackStep = Notifier | { channel: Channel; notifier: Notifier };

/** Options of `fallback`. */
export interface FallbackOptions {
  /** Where sequences and per-channel claims live. Use Redis or PostgreSQL with more than one process. */
  store?: Store;
  /** Checked before every channel: a suppressed address is skipped, not sent to. */
  suppression?: SuppressionList;
  /** Per-person channel choices: a channel the `personId` turned off is skipped. */
  preferences?: Preferences;
  /** See `guardSends`. Default 60,000. */
  lockMs?: number;
  /** How long sequences and claims are kept, seconds. Default 7 days. */
  ttlSeconds?: number;
  /** Store key prefix. Default `notify:fallback:`. */
  keyPrefix?: string;
  /** Clock in epoch ms, for `confirmBy` and claims. Default `Date.now`. */
  now?: () => number;
}

const CONFIRMED: ReadonlySet<string> = new Set(['delivered', 'opened', 'clicked', 'read']);

/**
 * Send a notification by the first channel that works, and move on to the next when a channel
 * fails, a verified hard bounce arrives (`handleEvents`), or no delivery was confirmed in time
 * (`escalate`). Each channel goes through `guardSends`, so it is used at most once per key, also
 * across restarts when `store` is durable. No steps, a step whose channel is ambiguous, or a
 * channel twice is `invalid_config`.
 *
 * @example
 * const notify = fallback([sendgridEmail, twilioSms], { store, suppression, preferences });
 * const result = await notify.send(
 *   { email: { to: 'ada@example.com', subject: 'Booked', text: 'See you at 10:00' }, sms: { to: '+14155550100', body: 'Booked: 10:00' }, personId: 'user_42' },
 *   { idempotencyKey: 'booking:42:confirmed' },
 * );
 * await notify.handleEvents(await sendgridEmail.parseWebhook(raw)); // a hard bounce moves it to SMS
 */
export function fallback(steps: readonly FallbackStep[], options: FallbackOptions = {}): FallbackStrategy {
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new IntegrationError('invalid_config', 'fallback: pass at least one notifier', { details: { field: 'steps' } });
  }
  const store = options.store ?? createMemoryStore();
  const now = options.now ?? Date.now;
  const ttlSeconds = options.ttlSeconds ?? 7 * 86_400;
  const prefix = options.keyPrefix ?? 'notify:fallback:';
  const originals: Notifier[] = [];
  const chain: { channel: Channel; notifier: Notifier }[] = steps.map((step, i) => {
    const { channel, notifier }: { channel: Channel | undefined; notifier: Notifier } =
      'notifier' in step ? step : { channel: step.channels.length === 1 ? step.channels[0] : undefined, notifier: step };
    if (channel === undefined || !notifier.channels.includes(channel)) {
      throw new IntegrationError(
        'invalid_config',
        `fallback: step ${i} needs { channel, notifier } (the notifier sends ${notifier.channels.join(', ')})`,
        {
          details: { field: `steps[${i}]` },
        },
      );
    }
    originals.push(notifier);
    const guardOptions = { store, lockMs: options.lockMs ?? 60_000, ttlSeconds, keyPrefix: `${prefix}once:${notifier.provider}:`, now };
    return { channel, notifier: guardSends(notifier, guardOptions) };
  });
  const seenChannels = new Set<Channel>();
  for (const { channel } of chain) {
    if (seenChannels.has(channel))
      throw new IntegrationError(
        'invalid_config',
        `fallback: channel ${channel} appears twice; use failover() for several providers of one channel`,
        { details: { field: 'steps' } },
      );
    seenChannels.add(channel);
  }

  const recordKey = (key: string) => `${prefix}${key}`;
  const indexKey = (provider: string, id: string) => `${prefix}msg:${provider}:${id}`;

  const messageFor = (n: Notification, channel: Channel): NotifyMessage | undefined => {
    const content = n[channel];
    return content === undefined ? undefined : ({ ...content, channel } as NotifyMessage);
  };

  /** Why a channel may not be used for this notification, or undefined when it may. */
  const policyBlock = (n: Notification, channel: Channel): string | undefined => {
    if (n[channel] === undefined) return 'no_content';
    const primary = chain.find((c) => n[c.channel] !== undefined)?.channel;
    if (n.sensitivity === 'sensitive' && channel !== primary && !(n.allowFallback ?? []).includes(channel)) return 'sensitive_no_fallback';
    return undefined;
  };

  const resultOf = (record: FallbackRecord, attempt: FallbackAttempt, key: string, replayed: boolean): FallbackResult => {
    const result: FallbackResult = {
      channel: attempt.channel,
      provider: attempt.provider as string,
      providerMessageId: attempt.providerMessageId as string,
      status: 'queued',
      idempotencyKey: key,
      attempts: record.attempts.map((a) => ({ ...a })),
    };
    if (replayed) result.replayed = true;
    if (attempt.confirmBy !== undefined) result.confirmBy = attempt.confirmBy;
    return result;
  };

  const setAttempt = (
    key: string,
    channel: Channel,
    change: Partial<FallbackAttempt> & { state: AttemptState },
    onlyIf?: (a: FallbackAttempt | undefined) => boolean,
  ) =>
    updateRecord<FallbackRecord>(
      store,
      recordKey(key),
      (record) => {
        if (!record) return undefined;
        const existing = record.attempts.find((a) => a.channel === channel);
        if (onlyIf && !onlyIf(existing)) return undefined;
        const attempts = existing
          ? record.attempts.map((a) => (a.channel === channel ? { ...a, ...change } : a))
          : [...record.attempts, { channel, ...change }];
        return { ...record, attempts };
      },
      { ttlSeconds },
    );

  /** Walk the chain from the first untried channel; returns the live attempt's result or throws when exhausted. */
  const advance = async (key: string, signal?: AbortSignal): Promise<FallbackResult> => {
    for (;;) {
      const record = (await store.get<FallbackRecord>(recordKey(key)))?.value;
      if (!record)
        throw new IntegrationError('not_found', 'no notification with this idempotency key', { details: { field: 'idempotencyKey' } });
      const live = record.attempts.find((a) => a.state === 'sent' || a.state === 'delivered');
      if (live) return resultOf(record, live, key, false);
      if (record.exhausted) throw exhaustedError(record);
      const next = chain.find((c) => !record.attempts.some((a) => a.channel === c.channel));
      if (!next) {
        const last = [...record.attempts].reverse().find((a) => a.state !== 'skipped') ?? record.attempts[record.attempts.length - 1];
        const code = last?.reason ?? 'no_channel';
        await updateRecord<FallbackRecord>(
          store,
          recordKey(key),
          (r) => (r && !r.exhausted ? { ...r, exhausted: { code, message: describe(r) } } : undefined),
          { ttlSeconds },
        );
        continue;
      }
      const { channel, notifier } = next;
      const n = record.notification;
      const blocked = policyBlock(n, channel) ?? (await suppressedOrOptedOut(n, channel));
      if (blocked) {
        await setAttempt(key, channel, { state: 'skipped', reason: blocked }, (a) => a === undefined);
        continue;
      }
      const message = messageFor(n, channel) as NotifyMessage;
      try {
        const sent = await notifier.send(message, { idempotencyKey: `${key}:${channel}`, ...(signal ? { signal } : {}) });
        const attempt: Partial<FallbackAttempt> & { state: AttemptState } = {
          state: 'sent',
          provider: sent.provider,
          providerMessageId: sent.providerMessageId,
        };
        if (n.confirmWithinMs !== undefined) attempt.confirmBy = now() + n.confirmWithinMs;
        await store.set(indexKey(sent.provider, sent.providerMessageId), { key, channel }, { ttlSeconds });
        // Only the first writer records the channel's outcome: a replayed guard result matches it anyway.
        const updated = await setAttempt(key, channel, attempt, (a) => a === undefined);
        const live = updated?.attempts.find((a) => a.channel === channel && (a.state === 'sent' || a.state === 'delivered'));
        if (updated && live) return resultOf(updated, live, key, false); // saves re-reading the record
      } catch (error) {
        // In progress elsewhere, or stopped by the caller: this channel has no outcome to record.
        // (An abort mid-request leaves the channel's key uncertain in guardSends, which the next
        // send with this key records.)
        if ((isIntegrationError(error) && error.code === 'idempotency_in_progress') || isAborted(error)) throw error;
        const state: AttemptState = isUncertain(error) ? 'uncertain' : 'failed';
        // The provider knows the person opted out (Twilio 21610 after a STOP we missed): remember it.
        const optedOut = isIntegrationError(error) && error.details?.suppressed === true && error.provider !== undefined;
        if (optedOut && options.suppression) {
          await options.suppression.add(channel, addressOf(message), {
            reason: channel === 'sms' ? 'sms_stop' : 'unsubscribed',
            provider: (error as IntegrationError).provider as string,
          });
        }
        await setAttempt(
          key,
          channel,
          { state, reason: optedOut ? 'suppressed' : isIntegrationError(error) ? error.code : 'error' },
          (a) => a === undefined,
        );
      }
    }
  };

  const suppressedOrOptedOut = async (n: Notification, channel: Channel): Promise<string | undefined> => {
    const message = messageFor(n, channel) as NotifyMessage;
    if (options.suppression && (await options.suppression.get(channel, addressOf(message)))) return 'suppressed';
    if (options.preferences && n.personId !== undefined && !(await options.preferences.allows(n.personId, channel))) return 'opted_out';
    return undefined;
  };

  const moveOn = async (
    key: string,
    channel: Channel,
    state: 'bounced' | 'unconfirmed',
    reason: string,
  ): Promise<FallbackResult | undefined> => {
    let moved = false;
    await setAttempt(key, channel, { state, reason }, (a) => {
      moved = a?.state === 'sent';
      return moved;
    });
    if (!moved) return undefined;
    try {
      return await advance(key);
    } catch (error) {
      if (isIntegrationError(error) && error.details?.exhausted === true) return undefined;
      throw error;
    }
  };

  return {
    async send(notification, sendOptions) {
      const key = checkSendOptions(sendOptions);
      checkNotification(
        notification,
        chain.map((c) => c.channel),
      );
      const fingerprint = canonicalJson(notification);
      let existing: FallbackRecord | undefined;
      await updateRecord<FallbackRecord>(
        store,
        recordKey(key),
        (current) => {
          existing = current;
          return current ?? { fingerprint, notification, attempts: [] };
        },
        { ttlSeconds },
      );
      if (existing && existing.fingerprint !== fingerprint) {
        throw new IntegrationError('idempotency_conflict', 'this idempotency key was used for a different notification', {
          details: { field: 'idempotencyKey' },
        });
      }
      const result = await advance(key, sendOptions.signal);
      if (existing?.attempts.some((a) => a.channel === result.channel)) result.replayed = true;
      return result;
    },
    async handleEvents(events) {
      const results: FallbackResult[] = [];
      for (const event of events) {
        if (!isVerifiedEvent(event))
          throw new IntegrationError('signature_invalid', 'only events returned by an adapter’s parseWebhook can move a notification on', {
            retryable: false,
          });
        if (event.kind !== 'delivery') continue;
        const index = (await store.get<{ key: string; channel: Channel }>(indexKey(event.provider, event.providerMessageId)))?.value;
        if (!index) continue;
        if (CONFIRMED.has(event.status)) {
          await setAttempt(index.key, index.channel, { state: 'delivered' }, (a) => a?.state === 'sent');
        } else if ((event.status === 'bounced' && event.bounceType !== 'soft') || event.status === 'failed') {
          const moved = await moveOn(index.key, index.channel, 'bounced', event.status === 'failed' ? 'failed' : 'hard_bounce');
          if (moved) results.push(moved);
        }
      }
      return results;
    },
    async escalate(key) {
      const record = (await store.get<FallbackRecord>(recordKey(checkSendOptions({ idempotencyKey: key }))))?.value;
      const live = record?.attempts.find((a) => a.state === 'sent');
      if (!live || live.confirmBy === undefined || live.confirmBy > now()) return undefined;
      return moveOn(key, live.channel, 'unconfirmed', 'no_delivery_confirmation');
    },
    async inspect(key) {
      return (await store.get<FallbackRecord>(recordKey(key)))?.value;
    },
    close: closeAllOnce('fallback', originals),
  };
}

function describe(record: FallbackRecord): string {
  return record.attempts.map((a) => `${a.channel}: ${a.state}${a.reason ? ` (${a.reason})` : ''}`).join(', ');
}

function exhaustedError(record: FallbackRecord): IntegrationError {
  const allSuppressed =
    record.attempts.length > 0 &&
    record.attempts.every(
      (a) => a.reason === 'suppressed' || a.reason === 'opted_out' || a.reason === 'no_content' || a.reason === 'sensitive_no_fallback',
    );
  const code = allSuppressed ? 'permission' : 'unavailable';
  return new IntegrationError(code, `no channel could take the notification: ${record.exhausted?.message ?? describe(record)}`, {
    retryable: false,
    details: { exhausted: true, attempts: record.attempts.map((a) => ({ channel: a.channel, state: a.state, reason: a.reason })) },
  });
}

function checkNotification(n: Notification, channels: Channel[]): void {
  if (typeof n !== 'object' || n === null) throw invalid('notification', 'notification must be an object');
  if (!channels.some((c) => n[c] !== undefined))
    throw invalid('notification', `the notification has content for none of this fallback's channels (${channels.join(', ')})`);
  for (const c of channels) {
    const content = n[c];
    if (content !== undefined) checkMessage({ ...content, channel: c } as NotifyMessage);
  }
  if (n.confirmWithinMs !== undefined && !(Number.isInteger(n.confirmWithinMs) && n.confirmWithinMs > 0))
    throw invalid('confirmWithinMs', 'confirmWithinMs must be a positive integer (ms)');
  if (n.sensitivity !== undefined && n.sensitivity !== 'normal' && n.sensitivity !== 'sensitive')
    throw invalid('sensitivity', "sensitivity must be 'normal' or 'sensitive'");
}
