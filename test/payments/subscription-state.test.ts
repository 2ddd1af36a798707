/**
 * `applySubscriptionEvent` under late, duplicated and reordered delivery: fast-check builds
 * 50-event lifecycles through legal transitions and checks that every permutation (with
 * duplicates sprinkled in) folds to the in-order state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import {
  applySubscriptionEvent,
  canTransition,
  createFakePayments,
  isSubscriptionEvent,
  SUBSCRIPTION_STATUSES,
  SUBSCRIPTION_TRANSITIONS,
  type SubscriptionEvent,
  type SubscriptionState,
  type SubscriptionStatus,
} from '../../src/payments/index.js';

const T0 = Date.UTC(2026, 0, 1);
const LIVE: SubscriptionStatus[] = ['trialing', 'active', 'past_due', 'unpaid', 'paused'];

function event(i: number, status: SubscriptionStatus, atSecond: number, withSequence: boolean): SubscriptionEvent {
  const type =
    status === 'canceled'
      ? 'subscription.canceled'
      : status === 'past_due'
        ? 'subscription.past_due'
        : i === 0
          ? 'subscription.created'
          : 'subscription.updated';
  return {
    schemaVersion: 1,
    id: `evt_${String(i).padStart(4, '0')}`,
    provider: 'test',
    type,
    objectId: 'sub_1',
    occurredAt: new Date(T0 + atSecond * 1000).toISOString(),
    ...(withSequence ? { sequence: i + 1 } : {}),
    livemode: false,
    data: {
      id: 'sub_1',
      customerId: 'cus_1',
      status,
      priceId: i % 3 === 0 ? 'price_basic' : 'price_pro',
      quantity: 1 + (i % 4),
      cancelAtPeriodEnd: false,
      metadata: { step: String(i) },
      createdAt: new Date(T0).toISOString(),
    },
  } as SubscriptionEvent;
}

/** A lifecycle of `n` events: incomplete or trialing, then legal moves, maybe canceled with stragglers after. */
const lifecycle = (n: number) =>
  fc
    .record({
      start: fc.constantFrom<SubscriptionStatus>('incomplete', 'trialing'),
      moves: fc.array(fc.nat(), { minLength: n - 1, maxLength: n - 1 }),
      // Gaps of 0 make same-second events, which only `sequence` (or the id) can order.
      gaps: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      cancelAt: fc.option(fc.integer({ min: 1, max: n - 1 }), { nil: undefined }),
      withSequence: fc.boolean(),
    })
    .map(({ start, moves, gaps, cancelAt, withSequence }) => {
      const events: SubscriptionEvent[] = [];
      let status = start;
      let second = 0;
      for (let i = 0; i < n; i++) {
        second += gaps[i] ?? 1;
        if (i > 0) {
          if (i === cancelAt) status = 'canceled';
          else if (status !== 'canceled') {
            const options = SUBSCRIPTION_TRANSITIONS[status].filter((s) => LIVE.includes(s));
            status = options[(moves[i - 1] ?? 0) % options.length] ?? status;
          }
          // After cancellation Stripe still delivers late `updated` events carrying `canceled`.
        }
        events.push(event(i, status, second, withSequence));
      }
      return events;
    });

const fold = (events: readonly SubscriptionEvent[], from?: SubscriptionState) =>
  events.reduce<SubscriptionState | undefined>((s, e) => applySubscriptionEvent(s, e), from);

describe('applySubscriptionEvent', () => {
  it('a shuffled sequence of 50 lifecycle events with duplicates converges to the in-order state', () => {
    fc.assert(
      fc.property(
        lifecycle(50).chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
            fc.array(fc.nat({ max: 49 }), { maxLength: 20 }),
          ),
        ),
        ([ordered, shuffled, dupes]) => {
          const expected = fold(ordered);
          const delivered = [...shuffled];
          for (const d of dupes) delivered.splice(d % (delivered.length + 1), 0, ordered[d] as SubscriptionEvent);
          expect(fold(delivered)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('in order, the state is the last event (or the cancellation that ended it)', () => {
    fc.assert(
      fc.property(lifecycle(50), (events) => {
        const state = fold(events);
        const canceled = events.find((e) => e.data.status === 'canceled');
        const last = events.at(-1) as SubscriptionEvent;
        expect(state?.subscription.status).toBe(canceled ? 'canceled' : last.data.status);
        if (!canceled) expect(state?.version.eventId).toBe(last.id);
      }),
      { numRuns: 200 },
    );
  });

  it('a duplicate returns the very same state object; a stale event too', () => {
    const a = event(0, 'incomplete', 1, true);
    const b = event(1, 'active', 2, true);
    const state = fold([a, b]) as SubscriptionState;
    expect(applySubscriptionEvent(state, b)).toBe(state);
    expect(applySubscriptionEvent(state, a)).toBe(state);
    expect(state.subscription.status).toBe('active');
  });

  it('nothing returns to incomplete and nothing leaves canceled, whatever the timestamps say', () => {
    const created = event(5, 'incomplete', 100, false); // late: stamped after the activation
    const active = event(1, 'active', 10, false);
    expect(fold([active, created])?.subscription.status).toBe('active');
    const canceled = event(2, 'canceled', 20, false);
    const lateUpdate = event(3, 'active', 30, false);
    expect(fold([canceled, lateUpdate])?.subscription.status).toBe('canceled');
    expect(fold([lateUpdate, canceled])?.subscription.status).toBe('canceled');
  });

  it('an event about another subscription is invalid_input', () => {
    const state = fold([event(0, 'active', 1, false)]) as SubscriptionState;
    const other = event(1, 'active', 2, false);
    other.data = { ...other.data, id: 'sub_2' };
    expect(() => applySubscriptionEvent(state, other)).toThrow(IntegrationError);
  });

  it('the transition table: terminal statuses are absorbing, every status can reach canceled but incomplete_expired', () => {
    for (const s of SUBSCRIPTION_STATUSES) {
      expect(canTransition(s, s)).toBe(true);
      if (s !== 'canceled' && s !== 'incomplete_expired') expect(canTransition(s, 'canceled')).toBe(true);
      if (s !== 'incomplete') expect(canTransition(s, 'incomplete')).toBe(false);
    }
    expect(canTransition('canceled', 'active')).toBe(false);
    expect(canTransition('incomplete_expired', 'active')).toBe(false);
    expect(canTransition('active', 'incomplete_expired')).toBe(false);
  });

  it('the fake’s own event stream converges under shuffling too', async () => {
    const fake = createFakePayments();
    const c = await fake.createCustomer({ email: 'a@example.com' });
    const sub = await fake.createSubscription({ customerId: c.id, priceId: 'price_basic', trialDays: 7 });
    await fake.clock.advance(40 * 86_400_000);
    await fake.updateSubscription(sub.id, { priceId: 'price_pro' });
    fake.setCardBehavior(c.id, 'declined');
    await fake.clock.advance(31 * 86_400_000);
    fake.setCardBehavior(c.id, 'succeed');
    await fake.pauseSubscription(sub.id);
    await fake.resumeSubscription(sub.id);
    await fake.cancelSubscription(sub.id, { atPeriodEnd: true });
    await fake.clock.advance(31 * 86_400_000);
    const events = fake.events().filter(isSubscriptionEvent);
    expect(events.map((e) => e.data.status)).toContain('past_due');
    const expected = fold(events);
    expect(expected?.subscription.status).toBe('canceled');
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), (shuffled) => {
        expect(fold(shuffled)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
