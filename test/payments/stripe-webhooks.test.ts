/**
 * `parseWebhook` on the Stripe adapter: verification through switchyard/webhooks (events signed
 * with stripe-node's `generateTestHeaderString`), normalization of every mapped type, pass-through
 * of unknown types, the livemode and API-version checks, and one domain effect per event.
 */
import { describe, expect, it } from 'vitest';
import { IntegrationError, type Logger } from '../../src/index.js';
import { idempotent } from '../../src/idempotency/index.js';
import { applySubscriptionEvent, isSubscriptionEvent, paymentEventSchema, type SubscriptionState } from '../../src/payments/index.js';
import { createStripePayments, STRIPE_API_VERSION } from '../../src/payments/stripe/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { createReplayGuard } from '../../src/webhooks/index.js';
import { charge, checkoutSession, dispute, invoice, legacySubscription, paymentIntent, subscription } from './support/stripe-objects.js';
import { signedStripeEvent, TEST_KEY, useStripeMock, WEBHOOK_SECRET } from './support/stripe-setup.js';

const { adapter } = useStripeMock();

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

function capturingLogger() {
  const lines: { level: string; fields: unknown; message?: string }[] = [];
  const at =
    (level: string) =>
    (fields: unknown, message?: string): void => {
      lines.push({ level, fields, ...(message === undefined ? {} : { message }) });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const cases: [string, object, string, object?][] = [
  ['payment_intent.succeeded', paymentIntent(), 'payment.succeeded'],
  [
    'payment_intent.payment_failed',
    paymentIntent({
      status: 'requires_payment_method',
      last_payment_error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      },
    }),
    'payment.failed',
  ],
  [
    'payment_intent.requires_action',
    paymentIntent({
      status: 'requires_action',
      next_action: {
        type: 'redirect_to_url',
        redirect_to_url: { url: 'https://hooks.stripe.com/3d_secure_2/x', return_url: 'https://shop.example/back' },
      },
    }),
    'payment.requires_action',
  ],
  ['charge.refunded', charge(), 'payment.refunded'],
  ['charge.dispute.created', dispute(), 'payment.disputed'],
  ['checkout.session.completed', checkoutSession(), 'checkout.completed'],
  ['checkout.session.expired', checkoutSession({ status: 'expired', payment_status: 'unpaid' }), 'checkout.expired'],
  ['customer.subscription.created', subscription({ status: 'incomplete' }), 'subscription.created'],
  ['customer.subscription.updated', subscription({ metadata: { plan: 'basic' } }), 'subscription.updated', { metadata: {} }],
  ['customer.subscription.updated', subscription({ status: 'past_due' }), 'subscription.past_due', { status: 'active' }],
  [
    'customer.subscription.updated',
    subscription({ pause_collection: { behavior: 'void', resumes_at: null } }),
    'subscription.paused',
    { pause_collection: null },
  ],
  ['customer.subscription.updated', subscription(), 'subscription.resumed', { pause_collection: { behavior: 'void', resumes_at: null } }],
  [
    'customer.subscription.trial_will_end',
    subscription({ status: 'trialing', trial_end: 1_767_225_600 + 14 * 86_400 }),
    'subscription.trial_ending',
  ],
  ['customer.subscription.deleted', subscription({ status: 'canceled', canceled_at: 1_767_225_600 + 100 }), 'subscription.canceled'],
  ['customer.subscription.paused', subscription({ status: 'paused' }), 'subscription.paused'],
  ['customer.subscription.resumed', subscription(), 'subscription.resumed'],
  ['invoice.paid', invoice(), 'invoice.paid'],
  ['invoice.payment_failed', invoice({ status: 'open', amount_paid: 0 }), 'invoice.payment_failed'],
  ['invoice.payment_action_required', invoice({ status: 'open', amount_paid: 0 }), 'invoice.action_required'],
];

describe('Stripe parseWebhook', () => {
  it.each(cases)('%s → %s (%#)', async (stripeType, object, expected, previous) => {
    const { raw, event } = signedStripeEvent(stripeType, object, previous ? { previous } : {});
    const normalized = await adapter().parseWebhook(raw);
    expect(normalized.type).toBe(expected);
    expect(normalized).toMatchObject({ schemaVersion: 1, id: event.id, provider: 'stripe', livemode: false, objectId: expect.any(String) });
    expect(normalized.occurredAt).toBe(new Date(event.created * 1000).toISOString());
    // Every normalized event satisfies the published schema.
    expect(paymentEventSchema.parse(normalized)).toEqual(normalized);
  });

  it('maps the domain fields: amounts, decline codes, refund, invoice subscription', async () => {
    const stripe = adapter();
    const failed = await stripe.parseWebhook(signedStripeEvent('payment_intent.payment_failed', cases[1]?.[1] as object).raw);
    expect(failed.type === 'payment.failed' && failed.data.lastError).toEqual({
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });
    const refunded = await stripe.parseWebhook(signedStripeEvent('charge.refunded', charge()).raw);
    expect(refunded.type === 'payment.refunded' && refunded.data).toMatchObject({
      payment: { id: 'pi_3SwitchyardPI0001', amountRefunded: 1000, amount: { amount: 4900, currency: 'EUR' } },
      refund: { id: 're_3SwitchyardRE0001', amount: { amount: 1000, currency: 'EUR' } },
    });
    expect(refunded.objectId).toBe('pi_3SwitchyardPI0001');
    const paid = await stripe.parseWebhook(signedStripeEvent('invoice.paid', invoice()).raw);
    expect(paid.type === 'invoice.paid' && paid.data.subscriptionId).toBe('sub_1SwitchyardSU0001');
    const sub = await stripe.parseWebhook(signedStripeEvent('customer.subscription.created', subscription()).raw);
    expect(sub.data).toMatchObject({ priceId: 'price_basic', quantity: 1, currentPeriodEnd: '2026-01-31T00:00:00.000Z', status: 'active' });
  });

  it('reads the pre-basil layout (current_period_end on the subscription) too', async () => {
    const e = await adapter().parseWebhook(
      signedStripeEvent('customer.subscription.updated', legacySubscription(), { apiVersion: '2024-06-20' }).raw,
    );
    expect(e.data).toMatchObject({ priceId: 'price_basic', currentPeriodEnd: '2026-01-31T00:00:00.000Z' });
  });

  it('an off-session authentication_required failure is payment.requires_action with the recovery link', async () => {
    const pi = paymentIntent({
      status: 'requires_payment_method',
      amount_received: 0,
      metadata: { orderId: 'o-42', switchyard_recovery_url: 'https://shop.example/recover' },
      last_payment_error: {
        type: 'card_error',
        code: 'authentication_required',
        decline_code: 'authentication_required',
        message: 'This transaction requires authentication.',
      },
    });
    const e = await adapter().parseWebhook(signedStripeEvent('payment_intent.payment_failed', pi).raw);
    expect(e.type).toBe('payment.requires_action');
    expect(e.data).toMatchObject({
      status: 'requires_action',
      nextAction: { type: 'authenticate', offSession: true },
      recovery: { url: 'https://shop.example/recover?payment_intent=pi_3SwitchyardPI0001' },
      metadata: { orderId: 'o-42' },
    });
  });

  it('ISK amounts come back in ISO minor units (Stripe sends them ×100)', async () => {
    const e = await adapter().parseWebhook(
      signedStripeEvent('payment_intent.succeeded', paymentIntent({ currency: 'isk', amount: 500_000, amount_received: 500_000 })).raw,
    );
    expect(e.type === 'payment.succeeded' && e.data.amount).toEqual({ amount: 5000, currency: 'ISK' });
  });

  it('an unknown event type is passed through as provider.unhandled, never dropped', async () => {
    const object = { id: 'txi_1Switchyard', object: 'tax_id', type: 'eu_vat', value: 'DE123456789' };
    const e = await adapter().parseWebhook(signedStripeEvent('customer.tax_id.created', object).raw);
    expect(e).toMatchObject({
      type: 'provider.unhandled',
      objectId: 'txi_1Switchyard',
      data: { providerType: 'customer.tax_id.created', object },
    });
  });

  it('warns through the logger when the event API version differs from the pinned one', async () => {
    const { logger, lines } = capturingLogger();
    await adapter({ logger }).parseWebhook(signedStripeEvent('invoice.paid', invoice(), { apiVersion: '2024-06-20' }).raw);
    const warning = lines.find((l) => l.level === 'warn');
    expect(warning?.fields).toMatchObject({ eventApiVersion: '2024-06-20', pinnedApiVersion: STRIPE_API_VERSION });
    const quiet = capturingLogger();
    await adapter({ logger: quiet.logger }).parseWebhook(signedStripeEvent('invoice.paid', invoice()).raw);
    expect(quiet.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('a live-mode event with a test-mode key is invalid_config', async () => {
    const error = await failure(adapter().parseWebhook(signedStripeEvent('invoice.paid', invoice(), { livemode: true }).raw));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toMatch(/live-mode event .* test mode/);
  });

  it('without a webhook secret parseWebhook is invalid_config', async () => {
    const stripe = createStripePayments({ apiKey: TEST_KEY });
    const error = await failure(stripe.parseWebhook(signedStripeEvent('invoice.paid', invoice()).raw));
    expect(error).toMatchObject({ code: 'invalid_config', details: { field: 'webhookSecret' } });
  });

  it('refuses a wrong secret, a stale timestamp and a body that is not an event', async () => {
    const stripe = adapter();
    const wrong = signedStripeEvent('invoice.paid', invoice(), { secret: 'whsec_other_endpoint_secret' }).raw;
    expect((await failure(stripe.parseWebhook(wrong))).code).toBe('signature_invalid');
    const late = adapter({ now: () => Date.now() + 3_600_000 });
    expect((await failure(late.parseWebhook(signedStripeEvent('invoice.paid', invoice()).raw))).code).toBe('timestamp_out_of_tolerance');
    const { raw } = signedStripeEvent('invoice.paid', invoice());
    const notEvent = JSON.stringify({ hello: 'world' });
    const { default: Stripe } = await import('stripe');
    const header = Stripe.webhooks.generateTestHeaderString({ payload: notEvent, secret: WEBHOOK_SECRET });
    expect((await failure(stripe.parseWebhook({ ...raw, body: notEvent, headers: { 'stripe-signature': header } }))).code).toBe(
      'invalid_input',
    );
    const farFuture = signedStripeEvent('invoice.paid', invoice(), { created: 1e13 }).raw;
    expect((await failure(stripe.parseWebhook(farFuture))).code).toBe('invalid_input');
  });

  it('the same event delivered twice (re-signed on redelivery) has one domain effect', async () => {
    const stripe = adapter();
    const store = createMemoryStore();
    const effects: string[] = [];
    const first = signedStripeEvent('payment_intent.succeeded', paymentIntent(), { id: 'evt_1SwitchyardDUP' });
    const again = signedStripeEvent('payment_intent.succeeded', paymentIntent(), { id: 'evt_1SwitchyardDUP' });
    expect(again.raw.headers['stripe-signature']).toBeDefined();
    for (const raw of [first.raw, again.raw]) {
      const event = await stripe.parseWebhook(raw);
      await idempotent({ store, key: `stripe-event:${event.id}` }, async () => {
        effects.push(`fulfil ${event.objectId}`);
      });
    }
    expect(effects).toEqual(['fulfil pi_3SwitchyardPI0001']);
  });

  it('subscription events delivered twice leave the state unchanged (same object)', async () => {
    const stripe = adapter();
    const e = await stripe.parseWebhook(
      signedStripeEvent('customer.subscription.updated', subscription(), { id: 'evt_1SwitchyardS2' }).raw,
    );
    if (!isSubscriptionEvent(e)) throw new Error('expected a subscription event');
    const state: SubscriptionState = applySubscriptionEvent(undefined, e);
    expect(applySubscriptionEvent(state, e)).toBe(state);
  });

  it('with a replay guard the second delivery of an event id is refused as replayed', async () => {
    const stripe = adapter({ replayGuard: createReplayGuard() });
    await stripe.parseWebhook(signedStripeEvent('invoice.paid', invoice(), { id: 'evt_1SwitchyardRPL' }).raw);
    const error = await failure(stripe.parseWebhook(signedStripeEvent('invoice.paid', invoice(), { id: 'evt_1SwitchyardRPL' }).raw));
    expect(error.code).toBe('replayed');
  });
});
