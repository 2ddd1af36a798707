/**
 * Delivery status per message, from verified provider events. Providers deliver webhooks out of
 * order and more than once, so the status only moves forward (a late `sent` never overwrites
 * `delivered`), a `bounced` or `complained` after `delivered` is kept (providers send both: a
 * mailbox can accept then bounce), and each provider event id is applied once.
 *
 * The tracker is also the feedback loop: hard bounces, complaints, unsubscribes and SMS STOP write
 * the suppression list; SMS START lifts it.
 */
import { IntegrationError } from '../core/errors.js';
import { createMemoryStore } from '../stores/memory.js';
import type { Store } from '../stores/store.js';
import type { SuppressionList, SuppressionReason } from './suppression.js';
import type { Channel, DeliveryEvent, DeliveryStatus, NotifyEvent } from './types.js';
import { isVerifiedEvent } from './verified.js';

/**
 * Progress order. Equal or higher rank replaces the status. A soft bounce ranks with `sent`, so a
 * later `delivered` (the retry worked) wins; a hard bounce ranks above everything positive.
 *
 * @example
 * statusRank('delivered') > statusRank('sent'); // true: a late `sent` never overwrites `delivered`
 * statusRank('bounced', 'soft') === statusRank('sent'); // true: a later `delivered` still wins
 */
export function statusRank(status: DeliveryStatus, bounceType?: 'hard' | 'soft'): number {
  switch (status) {
    case 'queued':
      return 1;
    case 'sent':
      return 2;
    case 'delivered':
      return 3;
    case 'opened':
    case 'read':
      return 4;
    case 'clicked':
      return 5;
    case 'bounced':
      return bounceType === 'soft' ? 2 : 6;
    case 'failed':
      return 6;
    case 'complained':
    case 'unsubscribed':
      return 7;
  }
}

/** The tracked state of one sent message, as `DeliveryTracker.get` returns it. */
export interface DeliveryRecord {
  /** The adapter's `provider` name. */
  provider: string;
  /** The channel the message went out on. */
  channel: Channel;
  /** `SendResult.providerMessageId`. */
  providerMessageId: string;
  /** The furthest status reached (see `statusRank`). */
  status: DeliveryStatus;
  /** Set when `status` is `bounced`. */
  bounceType?: 'hard' | 'soft';
  /** The address the latest event named, when the provider says. */
  recipient?: string;
  /** ISO instant of the event that set `status`. */
  updatedAt: string;
  /** Every status seen, in arrival order, for audit (deduplicated events are not repeated). */
  history: { status: DeliveryStatus; at: string; eventId: string }[];
}

/** What `DeliveryTracker.record` did with one event. */
export interface RecordOutcome {
  /** The event, as given. */
  event: NotifyEvent;
  /** `applied`: moved the status or wrote consent; `stale`: older than the status (kept in history only); `duplicate`: seen before. */
  outcome: 'applied' | 'stale' | 'duplicate';
}

/** Delivery status per message from verified events, feeding the suppression list; made by `createDeliveryTracker`. */
export interface DeliveryTracker {
  /**
   * Apply verified events, in order. Throws `signature_invalid` for any event that did not come
   * from a verifier. An event counts as seen only once its suppression write is durable: when
   * that write (or the store) fails, `record` throws and the same event delivered again is applied
   * again, not dropped as a duplicate, so answer the provider with a 5xx and let it redeliver. An
   * event another worker is applying right now is `idempotency_in_progress` (retryable).
   */
  record(events: readonly NotifyEvent[]): Promise<RecordOutcome[]>;
  /** The record of one message, by the adapter's `provider` name and `SendResult.providerMessageId`; undefined before its first event. */
  get(provider: string, providerMessageId: string): Promise<DeliveryRecord | undefined>;
}

/** Options of `createDeliveryTracker`. */
export interface DeliveryTrackerOptions {
  /** Where records live. Default: in-memory; use Redis or PostgreSQL when webhooks reach several processes. */
  store?: Store;
  /** Fed by hard bounces, complaints, unsubscribes and SMS STOP/START. */
  suppression?: SuppressionList;
  /** How long records and seen event ids are kept, seconds. Default 30 days. */
  ttlSeconds?: number;
  /** Store key prefix. Default `notify:delivery:`. */
  keyPrefix?: string;
}

const MAX_HISTORY = 50;
const MAX_CAS_ATTEMPTS = 20;
/** How long one worker may hold an event while writing its effects before the claim lapses. */
const CLAIM_SECONDS = 60;

/**
 * Track delivery status per message from verified webhook events: forward-only, deduplicated by
 * provider event id, and writing the suppression list (hard bounces, complaints, unsubscribes,
 * SMS STOP; SMS START lifts it). `record` refuses, as `signature_invalid`, a batch with any event
 * that did not come from a `parseWebhook`.
 *
 * @example
 * const tracker = createDeliveryTracker({ store, suppression });
 * const events = await sendgrid.parseWebhook(await fromFetchRequest(request)); // throws on a forged request
 * await tracker.record(events);
 * const record = await tracker.get('sendgrid', result.providerMessageId); // { status: 'delivered', history: […], … }
 */
export function createDeliveryTracker(options: DeliveryTrackerOptions = {}): DeliveryTracker {
  const store = options.store ?? createMemoryStore();
  const ttlSeconds = options.ttlSeconds ?? 30 * 86_400;
  const prefix = options.keyPrefix ?? 'notify:delivery:';
  const suppression = options.suppression;

  const apply = async (event: DeliveryEvent): Promise<RecordOutcome['outcome']> => {
    const key = `${prefix}${event.provider}:${event.providerMessageId}`;
    for (let i = 0; i < MAX_CAS_ATTEMPTS; i++) {
      const current = await store.get<DeliveryRecord>(key);
      const record = current?.value;
      if (record?.history.some((h) => h.eventId === event.providerEventId)) return 'duplicate';
      const entry = { status: event.status, at: event.occurredAt, eventId: event.providerEventId };
      const forward = !record || statusRank(event.status, event.bounceType) >= statusRank(record.status, record.bounceType);
      const next: DeliveryRecord = record
        ? { ...record, history: [...record.history, entry].slice(-MAX_HISTORY) }
        : {
            provider: event.provider,
            channel: event.channel,
            providerMessageId: event.providerMessageId,
            status: event.status,
            updatedAt: event.occurredAt,
            history: [entry],
          };
      if (forward) {
        next.status = event.status;
        next.updatedAt = event.occurredAt;
        if (event.bounceType) next.bounceType = event.bounceType;
        else delete next.bounceType;
      }
      if (event.recipient !== undefined) next.recipient = event.recipient;
      if ((await store.compareAndSet(key, current?.version ?? null, next, { ttlSeconds })) !== false) return forward ? 'applied' : 'stale';
    }
    throw new IntegrationError('conflict', 'delivery record kept changing under concurrent updates; deliver the webhook again', {
      retryable: true,
    });
  };

  const feedSuppression = async (event: NotifyEvent): Promise<void> => {
    if (!suppression) return;
    if (event.kind === 'consent') {
      if (event.action === 'opt_out') await suppression.add(event.channel, event.address, { reason: 'sms_stop', provider: event.provider });
      if (event.action === 'opt_in') await suppression.remove(event.channel, event.address);
      return;
    }
    if (event.recipient === undefined) return;
    let reason: SuppressionReason | undefined;
    if (event.status === 'bounced' && event.bounceType === 'hard') reason = 'hard_bounce';
    if (event.status === 'complained') reason = 'complaint';
    if (event.status === 'unsubscribed') reason = 'unsubscribed';
    if (reason) await suppression.add(event.channel, event.recipient, { reason, provider: event.provider });
  };

  const seenKey = (event: NotifyEvent) => `${prefix}seen:${event.provider}:${event.providerEventId}`;
  // A delivery event is committed by its id entering the message's history; consent events have
  // no message to attach to and are committed by their own `seen:` key.
  const isCommitted = async (event: NotifyEvent): Promise<boolean> => {
    if (event.kind === 'consent') return (await store.get(seenKey(event))) !== undefined;
    const record = (await store.get<DeliveryRecord>(`${prefix}${event.provider}:${event.providerMessageId}`))?.value;
    return record?.history.some((h) => h.eventId === event.providerEventId) === true;
  };

  /** Claim the event for this worker; the returned function releases the claim (only if still ours). */
  const claim = async (event: NotifyEvent): Promise<() => Promise<void>> => {
    const key = `${prefix}claim:${event.provider}:${event.providerEventId}`;
    const token = globalThis.crypto.randomUUID();
    if (!(await store.setIfAbsent(key, token, { ttlSeconds: CLAIM_SECONDS }))) {
      throw new IntegrationError('idempotency_in_progress', 'another worker is applying this webhook event; deliver the webhook again', {
        retryable: true,
        details: { provider: event.provider, providerEventId: event.providerEventId },
      });
    }
    return async () => {
      const held = await store.get<string>(key);
      if (held?.value === token) await store.compareAndDelete(key, held.version);
    };
  };

  // Claim → effects → commit. The event is marked seen only after its suppression write is
  // durable, so a provider's redelivery after a failed write applies it again (the writes are
  // idempotent) instead of being dropped as a duplicate. The claim keeps a second worker from
  // applying a stale STOP after a later START while the first is still writing.
  const recordOne = async (event: NotifyEvent): Promise<RecordOutcome['outcome']> => {
    if (await isCommitted(event)) return 'duplicate';
    const release = await claim(event);
    try {
      if (await isCommitted(event)) return 'duplicate';
      await feedSuppression(event);
      if (event.kind === 'delivery') return await apply(event);
      await store.set(seenKey(event), 1, { ttlSeconds });
      return 'applied';
    } finally {
      // A release that fails leaves the claim to expire (CLAIM_SECONDS); it must not hide the outcome.
      await release().catch(() => undefined);
    }
  };

  return {
    async record(events) {
      if (!Array.isArray(events))
        throw new IntegrationError('invalid_input', 'record() takes the array parseWebhook returned', { details: { field: 'events' } });
      // Check the whole batch first: one forged event refuses the batch, nothing half-applied.
      for (const event of events) {
        if (!isVerifiedEvent(event)) {
          throw new IntegrationError(
            'signature_invalid',
            'only events returned by an adapter’s parseWebhook (which verifies the signature) can change delivery status or suppressions',
            {
              retryable: false,
            },
          );
        }
      }
      const outcomes: RecordOutcome[] = [];
      for (const event of events) {
        outcomes.push({ event, outcome: await recordOne(event) });
      }
      return outcomes;
    },
    async get(provider, providerMessageId) {
      return (await store.get<DeliveryRecord>(`${prefix}${provider}:${providerMessageId}`))?.value;
    },
  };
}
