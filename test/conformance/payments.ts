/**
 * The payments conformance suite: every `PaymentProvider` (the Stripe adapter over msw, the fake,
 * and any a host writes) registers it with a factory. The factory also says how to trigger a
 * decline and an SCA challenge on that provider (Stripe test cards, the fake's magic amounts),
 * and how to get a signed webhook for a subscription, so the same assertions run on both.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import type { PaymentEvent, PaymentProvider, Subscription } from '../../src/payments/index.js';
import type { RawWebhook } from '../../src/webhooks/index.js';

export interface PaymentsConformanceContext {
  provider: PaymentProvider;
  /** Saved payment method that always succeeds. */
  okPaymentMethod: string;
  declined: { amount: number; paymentMethodId: string };
  requiresAction: { amount: number; paymentMethodId: string };
  /** Two recurring prices of the same interval, €10 and €30. */
  prices: { basic: string; pro: string };
  /** A signed delivery of a `subscription.updated`-like event for `subscription`. */
  signedSubscriptionWebhook(subscription: Subscription): Promise<RawWebhook>;
  /** How many payments the provider really created (a replay must not add one). */
  paymentsCreated(): number;
}

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected an IntegrationError').toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

const EUR = (amount: number) => ({ amount, currency: 'EUR' });

export function describePaymentsConformance(
  name: string,
  factory: () => Promise<PaymentsConformanceContext> | PaymentsConformanceContext,
): void {
  describe(`PaymentProvider conformance: ${name}`, () => {
    let ctx: PaymentsConformanceContext;
    let p: PaymentProvider;
    beforeEach(async () => {
      ctx = await factory();
      p = ctx.provider;
    });

    const customerWithCard = async () => {
      const c = await p.createCustomer({ email: 'ada@example.com', name: 'Ada', metadata: { userId: 'u1' } });
      return p.updateCustomer(c.id, { defaultPaymentMethodId: ctx.okPaymentMethod });
    };

    it('creates, updates and reads a customer; an unknown one is not_found', async () => {
      const c = await p.createCustomer({ email: 'ada@example.com', metadata: { userId: 'u1' } });
      expect(c).toMatchObject({ email: 'ada@example.com', metadata: { userId: 'u1' } });
      const updated = await p.updateCustomer(c.id, { name: 'Ada L.', defaultPaymentMethodId: ctx.okPaymentMethod });
      expect(updated).toMatchObject({ id: c.id, name: 'Ada L.', defaultPaymentMethodId: ctx.okPaymentMethod });
      expect(await p.getCustomer(c.id)).toMatchObject({ id: c.id, name: 'Ada L.' });
      expect((await failure(p.getCustomer('cus_doesnotexist'))).code).toBe('not_found');
      expect((await failure(p.getPayment('pi_doesnotexist'))).code).toBe('not_found');
      expect((await failure(p.getSubscription('sub_doesnotexist'))).code).toBe('not_found');
    });

    it('two customers created with the same (empty) details are two customers', async () => {
      const a = await p.createCustomer({});
      const b = await p.createCustomer({});
      expect(a.id).not.toBe(b.id);
    });

    it('an unconfirmed payment returns a clientSecret for Elements', async () => {
      const pay = await p.createPayment({ amount: EUR(2500) });
      expect(pay.status).toBe('requires_payment_method');
      expect(pay.clientSecret).toMatch(new RegExp(`^${pay.id}_secret_`));
      expect(pay.amount).toEqual(EUR(2500));
    });

    it('charges a saved card once, even when the same call is retried', async () => {
      const c = await customerWithCard();
      const input = { amount: EUR(4900), customerId: c.id, paymentMethodId: ctx.okPaymentMethod, confirm: true };
      const first = await p.createPayment(input);
      const again = await p.createPayment(input);
      expect(first.status).toBe('succeeded');
      expect(first.amountReceived).toBe(4900);
      expect(again.id).toBe(first.id);
      expect(ctx.paymentsCreated()).toBe(1);
      // A deliberate second charge carries its own key.
      const second = await p.createPayment(input, { idempotencyKey: 'order-2' });
      expect(second.id).not.toBe(first.id);
      expect(ctx.paymentsCreated()).toBe(2);
    });

    it('a payment created unconfirmed is confirmed with a saved card', async () => {
      const c = await customerWithCard();
      const pending = await p.createPayment({ amount: EUR(1800), customerId: c.id });
      const confirmed = await p.confirmPayment(pending.id, { paymentMethodId: ctx.okPaymentMethod });
      expect(await p.getPayment(pending.id)).toMatchObject({ id: pending.id, status: 'succeeded', amountReceived: 1800 });
      expect(confirmed).toMatchObject({ id: pending.id, status: 'succeeded', amountReceived: 1800, paymentMethodId: ctx.okPaymentMethod });
      expect((await failure(p.confirmPayment(pending.id, {}, { idempotencyKey: 'confirm-again' }))).code).toBe('precondition_failed');
    });

    it('the same idempotency key with other inputs is idempotency_conflict', async () => {
      const c = await customerWithCard();
      await p.createPayment({ amount: EUR(1000), customerId: c.id }, { idempotencyKey: 'order-7' });
      const error = await failure(p.createPayment({ amount: EUR(1001), customerId: c.id }, { idempotencyKey: 'order-7' }));
      expect(error.code).toBe('idempotency_conflict');
      expect(error.retryable).toBe(false);
    });

    it('manual capture: authorize, capture part, refund part', async () => {
      const c = await customerWithCard();
      const auth = await p.createPayment({
        amount: EUR(10_000),
        customerId: c.id,
        paymentMethodId: ctx.okPaymentMethod,
        confirm: true,
        captureMethod: 'manual',
      });
      expect(auth.status).toBe('requires_capture');
      expect(auth.captureMethod).toBe('manual');
      const captured = await p.capturePayment(auth.id, { amount: 8000 });
      expect(captured).toMatchObject({ status: 'succeeded', amountReceived: 8000 });
      const partial = await p.refund({ paymentId: auth.id, amount: 3000, reason: 'requested_by_customer' });
      expect(partial).toMatchObject({ paymentId: auth.id, amount: EUR(3000), status: 'succeeded' });
      expect((await p.getPayment(auth.id)).amountRefunded).toBe(3000);
      const rest = await p.refund({ paymentId: auth.id }, { idempotencyKey: 'refund-rest' });
      expect(rest.amount).toEqual(EUR(5000));
      expect(await p.getPayment(auth.id)).toMatchObject({ amountReceived: 8000, amountRefunded: 8000 });
      expect((await failure(p.refund({ paymentId: auth.id, amount: 1 }, { idempotencyKey: 'refund-too-much' }))).code).toBe(
        'invalid_input',
      );
    });

    it('cancels an uncaptured payment; a succeeded one cannot be canceled', async () => {
      const c = await customerWithCard();
      const auth = await p.createPayment({
        amount: EUR(1500),
        customerId: c.id,
        paymentMethodId: ctx.okPaymentMethod,
        confirm: true,
        captureMethod: 'manual',
      });
      expect((await p.cancelPayment(auth.id)).status).toBe('canceled');
      const paid = await p.createPayment({ amount: EUR(1600), customerId: c.id, paymentMethodId: ctx.okPaymentMethod, confirm: true });
      expect((await failure(p.cancelPayment(paid.id))).code).toBe('precondition_failed');
    });

    it('a declined card is precondition_failed with the decline code, not retryable', async () => {
      const c = await customerWithCard();
      const error = await failure(
        p.createPayment({
          amount: EUR(ctx.declined.amount),
          customerId: c.id,
          paymentMethodId: ctx.declined.paymentMethodId,
          confirm: true,
        }),
      );
      expect(error.code).toBe('precondition_failed');
      expect(error.retryable).toBe(false);
      expect(error.details).toMatchObject({ declineCode: 'generic_decline' });
    });

    it('an SCA challenge on session is requires_action with what the client must do', async () => {
      const c = await customerWithCard();
      const pay = await p.createPayment({
        amount: EUR(ctx.requiresAction.amount),
        customerId: c.id,
        paymentMethodId: ctx.requiresAction.paymentMethodId,
        confirm: true,
      });
      expect(pay.status).toBe('requires_action');
      expect(pay.nextAction).toMatchObject({ type: 'authenticate', offSession: false });
      expect(pay.clientSecret).toBeDefined();
    });

    it('an SCA challenge off session is requires_action with a recovery link, not an exception', async () => {
      const c = await customerWithCard();
      const pay = await p.createPayment({
        amount: EUR(ctx.requiresAction.amount),
        customerId: c.id,
        paymentMethodId: ctx.requiresAction.paymentMethodId,
        confirm: true,
        offSession: true,
        recoveryUrl: 'https://shop.example/pay/recover',
      });
      expect(pay.status).toBe('requires_action');
      expect(pay.nextAction).toMatchObject({ type: 'authenticate', offSession: true });
      expect(pay.recovery?.url).toBe(`https://shop.example/pay/recover?payment_intent=${pay.id}`);
      expect(pay.lastError?.code).toBe('authentication_required');
      expect(pay.metadata).toEqual({});
    });

    it('hosted checkout in payment, subscription and setup modes', async () => {
      const c = await customerWithCard();
      const pay = await p.createCheckoutSession({
        mode: 'payment',
        customerId: c.id,
        lineItems: [{ name: 'Yoga class', amount: EUR(2000), quantity: 2 }],
        successUrl: 'https://shop.example/ok',
        cancelUrl: 'https://shop.example/cancel',
        clientReferenceId: 'order-42',
      });
      expect(pay).toMatchObject({ mode: 'payment', status: 'open', clientReferenceId: 'order-42', amountTotal: EUR(4000) });
      expect(pay.url).toMatch(/^https:\/\//);
      const sub = await p.createCheckoutSession({
        mode: 'subscription',
        customerId: c.id,
        lineItems: [{ priceId: ctx.prices.basic }],
        trialDays: 14,
        successUrl: 'https://shop.example/ok',
      });
      expect(sub.mode).toBe('subscription');
      const setup = await p.createCheckoutSession({
        mode: 'setup',
        customerId: c.id,
        currency: 'eur',
        successUrl: 'https://shop.example/ok',
      });
      expect(setup).toMatchObject({ mode: 'setup', status: 'open' });
    });

    it('subscription lifecycle: trial, price change with proration, pause, resume, cancel at period end, cancel now', async () => {
      const c = await customerWithCard();
      const trial = await p.createSubscription({ customerId: c.id, priceId: ctx.prices.basic, trialDays: 14 });
      expect(trial).toMatchObject({ status: 'trialing', priceId: ctx.prices.basic, quantity: 1, cancelAtPeriodEnd: false });
      expect(trial.trialEnd).toBeDefined();
      const sub = await p.createSubscription({ customerId: c.id, priceId: ctx.prices.basic });
      expect(sub.status).toBe('active');
      const upgraded = await p.updateSubscription(sub.id, { priceId: ctx.prices.pro, proration: 'create_prorations' });
      expect(upgraded).toMatchObject({ id: sub.id, priceId: ctx.prices.pro });
      expect((await p.pauseSubscription(sub.id)).status).toBe('paused');
      expect((await p.resumeSubscription(sub.id)).status).toBe('active');
      expect((await p.cancelSubscription(sub.id, { atPeriodEnd: true })).cancelAtPeriodEnd).toBe(true);
      const canceled = await p.cancelSubscription(trial.id);
      expect(canceled.status).toBe('canceled');
      expect((await failure(p.resumeSubscription(trial.id))).code).toBe('precondition_failed');
    });

    it('state changes repeat: pause, resume, pause again, and pro → basic → pro all take effect', async () => {
      const c = await customerWithCard();
      const sub = await p.createSubscription({ customerId: c.id, priceId: ctx.prices.basic });
      await p.pauseSubscription(sub.id);
      await p.resumeSubscription(sub.id);
      await p.pauseSubscription(sub.id);
      expect((await p.getSubscription(sub.id)).status).toBe('paused');
      await p.resumeSubscription(sub.id);
      await p.updateSubscription(sub.id, { priceId: ctx.prices.pro });
      await p.updateSubscription(sub.id, { priceId: ctx.prices.basic });
      await p.updateSubscription(sub.id, { priceId: ctx.prices.pro });
      expect(await p.getSubscription(sub.id)).toMatchObject({ status: 'active', priceId: ctx.prices.pro });
      const name1 = await p.updateCustomer(c.id, { name: 'A' });
      await p.updateCustomer(c.id, { name: 'B' });
      expect(name1.name).toBe('A');
      expect((await p.updateCustomer(c.id, { name: 'A' })).name).toBe('A');
      expect((await p.getCustomer(c.id)).name).toBe('A');
    });

    it('two identical checkout or portal requests give two sessions (free, short-lived objects)', async () => {
      const c = await customerWithCard();
      const input = {
        mode: 'subscription' as const,
        customerId: c.id,
        lineItems: [{ priceId: ctx.prices.basic }],
        successUrl: 'https://shop.example/ok',
      };
      expect((await p.createCheckoutSession(input)).id).not.toBe((await p.createCheckoutSession(input)).id);
      const again = await p.createCheckoutSession(input, { idempotencyKey: 'cart-9' });
      expect((await p.createCheckoutSession(input, { idempotencyKey: 'cart-9' })).id).toBe(again.id);
    });

    it('a customer portal session', async () => {
      const c = await customerWithCard();
      const portal = await p.createPortalSession({ customerId: c.id, returnUrl: 'https://shop.example/account' });
      expect(portal.url).toMatch(/^https:\/\//);
    });

    it('a SetupIntent clientSecret to save a card for off-session use', async () => {
      const c = await customerWithCard();
      const si = await p.createSetupIntent({ customerId: c.id });
      expect(si.clientSecret).toMatch(new RegExp(`^${si.id}_secret_`));
    });

    it('bad amounts and currencies are invalid_input before anything is sent', async () => {
      const before = ctx.paymentsCreated();
      for (const amount of [-100, 0, 10.5, Number.NaN, 100_000_000]) {
        const error = await failure(p.createPayment({ amount: { amount, currency: 'EUR' } }));
        expect(error.code).toBe('invalid_input');
        expect(error.details).toMatchObject({ field: 'amount.amount' });
      }
      const error = await failure(p.createPayment({ amount: { amount: 100, currency: 'XYZ' } }));
      expect(error.code).toBe('invalid_input');
      expect(error.details).toMatchObject({ field: 'amount.currency' });
      expect((await failure(p.createPayment({ amount: EUR(100), confirm: true }))).details).toMatchObject({ field: 'paymentMethodId' });
      expect((await failure(p.refund({ paymentId: '../../v1/charges' }))).code).toBe('invalid_input');
      expect(ctx.paymentsCreated()).toBe(before);
    });

    it('parseWebhook verifies and normalizes a signed subscription event; a tampered one is refused', async () => {
      const c = await customerWithCard();
      const sub = await p.createSubscription({ customerId: c.id, priceId: ctx.prices.basic });
      const raw = await ctx.signedSubscriptionWebhook(sub);
      const event: PaymentEvent = await p.parseWebhook(raw);
      expect(event.type.startsWith('subscription.')).toBe(true);
      expect(event.objectId).toBe(sub.id);
      expect(event).toMatchObject({ schemaVersion: 1, livemode: false, data: { id: sub.id, customerId: c.id } });
      const tampered = { ...raw, body: String(raw.body).replace(sub.id, `${sub.id}x`) };
      expect((await failure(p.parseWebhook(tampered))).code).toBe('signature_invalid');
    });
  });
}
