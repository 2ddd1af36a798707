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
  /** Apply verified events. Throws `signature_invalid` for any event that did not come from a verifier. */
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

/**
 * Track delivery status per message from verified webhook events: forward-only, deduplicated by
 * provider event id, and writing the suppression list (hard bounces, complaints, unsubscribes,
 * SMS STOP; SMS START lifts it). `record` refuses, as `signature_invalid`, a batch with any event
 * that did not come from a `parseWebhook`.
 *
 * @example
 * const tracker = createDeliveryTracker({ store, suppression });
 * const events = await sendgrid.parseWebhook!(await fromFetchRequest(request)); // throws on a forged request
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

  // Consent events have no message to attach to; they are deduplicated by id in their own key.
  const applyConsent = async (event: NotifyEvent): Promise<RecordOutcome['outcome']> => {
    const fresh = await store.setIfAbsent(`${prefix}seen:${event.provider}:${event.providerEventId}`, 1, { ttlSeconds });
    return fresh ? 'applied' : 'duplicate';
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
        const outcome = event.kind === 'delivery' ? await apply(event) : await applyConsent(event);
        if (outcome !== 'duplicate') await feedSuppression(event);
        outcomes.push({ event, outcome });
      }
      return outcomes;
    },
    async get(provider, providerMessageId) {
      return (await store.get<DeliveryRecord>(`${prefix}${provider}:${providerMessageId}`))?.value;
    },
  };
}
