/**
 * The fake adapter: validates like the real ones, records what was "sent", answers a repeated
 * idempotency key with the first result, and emits delivery events on demand (marked verified, as
 * if they came from a signed webhook). For host tests and the examples; deterministic.
 */
import { IntegrationError } from '../core/errors.js';
import {
  CHANNELS,
  type Channel,
  type DeliveryEvent,
  type DeliveryStatus,
  type Notifier,
  type NotifyMessage,
  type SendResult,
} from './types.js';
import { addressOf, checkMessage, checkSendOptions, invalid } from './validate.js';
import { markVerified } from './verified.js';

/** One message the fake sent: a copy of the message and the result it returned. */
export interface FakeSentMessage {
  /** A structured clone of the message as given to `send`. */
  message: NotifyMessage;
  /** What `send` returned for it. */
  result: SendResult;
}

/** A `Notifier` for tests that records sends, injects failures and emits verified events; made by `createFakeNotifier`. */
export interface FakeNotifier extends Notifier {
  /** Every message actually sent, in order (replays of a key are not repeated). */
  readonly sent: readonly FakeSentMessage[];
  /** The next `count` sends (default 1) fail with this error, after validation, before recording. */
  failNext(error: IntegrationError, count?: number): void;
  /** Every send fails with this error until `failNext`/`failAlways(undefined)` changes it. */
  failAlways(error: IntegrationError | undefined): void;
  /** A delivery event for a sent message, as a verified webhook would produce it. */
  emit(
    providerMessageId: string,
    status: DeliveryStatus,
    extra?: { bounceType?: 'hard' | 'soft'; eventId?: string; reason?: string },
  ): DeliveryEvent;
  /** Forget everything sent, every remembered key and every queued failure. */
  reset(): void;
}

/** Options of `createFakeNotifier`. */
export interface FakeNotifierOptions {
  /** Default `fake`. Use distinct names for two fakes in one strategy. */
  provider?: string;
  /** Default all three. */
  channels?: Channel[];
  /** Clock in epoch ms, for events' `occurredAt`. Default `Date.now`. */
  now?: () => number;
}

/**
 * An in-memory `Notifier` for host tests and examples: it validates like the real adapters (same
 * `invalid_input` errors), answers a repeated idempotency key with the first result (`replayed`),
 * fails on demand, and emits delivery events marked verified, as a signed webhook would produce.
 * Message ids are deterministic: `<provider>_000001`, `<provider>_000002`, …
 *
 * @example
 * const email = createFakeNotifier({ provider: 'fake-email', channels: ['email'] });
 * const result = await email.send({ channel: 'email', to: 'ada@example.com', subject: 'Hi', text: 'Hello' }, { idempotencyKey: 'k1' });
 * email.sent.length; // 1
 * const bounce = email.emit(result.providerMessageId, 'bounced'); // a hard bounce, accepted by tracker.record
 * email.failNext(new IntegrationError('unavailable', 'provider down', { retryable: true }));
 */
export function createFakeNotifier(options: FakeNotifierOptions = {}): FakeNotifier {
  const provider = options.provider ?? 'fake';
  const channels = options.channels ?? [...CHANNELS];
  for (const c of channels)
    if (!(CHANNELS as readonly string[]).includes(c))
      throw new IntegrationError('invalid_config', `createFakeNotifier: unknown channel ${String(c)}`, { details: { field: 'channels' } });
  const now = options.now ?? Date.now;
  const sent: FakeSentMessage[] = [];
  const byKey = new Map<string, SendResult>();
  const byId = new Map<string, FakeSentMessage>();
  let failures: IntegrationError[] = [];
  let always: IntegrationError | undefined;
  let counter = 0;
  let eventCounter = 0;

  return {
    provider,
    channels,
    sent,
    async send(message, options) {
      const key = checkSendOptions(options);
      checkMessage(message);
      if (!channels.includes(message.channel))
        throw new IntegrationError('unsupported', `${provider} does not send ${message.channel}`, { provider });
      const previous = byKey.get(`${message.channel}:${key}`);
      if (previous) return { ...previous, replayed: true };
      const failure = failures.shift() ?? always;
      if (failure) throw failure;
      const result: SendResult = {
        channel: message.channel,
        provider,
        providerMessageId: `${provider}_${(++counter).toString().padStart(6, '0')}`,
        status: 'queued',
        idempotencyKey: key,
      };
      const entry = { message: structuredClone(message), result };
      sent.push(entry);
      byKey.set(`${message.channel}:${key}`, result);
      byId.set(result.providerMessageId, entry);
      return { ...result };
    },
    failNext(error, count = 1) {
      failures.push(...Array.from({ length: count }, () => error));
    },
    failAlways(error) {
      always = error;
    },
    emit(providerMessageId, status, extra = {}) {
      const entry = byId.get(providerMessageId);
      if (!entry) throw invalid('providerMessageId', `${provider} sent no message with that id`);
      const event: DeliveryEvent = {
        kind: 'delivery',
        provider,
        channel: entry.result.channel,
        providerEventId: extra.eventId ?? `${provider}_evt_${++eventCounter}`,
        providerMessageId,
        status,
        recipient: addressOf(entry.message),
        occurredAt: new Date(now()).toISOString(),
      };
      if (status === 'bounced') event.bounceType = extra.bounceType ?? 'hard';
      if (extra.reason !== undefined) event.reason = extra.reason;
      return markVerified([event])[0] as DeliveryEvent;
    },
    reset() {
      sent.length = 0;
      byKey.clear();
      byId.clear();
      failures = [];
      always = undefined;
    },
  };
}
