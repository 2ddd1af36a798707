/**
 * The subscription lifecycle and `applySubscriptionEvent`, the reducer a host runs on every
 * subscription event to keep its own copy of a subscription's state.
 *
 * Webhooks arrive late, twice, and out of order. The reducer therefore is a *join*: it keeps the
 * event that ranks highest and ignores the rest. Ranking is, in order:
 *  1. the lifecycle phase: `incomplete` < live statuses < terminal (`canceled`, `incomplete_expired`),
 *     so nothing returns to `incomplete` and nothing leaves a terminal status, whenever it arrives;
 *  2. `occurredAt`, then `sequence` (same-second events), then the event id as a final tie-break.
 * A max over a total order is commutative, associative and idempotent, so any delivery order of the
 * same events converges to the in-order state and a duplicate is a no-op (same object returned).
 * Stripe is the source of truth for the live statuses (a trial added by update moves `active` back
 * to `trialing`), so between live statuses the newest event wins.
 */
import { IntegrationError } from '../core/errors.js';
import type { SubscriptionEvent } from './events.js';
import type { Subscription, SubscriptionStatus } from './schemas.js';

/** The transitions Stripe documents between subscription statuses. */
export const SUBSCRIPTION_TRANSITIONS: Readonly<Record<SubscriptionStatus, readonly SubscriptionStatus[]>> = {
  incomplete: ['active', 'trialing', 'incomplete_expired', 'canceled', 'past_due'],
  incomplete_expired: [],
  trialing: ['active', 'past_due', 'unpaid', 'canceled', 'paused'],
  active: ['past_due', 'unpaid', 'canceled', 'paused', 'trialing'],
  past_due: ['active', 'unpaid', 'canceled', 'paused'],
  unpaid: ['active', 'past_due', 'canceled', 'paused'],
  paused: ['active', 'trialing', 'canceled', 'past_due'],
  canceled: [],
};

/**
 * True when Stripe can move a subscription from `from` to `to` (staying put counts).
 *
 * @example
 * canTransition('trialing', 'active'); // true
 * canTransition('canceled', 'active'); // false
 */
export function canTransition(from: SubscriptionStatus, to: SubscriptionStatus): boolean {
  return from === to || SUBSCRIPTION_TRANSITIONS[from].includes(to);
}

/**
 * True for statuses a subscription never leaves: `canceled` and `incomplete_expired`.
 *
 * @example
 * isTerminalStatus('canceled'); // true
 */
export function isTerminalStatus(status: SubscriptionStatus): boolean {
  return SUBSCRIPTION_TRANSITIONS[status].length === 0;
}

/** What the host stores: the subscription snapshot plus the version of the event it came from. */
export interface SubscriptionState {
  subscription: Subscription;
  version: { eventId: string; occurredAt: string; sequence?: number };
}

function phase(status: SubscriptionStatus): number {
  if (status === 'incomplete') return 0;
  return isTerminalStatus(status) ? 2 : 1;
}

/** What `compareSubscriptionVersions` orders: a subscription status with the version of the event that set it. */
export type SubscriptionVersion = { status: SubscriptionStatus; occurredAt: string; sequence?: number | undefined; eventId: string };

/**
 * Negative when `a` ranks below `b`. Exported for hosts that persist state and compare in SQL.
 *
 * @example
 * const newer = compareSubscriptionVersions({ status: 'active', occurredAt: '2026-03-01T10:00:00Z', eventId: 'evt_2' },
 *   { status: 'trialing', occurredAt: '2026-02-01T10:00:00Z', eventId: 'evt_1' }) > 0; // true
 */
export function compareSubscriptionVersions(a: SubscriptionVersion, b: SubscriptionVersion): number {
  return (
    phase(a.status) - phase(b.status) ||
    Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
    (a.sequence ?? 0) - (b.sequence ?? 0) ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}

/**
 * Fold one subscription event into the stored state. Returns the same `state` object when the
 * event is stale or a duplicate (so `next === state` means "nothing to do"), a new state otherwise.
 * Throws `invalid_input` for an event about another subscription.
 *
 * @example
 * const stored = await db.load(event.objectId); // SubscriptionState | undefined
 * const next = applySubscriptionEvent(stored, event);
 * if (next !== stored) await db.save(event.objectId, next);
 */
export function applySubscriptionEvent(state: SubscriptionState | undefined, event: SubscriptionEvent): SubscriptionState {
  const next: SubscriptionState = {
    subscription: event.data,
    version: {
      eventId: event.id,
      occurredAt: event.occurredAt,
      ...(event.sequence === undefined ? {} : { sequence: event.sequence }),
    },
  };
  if (!state) return next;
  if (state.subscription.id !== event.data.id) {
    throw new IntegrationError('invalid_input', `event ${event.id} is about subscription ${event.data.id}, not ${state.subscription.id}`, {
      details: { field: 'event.data.id' },
    });
  }
  const stored: SubscriptionVersion = { status: state.subscription.status, ...state.version };
  const incoming: SubscriptionVersion = { status: event.data.status, ...next.version };
  return compareSubscriptionVersions(incoming, stored) > 0 ? next : state;
}
