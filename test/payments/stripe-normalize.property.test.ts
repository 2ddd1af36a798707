/**
 * Whatever object a verified Stripe event carries (partial, from another API version, garbage in
 * known fields), `parseWebhook` returns a schema-valid event and never throws: known types that do
 * not fit become `provider.unhandled`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paymentEventSchema } from '../../src/payments/index.js';
import { normalizeStripeEvent } from '../../src/payments/stripe/index.js';
import { signedStripeEvent, useStripeMock } from './support/stripe-setup.js';

const { adapter } = useStripeMock();

const TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.requires_action',
  'charge.refunded',
  'charge.dispute.created',
  'checkout.session.completed',
  'checkout.session.expired',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'some.future.event',
];

const field = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);
const object = fc.record(
  {
    id: fc.oneof(fc.constant('obj_1'), fc.string({ maxLength: 8 })),
    status: fc.oneof(fc.constantFrom('active', 'past_due', 'succeeded', 'requires_action', 'paused', 'nonsense'), field),
    amount: fc.oneof(fc.integer({ min: -5, max: 10_000 }), field),
    currency: fc.oneof(fc.constantFrom('eur', 'isk', 'zzz'), field),
    // Out-of-range instants listed first: fast-check's oneof favours early branches in nested records.
    created: fc.oneof(fc.constantFrom(1e13, -1e16, 1.5), fc.integer({ min: 0, max: 2_000_000_000 }), field),
    customer: field,
    metadata: field,
    items: field,
    last_payment_error: field,
    pause_collection: field,
    refunds: field,
    parent: field,
  },
  { requiredKeys: [] },
);

describe('Stripe event normalization never crashes', () => {
  it('normalizeStripeEvent output is schema-valid or is made so by parseWebhook', async () => {
    const stripe = adapter();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TYPES),
        object,
        fc.option(fc.dictionary(fc.string({ maxLength: 8 }), field, { maxKeys: 2 }), { nil: undefined }),
        async (type, obj, previous) => {
          // The normalizer alone already yields schema-valid events: parseWebhook does not re-validate
          // them with zod on the hot path (that cost ~2.7 µs a webhook), it relies on this property.
          const direct = normalizeStripeEvent({
            id: 'evt_1',
            type,
            created: 1_767_225_600,
            livemode: false,
            data: { object: obj, ...(previous ? { previous_attributes: previous } : {}) },
          });
          const check = paymentEventSchema.safeParse(direct);
          expect(check.success, check.success ? '' : JSON.stringify(check.error.issues[0])).toBe(true);
          const { raw } = signedStripeEvent(type, obj, previous ? { previous } : {});
          const event = await stripe.parseWebhook(raw);
          expect(paymentEventSchema.safeParse(event).success).toBe(true);
          if (event.type === 'provider.unhandled') expect(event.data.providerType).toBe(type);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
