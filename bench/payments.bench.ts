/**
 * Payments webhook processing on a realistic `customer.subscription.updated` event, as a time
 * ratio to stripe-node's `constructEvent` (verify + JSON.parse) on the same bytes: what a host pays
 * without switchyard. Target: the adapter's `parseWebhook` (verify + livemode/version checks +
 * normalize) within 1.5× of that anchor, so normalization is not the cost of a webhook.
 * Also: the reducer on 50 events and zod validation of a normalized event, for scale.
 */
import Stripe from 'stripe';
import { applySubscriptionEvent, isSubscriptionEvent, paymentEventSchema, type SubscriptionState } from '../src/payments/index.js';
import { createStripePayments, normalizeStripeEvent, STRIPE_API_VERSION } from '../src/payments/stripe/index.js';
import { verifyStripeWebhook } from '../src/webhooks/index.js';
import { subscription } from '../test/payments/support/stripe-objects.js';
import { measure, report } from './harness.js';

const secret = 'whsec_bench_0123456789abcdefghijklmnop';
const created = 1_767_225_600;
const event = {
  id: 'evt_1SwitchyardBench',
  object: 'event',
  api_version: STRIPE_API_VERSION,
  created,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type: 'customer.subscription.updated',
  data: { object: subscription({ status: 'past_due' }), previous_attributes: { status: 'active' } },
};
const text = JSON.stringify(event);
const stripe = new Stripe('sk_test_placeholder_not_used_for_calls');
const header = stripe.webhooks.generateTestHeaderString({ payload: text, secret, timestamp: created });
const raw = { body: text, headers: { 'stripe-signature': header } };
const now = () => created * 1000;
const adapter = createStripePayments({ apiKey: 'sk_test_placeholderNotUsedForCalls', webhookSecret: secret, now });
const quiet = createStripePayments({
  apiKey: 'sk_test_placeholderNotUsedForCalls',
  webhookSecret: secret,
  now,
  telemetry: { openTelemetry: false },
});

const normalized = await adapter.parseWebhook(raw);
if (normalized.type !== 'subscription.past_due') throw new Error(`unexpected ${normalized.type}`);
const events = Array.from({ length: 50 }, (_, i) => ({
  ...normalized,
  id: `evt_${i}`,
  occurredAt: new Date((created + i) * 1000).toISOString(),
}));
const subscriptionEvents = events.filter(isSubscriptionEvent);
const shuffled = [...subscriptionEvents].reverse();

// The machine is shared: every case is measured once per round, rounds interleave the cases so a
// busy phase hits them all alike, and each case keeps its best round.
const cases: [string, () => unknown, number][] = [
  ['stripe.webhooks.constructEvent (verify + parse)', () => stripe.webhooks.constructEvent(text, header, secret, 1e9), 200],
  ['switchyard verifyStripeWebhook (verify + parse)', () => verifyStripeWebhook(raw, { secret, now }), 200],
  ['switchyard stripe parseWebhook (verify + parse + checks + normalize)', () => adapter.parseWebhook(raw), 200],
  ['the same, OpenTelemetry off', () => quiet.parseWebhook(raw), 200],
  ['normalizeStripeEvent alone (same object every time)', () => normalizeStripeEvent(event as never), 200],
  ['normalizeStripeEvent of a freshly parsed event', () => normalizeStripeEvent(JSON.parse(text)), 200],
  ['(reference) JSON.parse of the event', () => JSON.parse(text), 200],
  ['paymentEventSchema.parse of the normalized event (zod)', () => paymentEventSchema.parse(normalized), 200],
  [
    'applySubscriptionEvent over 50 events, reversed order',
    () => shuffled.reduce<SubscriptionState | undefined>((s, e) => applySubscriptionEvent(s, e), undefined),
    20,
  ],
];
const best = new Map<string, Awaited<ReturnType<typeof measure>>>();
for (let round = 0; round < 5; round++) {
  for (const [name, fn, batch] of cases) {
    const m = await measure(name, fn, { batch, durationMs: 250 });
    const seen = best.get(name);
    if (!seen || m.medianMicros < seen.medianMicros) best.set(name, m);
  }
}
const [anchor, ...rows] = cases.map(([name]) => best.get(name) as Awaited<ReturnType<typeof measure>>);
report(
  `Payments webhook processing, ${text.length}-byte subscription event (target: parseWebhook ≤ 1.5× constructEvent)`,
  anchor as Awaited<ReturnType<typeof measure>>,
  rows,
);
