/**
 * What the fake adds beyond the conformance suite: the test clock (trials, renewals, failed
 * renewals, period-end cancellation), checkout completion, SCA completion, disputes, and signed
 * deliveries a host's webhook handler can be tested with.
 */
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { idempotent } from '../../src/idempotency/index.js';
import {
  createFakePayments,
  FAKE_MAGIC_AMOUNTS,
  FAKE_WEBHOOK_SECRET,
  PAYMENT_EVENT_TYPES,
  paymentEventJsonSchema,
  paymentEventSchema,
} from '../../src/payments/index.js';
import { createMemoryStore } from '../../src/stores/index.js';

const DAY = 86_400_000;
const EUR = (amount: number) => ({ amount, currency: 'EUR' });

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

describe('fake payments', () => {
  it('is deterministic: the same script gives the same ids and events', async () => {
    const script = async () => {
      const fake = createFakePayments();
      const c = await fake.createCustomer({ email: 'a@example.com' });
      await fake.createPayment({ amount: EUR(1200), customerId: c.id, paymentMethodId: 'pm_card_visa', confirm: true });
      await fake.createSubscription({ customerId: c.id, priceId: 'price_basic', trialDays: 3 });
      await fake.clock.advance(10 * DAY);
      return fake.events();
    };
    expect(await script()).toEqual(await script());
  });

  it('trial: trial_ending 3 days before, then the first invoice is paid and the subscription active', async () => {
    const fake = createFakePayments();
    const c = await fake.createCustomer({});
    const sub = await fake.createSubscription({ customerId: c.id, priceId: 'price_basic', trialDays: 14 });
    fake.takeEvents();
    await fake.clock.advance(11 * DAY - 1);
    expect(fake.takeEvents()).toEqual([]);
    await fake.clock.advance(1);
    expect(fake.takeEvents().map((e) => e.type)).toEqual(['subscription.trial_ending']);
    await fake.clock.advance(3 * DAY);
    const after = fake.takeEvents();
    expect(after.map((e) => e.type)).toEqual(['invoice.paid', 'subscription.updated']);
    expect(after[1]?.data).toMatchObject({ id: sub.id, status: 'active' });
    // Like Stripe's: an invoice event is about the invoice, and names its subscription.
    const invoice = after[0];
    if (invoice?.type !== 'invoice.paid') throw new Error('expected invoice.paid first');
    expect(invoice.objectId).toBe(invoice.data.id);
    expect(invoice.data).toMatchObject({ subscriptionId: sub.id, status: 'paid', amountPaid: 1000 });
  });

  it('a year of renewals bills twelve times; a failing card makes it past_due with an invoice link', async () => {
    const fake = createFakePayments({ prices: { price_m: { amount: EUR(900), interval: 'month' } } });
    const c = await fake.createCustomer({});
    await fake.createSubscription({ customerId: c.id, priceId: 'price_m' });
    await fake.clock.advance(12 * 30 * DAY);
    expect(fake.events().filter((e) => e.type === 'invoice.paid')).toHaveLength(13);
    fake.setCardBehavior(c.id, 'declined');
    fake.takeEvents();
    await fake.clock.advance(30 * DAY);
    const events = fake.takeEvents();
    expect(events.map((e) => e.type)).toEqual(['invoice.payment_failed', 'subscription.past_due']);
    expect(events[1]?.data).toMatchObject({ status: 'past_due', latestInvoiceUrl: expect.stringMatching(/^https:\/\//) });
  });

  it('a renewal that needs SCA is invoice.action_required', async () => {
    const fake = createFakePayments();
    const c = await fake.createCustomer({});
    await fake.createSubscription({ customerId: c.id, priceId: 'price_basic' });
    fake.setCardBehavior(c.id, 'requires_action');
    fake.takeEvents();
    await fake.clock.advance(30 * DAY);
    expect(fake.takeEvents()[0]?.type).toBe('invoice.action_required');
  });

  it('a first invoice left unpaid for 23 hours expires the subscription', async () => {
    const fake = createFakePayments();
    const c = await fake.createCustomer({});
    fake.setCardBehavior(c.id, 'requires_action');
    const sub = await fake.createSubscription({ customerId: c.id, priceId: 'price_basic' });
    expect(sub).toMatchObject({ status: 'incomplete', latestInvoiceUrl: expect.stringMatching(/^https:/) });
    fake.takeEvents();
    await fake.clock.advance(23 * 3_600_000);
    expect(fake.takeEvents().map((e) => [e.type, 'status' in e.data ? e.data.status : undefined])).toEqual([
      ['subscription.updated', 'incomplete_expired'],
    ]);
    await fake.clock.advance(365 * DAY);
    expect(fake.takeEvents()).toEqual([]);
  });

  it('a first invoice that needs SCA: incomplete until the customer pays it, then active', async () => {
    const fake = createFakePayments();
    const c = await fake.createCustomer({});
    fake.setCardBehavior(c.id, 'requires_action');
    const sub = await fake.createSubscription({ customerId: c.id, priceId: 'price_basic' });
    expect(fake.takeEvents().map((e) => e.type)).toEqual(['invoice.action_required', 'subscription.created']);
    const paid = await fake.payOpenInvoice(sub.id);
    expect(paid).toMatchObject({ status: 'active' });
    expect(paid.latestInvoiceUrl).toBeUndefined();
    expect(fake.takeEvents().map((e) => e.type)).toEqual(['invoice.paid', 'subscription.updated']);
    expect((await failure(fake.payOpenInvoice(sub.id))).code).toBe('precondition_failed');
  });

  it('cancel at period end takes effect when the period ends', async () => {
    const fake = createFakePayments();
    const c = await fake.createCustomer({});
    const sub = await fake.createSubscription({ customerId: c.id, priceId: 'price_basic' });
    await fake.cancelSubscription(sub.id, { atPeriodEnd: true });
    fake.takeEvents();
    await fake.clock.advance(29 * DAY);
    expect(fake.takeEvents()).toEqual([]);
    await fake.clock.advance(DAY);
    expect(fake.takeEvents().map((e) => [e.type, e.data && 'status' in e.data ? e.data.status : undefined])).toEqual([
      ['subscription.canceled', 'canceled'],
    ]);
  });

  it('checkout completes into a payment or a subscription and emits checkout.completed; expiry emits checkout.expired', async () => {
    const fake = createFakePayments();
    const pay = await fake.createCheckoutSession({
      mode: 'payment',
      lineItems: [{ priceId: 'price_pro', quantity: 2 }],
      successUrl: 'https://shop.example/ok',
      customerEmail: 'b@example.com',
    });
    const done = await fake.completeCheckout(pay.id);
    expect(done).toMatchObject({
      status: 'complete',
      amountTotal: EUR(6000),
      paymentId: expect.any(String),
      customerId: expect.any(String),
    });
    expect(fake.takeEvents().map((e) => e.type)).toEqual(['payment.succeeded', 'checkout.completed']);
    const sub = await fake.createCheckoutSession({
      mode: 'subscription',
      lineItems: [{ priceId: 'price_basic' }],
      successUrl: 'https://shop.example/ok',
    });
    expect((await fake.completeCheckout(sub.id)).subscriptionId).toBeDefined();
    expect(fake.takeEvents().map((e) => e.type)).toEqual(['invoice.paid', 'subscription.created', 'checkout.completed']);
    const stale = await fake.createCheckoutSession({ mode: 'setup', currency: 'EUR', successUrl: 'https://shop.example/ok' });
    await fake.expireCheckout(stale.id);
    expect(fake.takeEvents().map((e) => e.type)).toEqual(['checkout.expired']);
    expect((await failure(fake.completeCheckout(stale.id))).code).toBe('precondition_failed');
  });

  it('magic amounts: decline with the decline code and a payment.failed event; SCA then authentication', async () => {
    const fake = createFakePayments();
    const c = await fake.createCustomer({});
    const error = await failure(
      fake.createPayment({ amount: EUR(FAKE_MAGIC_AMOUNTS.insufficientFunds), customerId: c.id, paymentMethodId: 'pm_1', confirm: true }),
    );
    expect(error.details).toMatchObject({ declineCode: 'insufficient_funds' });
    expect(fake.takeEvents().map((e) => e.type)).toEqual(['payment.failed']);
    const sca = await fake.createPayment({
      amount: EUR(FAKE_MAGIC_AMOUNTS.requiresAction),
      customerId: c.id,
      paymentMethodId: 'pm_1',
      confirm: true,
      offSession: true,
    });
    expect(fake.takeEvents().map((e) => e.type)).toEqual(['payment.requires_action']);
    expect((await fake.completeAction(sca.id, 'authenticated')).status).toBe('succeeded');
    expect(fake.takeEvents().map((e) => e.type)).toEqual(['payment.succeeded']);
  });

  it('disputes and refunds emit their events', async () => {
    const fake = createFakePayments();
    const pay = await fake.createPayment({ amount: EUR(5000), paymentMethodId: 'pm_1', confirm: true });
    await fake.refund({ paymentId: pay.id, amount: 1000 });
    await fake.dispute(pay.id);
    const events = fake.events().map((e) => e.type);
    expect(events).toEqual(['payment.succeeded', 'payment.refunded', 'payment.disputed']);
  });

  it('signed deliveries: a host handler verifies them, and a redelivery has one effect', async () => {
    const fake = createFakePayments();
    await fake.createPayment({ amount: EUR(5000), paymentMethodId: 'pm_1', confirm: true });
    const [event] = fake.takeEvents();
    if (!event) throw new Error('no event');
    const store = createMemoryStore();
    let fulfilled = 0;
    const handler = async (raw: Awaited<ReturnType<typeof fake.signWebhook>>) => {
      const e = await fake.parseWebhook(raw);
      await idempotent({ store, key: `payment-event:${e.id}` }, async () => {
        fulfilled++;
      });
    };
    await handler(await fake.signWebhook(event));
    await fake.clock.advance(60_000);
    await handler(await fake.signWebhook(event));
    expect(fulfilled).toBe(1);
    const forged = await createFakePayments({ webhookSecret: 'whsec_attacker' }).signWebhook(event);
    expect((await failure(fake.parseWebhook(forged))).code).toBe('signature_invalid');
    expect(FAKE_WEBHOOK_SECRET).toMatch(/^whsec_/);
  });

  it('every emitted event satisfies the published schema, and the JSON Schema covers every type', async () => {
    const fake = createFakePayments();
    const c = await fake.createCustomer({});
    await fake.createSubscription({ customerId: c.id, priceId: 'price_basic', trialDays: 5 });
    await fake.clock.advance(60 * DAY);
    for (const e of fake.events()) expect(paymentEventSchema.parse(JSON.parse(JSON.stringify(e)))).toEqual(e);
    const schema = JSON.stringify(paymentEventJsonSchema());
    for (const type of PAYMENT_EVENT_TYPES) expect(schema).toContain(`"${type}"`);
  });

  it('bad inputs: unknown price, negative clock moves, unknown ids', async () => {
    const fake = createFakePayments();
    const c = await fake.createCustomer({});
    expect((await failure(fake.createSubscription({ customerId: c.id, priceId: 'price_nope' }))).code).toBe('invalid_input');
    await expect(fake.clock.advance(-1)).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await failure(fake.capturePayment('pi_missing'))).code).toBe('not_found');
    expect(() => createFakePayments({ prices: { p: { amount: { amount: 1.5, currency: 'EUR' }, interval: 'month' } } })).toThrow(
      IntegrationError,
    );
  });
});
