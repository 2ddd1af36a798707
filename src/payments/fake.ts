/**
 * `createFakePayments()`: the `PaymentProvider` port in memory, deterministic, on a test clock.
 * It behaves like Stripe where a host's billing logic can tell the difference: idempotency keys
 * (same key, same answer; same key with other inputs, `idempotency_conflict`), declines and SCA
 * challenges (triggered by the magic amounts below), manual capture, partial refunds, trials,
 * renewals, and the same normalized events, deliverable as signed webhooks.
 */
import { IntegrationError } from '../core/errors.js';
import { canonicalJson } from '../idempotency/canonical.js';
import { withRedaction } from '../core/logger.js';
import { verifyStripeWebhook } from '../webhooks/providers/stripe.js';
import { type KeyMode, mutationKey } from './derive-key.js';
import { EVENT_SCHEMA_VERSION, type PaymentEvent, paymentEventSchema } from './events.js';
import {
  type CheckoutSession,
  type Customer,
  type Money,
  type Payment,
  type Refund,
  cancelSubscriptionSchema,
  capturePaymentSchema,
  checkoutSessionSchema,
  confirmPaymentSchema,
  createCustomerSchema,
  createPaymentSchema,
  createSetupSchema,
  createSubscriptionSchema,
  moneySchema,
  mutationOptionsSchema,
  portalSessionSchema,
  refundSchema,
  updateCustomerSchema,
  updateSubscriptionSchema,
} from './schemas.js';
import { createFakeBilling, DAY, type Emit, INTERVAL_MS, type SubRecord } from './fake-billing.js';
import { withPaymentId } from './recovery.js';
import { signStripeStyle } from './signing.js';
import { checkId, parseInput } from './validate.js';

import {
  FAKE_MAGIC_AMOUNTS,
  FAKE_WEBHOOK_SECRET,
  type FakeCardBehavior,
  type FakePayments,
  type FakePaymentsOptions,
  type FakePrice,
} from './fake-types.js';

const CHECKOUT_TTL_MS = DAY;

interface CheckoutRecord {
  session: CheckoutSession;
  input: ReturnType<typeof checkoutSessionSchema.parse>;
}

/**
 * An in-memory, deterministic `PaymentProvider` with Stripe's behaviour (magic amounts, SCA,
 * trials, renewals, signed webhooks) for tests, demos and local development.
 *
 * @example
 * const payments = createFakePayments();
 * const session = await payments.createCheckoutSession({ mode: 'subscription', lineItems: [{ priceId: 'price_basic' }], successUrl: 'https://example.com/done' });
 * await payments.completeCheckout(session.id);
 * const types = payments.takeEvents().map((e) => e.type); // ['invoice.paid', 'subscription.created', 'checkout.completed']
 */
export function createFakePayments(options: FakePaymentsOptions = {}): FakePayments {
  let nowMs = options.startAt ?? Date.UTC(2026, 0, 1);
  const secret = options.webhookSecret ?? FAKE_WEBHOOK_SECRET;
  const logger = withRedaction(options.logger);
  const prices: Record<string, FakePrice> = options.prices ?? {
    price_basic: { amount: { amount: 1000, currency: 'EUR' }, interval: 'month' },
    price_pro: { amount: { amount: 3000, currency: 'EUR' }, interval: 'month' },
  };
  for (const [id, price] of Object.entries(prices)) {
    checkId(id, 'prices');
    parseInput(moneySchema, price.amount, `prices.${id}.amount`);
  }

  const customers = new Map<string, Customer>();
  const payments = new Map<string, Payment>();
  const subs = new Map<string, SubRecord>();
  const checkouts = new Map<string, CheckoutRecord>();
  const cardBehavior = new Map<string, FakeCardBehavior>();
  const idempotency = new Map<string, { fingerprint: string; result: Promise<unknown> }>();
  const emitted: PaymentEvent[] = [];
  let drained = 0;
  let counter = 0;
  let sequence = 0;

  const iso = (ms = nowMs) => new Date(ms).toISOString();
  const newId = (prefix: string) => `${prefix}_fake${String(++counter).padStart(6, '0')}`;

  const emit: Emit = (type, objectId, data) => {
    const event = {
      schemaVersion: EVENT_SCHEMA_VERSION,
      id: newId('evt'),
      provider: 'fake',
      type,
      objectId,
      occurredAt: iso(),
      sequence: ++sequence,
      livemode: false,
      data: structuredClone(data),
    } as PaymentEvent;
    emitted.push(event);
  };

  /** Same key: the first call's answer. Same key, other inputs: `idempotency_conflict`, as Stripe answers. */
  async function once<T>(
    operation: string,
    given: unknown,
    inputs: unknown[],
    run: () => Promise<T>,
    mode: KeyMode = 'inputs',
  ): Promise<T> {
    const opts = parseInput(mutationOptionsSchema, given, `${operation} options`, 'fake');
    // Same key rules as the Stripe adapter (see derive-key.ts): a per-call operation without a
    // caller key is simply run.
    if (mode === 'per-call' && opts?.idempotencyKey === undefined) return structuredClone(await run());
    const key = await mutationKey('fake', operation, opts?.idempotencyKey, mode, ...inputs);
    const fingerprint = canonicalJson([operation, ...inputs.map((i) => i ?? null)]);
    const seen = idempotency.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw new IntegrationError('idempotency_conflict', `idempotency key reused with different parameters for ${operation}`, {
          provider: 'fake',
          details: { operation },
        });
      }
      return structuredClone(await (seen.result as Promise<T>));
    }
    const result = run();
    idempotency.set(key, { fingerprint, result });
    // Failures are remembered too, as Stripe does: retrying a declined charge with the same key
    // answers the same decline; a new card means new inputs, hence a new derived key.
    result.catch(() => {});
    return structuredClone(await result);
  }

  const notFound = (what: string, id: string) =>
    new IntegrationError('not_found', `no ${what} ${id}`, { provider: 'fake', status: 404, details: { field: what } });
  const precondition = (message: string, details: Record<string, unknown> = {}) =>
    new IntegrationError('precondition_failed', message, { provider: 'fake', status: 400, details });

  function customer(id: string): Customer {
    const c = customers.get(checkId(id, 'customerId', 'fake'));
    if (!c) throw notFound('customer', id);
    return c;
  }
  function payment(id: string): Payment {
    const p = payments.get(checkId(id, 'paymentId', 'fake'));
    if (!p) throw notFound('payment', id);
    return p;
  }
  function subscription(id: string): SubRecord {
    const s = subs.get(checkId(id, 'subscriptionId', 'fake'));
    if (!s) throw notFound('subscription', id);
    return s;
  }
  function price(id: string): FakePrice {
    const p = prices[id];
    if (!p)
      throw new IntegrationError('invalid_input', `no such price: ${id}`, { provider: 'fake', status: 400, details: { field: 'priceId' } });
    return p;
  }

  function behaviorOf(amount: number): FakeCardBehavior | 'insufficient' {
    if (amount === FAKE_MAGIC_AMOUNTS.declined) return 'declined';
    if (amount === FAKE_MAGIC_AMOUNTS.insufficientFunds) return 'insufficient';
    if (amount === FAKE_MAGIC_AMOUNTS.requiresAction) return 'requires_action';
    return 'succeed';
  }

  /** Confirm: the one place a charge happens. */
  function charge(p: Payment, offSession: boolean, recoveryUrl: string | undefined): Payment {
    const behavior = behaviorOf(p.amount.amount);
    if (behavior === 'declined' || behavior === 'insufficient') {
      const declineCode = behavior === 'declined' ? 'generic_decline' : 'insufficient_funds';
      p.status = 'requires_payment_method';
      p.lastError = { code: 'card_declined', declineCode, message: 'Your card was declined.' };
      emit('payment.failed', p.id, p);
      throw precondition('the card was declined', { declineCode, stripeCode: 'card_declined', paymentId: p.id });
    }
    if (behavior === 'requires_action') {
      p.status = 'requires_action';
      p.nextAction = { type: 'authenticate', offSession };
      if (offSession) {
        p.lastError = { code: 'authentication_required', message: 'The customer must authenticate this payment.' };
        p.recovery = recoveryUrl ? { url: withPaymentId(recoveryUrl, p.id) } : {};
      }
      emit('payment.requires_action', p.id, p);
      return p;
    }
    succeedOrAuthorize(p);
    return p;
  }

  function succeedOrAuthorize(p: Payment): void {
    delete p.nextAction;
    delete p.lastError;
    if (p.captureMethod === 'manual') {
      p.status = 'requires_capture';
    } else {
      p.status = 'succeeded';
      p.amountReceived = p.amount.amount;
      emit('payment.succeeded', p.id, p);
    }
  }

  const billing = createFakeBilling({
    subs,
    cardBehavior,
    price,
    behaviorOf,
    emit,
    newId,
    iso,
    now: () => nowMs,
    setNow: (ms) => {
      nowMs = ms;
    },
  });
  const { bill, advance, statusEvent } = billing;
  const toSubscriptionEvent = billing.subscriptionEvent;

  const fake: FakePayments = {
    provider: 'fake',
    clock: { now: () => nowMs, advance },

    events: () => emitted.slice(),
    payments: () => [...payments.values()].map((p) => structuredClone(p)),
    takeEvents() {
      const out = emitted.slice(drained);
      drained = emitted.length;
      return out;
    },

    async signWebhook(event, opts = {}) {
      const body = JSON.stringify(paymentEventSchema.parse(event));
      return signStripeStyle(body, secret, opts.timestampSeconds ?? Math.floor(nowMs / 1000));
    },

    async createCustomer(input, opts) {
      const data = parseInput(createCustomerSchema, input, 'createCustomer', 'fake');
      return once(
        'customers.create',
        opts,
        [data],
        async () => {
          const c: Customer = {
            id: newId('cus'),
            metadata: data.metadata ?? {},
            createdAt: iso(),
            ...pick(data, ['email', 'name', 'phone']),
          };
          customers.set(c.id, c);
          return c;
        },
        'per-call',
      );
    },

    async updateCustomer(customerId, input, opts) {
      const data = parseInput(updateCustomerSchema, input, 'updateCustomer', 'fake');
      return once(
        'customers.update',
        opts,
        [customerId, data],
        async () => {
          const c = customer(customerId);
          Object.assign(c, pick(data, ['email', 'name', 'phone', 'defaultPaymentMethodId']));
          if (data.metadata) c.metadata = { ...c.metadata, ...data.metadata };
          return c;
        },
        'per-call',
      );
    },

    async getCustomer(customerId) {
      return structuredClone(customer(customerId));
    },

    async createCheckoutSession(input, opts) {
      const data = parseInput(checkoutSessionSchema, input, 'createCheckoutSession', 'fake');
      if (data.customerId) customer(data.customerId);
      if (data.mode !== 'setup') for (const item of data.lineItems) if ('priceId' in item) price(item.priceId);
      return once(
        'checkout.sessions.create',
        opts,
        [data],
        async () => {
          const id = newId('cs');
          let amountTotal: Money | undefined;
          if (data.mode !== 'setup') {
            for (const item of data.lineItems) {
              const unit = 'priceId' in item ? price(item.priceId).amount : item.amount;
              amountTotal = { amount: (amountTotal?.amount ?? 0) + unit.amount * item.quantity, currency: unit.currency };
            }
          }
          const session: CheckoutSession = {
            id,
            mode: data.mode,
            status: 'open',
            url: `https://fake-checkout.switchyard.test/c/${id}`,
            expiresAt: iso(nowMs + CHECKOUT_TTL_MS),
            ...(data.customerId ? { customerId: data.customerId } : {}),
            ...(data.clientReferenceId ? { clientReferenceId: data.clientReferenceId } : {}),
            ...(amountTotal ? { amountTotal } : {}),
          };
          checkouts.set(id, { session, input: data });
          return session;
        },
        'per-call',
      );
    },

    async completeCheckout(sessionId) {
      const rec = checkouts.get(checkId(sessionId, 'sessionId', 'fake'));
      if (!rec) throw notFound('checkout session', sessionId);
      if (rec.session.status !== 'open') throw precondition(`checkout session ${sessionId} is ${rec.session.status}`);
      const { session, input } = rec;
      const customerId =
        session.customerId ??
        (
          await fake.createCustomer(input.customerEmail ? { email: input.customerEmail } : {}, {
            idempotencyKey: `checkout-customer-${sessionId}`,
          })
        ).id;
      session.customerId = customerId;
      if (input.mode === 'payment' && session.amountTotal) {
        const p = newPayment({
          amount: session.amountTotal,
          customerId,
          captureMethod: input.captureMethod,
          metadata: input.metadata ?? {},
        });
        session.paymentId = p.id;
        const behavior = behaviorOf(p.amount.amount);
        if (behavior === 'declined' || behavior === 'insufficient') {
          // On the hosted page the buyer sees the decline and may try another card: the session stays open.
          p.lastError = {
            code: 'card_declined',
            declineCode: behavior === 'declined' ? 'generic_decline' : 'insufficient_funds',
            message: 'Your card was declined.',
          };
          emit('payment.failed', p.id, p);
          return structuredClone(session);
        }
        if (behavior === 'requires_action') {
          // The hosted page runs the 3-D Secure challenge; the buyer passes it.
          p.status = 'requires_action';
          p.nextAction = { type: 'authenticate', offSession: false };
          emit('payment.requires_action', p.id, p);
        }
        succeedOrAuthorize(p);
      } else if (input.mode === 'subscription') {
        const item = input.lineItems[0];
        if (item) {
          const sub = await fake.createSubscription(
            { customerId, priceId: item.priceId, quantity: item.quantity, ...(input.trialDays ? { trialDays: input.trialDays } : {}) },
            { idempotencyKey: `checkout-subscription-${sessionId}` },
          );
          session.subscriptionId = sub.id;
        }
      }
      session.status = 'complete';
      emit('checkout.completed', session.id, session);
      return structuredClone(session);
    },

    async expireCheckout(sessionId) {
      const rec = checkouts.get(checkId(sessionId, 'sessionId', 'fake'));
      if (!rec) throw notFound('checkout session', sessionId);
      if (rec.session.status !== 'open') throw precondition(`checkout session ${sessionId} is ${rec.session.status}`);
      rec.session.status = 'expired';
      emit('checkout.expired', sessionId, rec.session);
      return structuredClone(rec.session);
    },

    async createPayment(input, opts) {
      const data = parseInput(createPaymentSchema, input, 'createPayment', 'fake');
      if (data.customerId) customer(data.customerId);
      return once('payment_intents.create', opts, [data], async () => {
        const p = newPayment({
          amount: data.amount,
          captureMethod: data.captureMethod,
          metadata: data.metadata ?? {},
          ...(data.customerId ? { customerId: data.customerId } : {}),
          ...(data.paymentMethodId ? { paymentMethodId: data.paymentMethodId } : {}),
        });
        p.status = data.paymentMethodId ? 'requires_confirmation' : 'requires_payment_method';
        if (data.confirm) charge(p, data.offSession, data.recoveryUrl);
        return p;
      });
    },

    async confirmPayment(paymentId, input, opts) {
      const data = parseInput(confirmPaymentSchema, input, 'confirmPayment', 'fake');
      return once('payment_intents.confirm', opts, [paymentId, data], async () => {
        const p = payment(paymentId);
        if (p.status !== 'requires_payment_method' && p.status !== 'requires_confirmation' && p.status !== 'requires_action') {
          throw precondition(`payment ${paymentId} is ${p.status} and cannot be confirmed`, { status: p.status });
        }
        if (data?.paymentMethodId) p.paymentMethodId = data.paymentMethodId;
        if (!p.paymentMethodId) throw precondition('confirming needs a payment method', { field: 'paymentMethodId' });
        return charge(p, false, undefined);
      });
    },

    async completeAction(paymentId, outcome) {
      const p = payment(paymentId);
      if (p.status !== 'requires_action') throw precondition(`payment ${paymentId} is ${p.status}, not requires_action`);
      if (outcome === 'authenticated') succeedOrAuthorize(p);
      else {
        p.status = 'requires_payment_method';
        delete p.nextAction;
        p.lastError = { code: 'payment_intent_authentication_failure', message: 'The customer failed authentication.' };
        emit('payment.failed', p.id, p);
      }
      return structuredClone(p);
    },

    async capturePayment(paymentId, input, opts) {
      const data = parseInput(capturePaymentSchema, input, 'capturePayment', 'fake');
      return once('payment_intents.capture', opts, [paymentId, data], async () => {
        const p = payment(paymentId);
        if (p.status !== 'requires_capture')
          throw precondition(`payment ${paymentId} is ${p.status}, not requires_capture`, { status: p.status });
        const amount = data?.amount ?? p.amount.amount;
        if (amount > p.amount.amount) {
          throw new IntegrationError('invalid_input', `cannot capture ${amount}: only ${p.amount.amount} was authorized`, {
            provider: 'fake',
            details: { field: 'amount' },
          });
        }
        p.status = 'succeeded';
        p.amountReceived = amount;
        emit('payment.succeeded', p.id, p);
        return p;
      });
    },

    async cancelPayment(paymentId, opts) {
      return once('payment_intents.cancel', opts, [paymentId], async () => {
        const p = payment(paymentId);
        if (p.status === 'succeeded' || p.status === 'canceled') {
          throw precondition(`payment ${paymentId} is ${p.status} and cannot be canceled (refund a succeeded payment)`, {
            status: p.status,
          });
        }
        p.status = 'canceled';
        delete p.nextAction;
        return p;
      });
    },

    async getPayment(paymentId) {
      return structuredClone(payment(paymentId));
    },

    async getSubscription(subscriptionId) {
      return structuredClone(subscription(subscriptionId).sub);
    },

    async createSetupIntent(input, opts) {
      const data = parseInput(createSetupSchema, input, 'createSetupIntent', 'fake');
      customer(data.customerId);
      return once(
        'setup_intents.create',
        opts,
        [data],
        async () => {
          const id = newId('seti');
          return { id, status: 'requires_payment_method', customerId: data.customerId, clientSecret: `${id}_secret_fake` };
        },
        'per-call',
      );
    },

    async refund(input, opts) {
      const data = parseInput(refundSchema, input, 'refund', 'fake');
      return once('refunds.create', opts, [data], async () => {
        const p = payment(data.paymentId);
        if (p.status !== 'succeeded')
          throw precondition(`payment ${p.id} is ${p.status}; only succeeded payments can be refunded`, { status: p.status });
        const left = p.amountReceived - p.amountRefunded;
        const amount = data.amount ?? left;
        if (amount > left || amount <= 0) {
          throw new IntegrationError('invalid_input', `refund of ${amount} exceeds the ${left} left to refund on ${p.id}`, {
            provider: 'fake',
            status: 400,
            details: { field: 'amount' },
          });
        }
        p.amountRefunded += amount;
        const refund: Refund = {
          id: newId('re'),
          paymentId: p.id,
          amount: { amount, currency: p.amount.currency },
          status: 'succeeded',
          createdAt: iso(),
          ...(data.reason ? { reason: data.reason } : {}),
        };
        emit('payment.refunded', p.id, { payment: p, refund });
        return refund;
      });
    },

    async createSubscription(input, opts) {
      const data = parseInput(createSubscriptionSchema, input, 'createSubscription', 'fake');
      customer(data.customerId);
      const pr = price(data.priceId);
      return once('subscriptions.create', opts, [data], async () => {
        const trialEndMs = data.trialDays ? nowMs + data.trialDays * DAY : undefined;
        const periodEndMs = trialEndMs ?? nowMs + INTERVAL_MS[pr.interval];
        const rec: SubRecord = {
          sub: {
            id: newId('sub'),
            customerId: data.customerId,
            status: trialEndMs ? 'trialing' : 'incomplete',
            priceId: data.priceId,
            quantity: data.quantity,
            cancelAtPeriodEnd: false,
            currentPeriodEnd: iso(periodEndMs),
            metadata: data.metadata ?? {},
            createdAt: iso(),
            ...(trialEndMs ? { trialEnd: iso(trialEndMs) } : {}),
          },
          createdMs: nowMs,
          periodEndMs,
          trialWarned: false,
          paused: false,
          ...(trialEndMs ? { trialEndMs } : {}),
        };
        subs.set(rec.sub.id, rec);
        if (!trialEndMs) {
          // Stripe emits `created` with the first invoice's outcome already applied.
          bill(rec, true);
        }
        toSubscriptionEvent(rec, 'subscription.created');
        return rec.sub;
      });
    },

    async updateSubscription(subscriptionId, input, opts) {
      const data = parseInput(updateSubscriptionSchema, input, 'updateSubscription', 'fake');
      if (data.priceId) price(data.priceId);
      return once(
        'subscriptions.update',
        opts,
        [subscriptionId, data],
        async () => {
          const rec = subscription(subscriptionId);
          if (rec.sub.status === 'canceled' || rec.sub.status === 'incomplete_expired') {
            throw precondition(`subscription ${subscriptionId} is ${rec.sub.status}`, { status: rec.sub.status });
          }
          const before = rec.sub.status;
          if (data.priceId) rec.sub.priceId = data.priceId;
          if (data.quantity) rec.sub.quantity = data.quantity;
          if (data.metadata) rec.sub.metadata = { ...rec.sub.metadata, ...data.metadata };
          // `always_invoice` bills the change now; the fake bills a full period rather than computing
          // Stripe's exact proration amounts, which hosts should not re-implement anyway.
          if (data.proration === 'always_invoice' && rec.sub.status !== 'trialing') bill(rec, false);
          if (rec.sub.status === before) toSubscriptionEvent(rec, 'subscription.updated');
          else statusEvent(rec, before);
          return rec.sub;
        },
        'per-call',
      );
    },

    async cancelSubscription(subscriptionId, input, opts) {
      const data = parseInput(cancelSubscriptionSchema, input, 'cancelSubscription', 'fake');
      return once('subscriptions.cancel', opts, [subscriptionId, data], async () => {
        const rec = subscription(subscriptionId);
        if (rec.sub.status === 'canceled') throw precondition(`subscription ${subscriptionId} is already canceled`, { status: 'canceled' });
        if (data?.atPeriodEnd) {
          rec.sub.cancelAtPeriodEnd = true;
          toSubscriptionEvent(rec, 'subscription.updated');
        } else {
          rec.sub.status = 'canceled';
          rec.sub.canceledAt = iso();
          toSubscriptionEvent(rec, 'subscription.canceled');
        }
        return rec.sub;
      });
    },

    async pauseSubscription(subscriptionId, opts) {
      return once(
        'subscriptions.pause',
        opts,
        [subscriptionId],
        async () => {
          const rec = subscription(subscriptionId);
          if (rec.sub.status !== 'active' && rec.sub.status !== 'trialing' && rec.sub.status !== 'past_due') {
            throw precondition(`subscription ${subscriptionId} is ${rec.sub.status} and cannot be paused`, { status: rec.sub.status });
          }
          rec.paused = true;
          rec.sub.status = 'paused';
          toSubscriptionEvent(rec, 'subscription.paused');
          return rec.sub;
        },
        'per-call',
      );
    },

    async resumeSubscription(subscriptionId, opts) {
      return once(
        'subscriptions.resume',
        opts,
        [subscriptionId],
        async () => {
          const rec = subscription(subscriptionId);
          if (rec.sub.status !== 'paused')
            throw precondition(`subscription ${subscriptionId} is ${rec.sub.status}, not paused`, { status: rec.sub.status });
          rec.paused = false;
          rec.sub.status = 'active';
          rec.periodEndMs = nowMs + INTERVAL_MS[price(rec.sub.priceId).interval];
          rec.sub.currentPeriodEnd = iso(rec.periodEndMs);
          toSubscriptionEvent(rec, 'subscription.resumed');
          return rec.sub;
        },
        'per-call',
      );
    },

    async createPortalSession(input, opts) {
      const data = parseInput(portalSessionSchema, input, 'createPortalSession', 'fake');
      customer(data.customerId);
      return once(
        'billing_portal.sessions.create',
        opts,
        [data],
        async () => {
          const id = newId('bps');
          return { id, url: `https://fake-billing.switchyard.test/p/${id}` };
        },
        'per-call',
      );
    },

    async dispute(paymentId, reason = 'fraudulent') {
      const p = payment(paymentId);
      if (p.status !== 'succeeded') throw precondition(`payment ${paymentId} is ${p.status}; only succeeded payments can be disputed`);
      const id = newId('dp');
      emit('payment.disputed', id, { id, paymentId, amount: { ...p.amount }, reason, status: 'needs_response' });
    },

    async payOpenInvoice(subscriptionId) {
      const rec = subscription(subscriptionId);
      if (!rec.sub.latestInvoiceUrl || (rec.sub.status !== 'incomplete' && rec.sub.status !== 'past_due' && rec.sub.status !== 'unpaid')) {
        throw precondition(`subscription ${subscriptionId} has no open invoice to pay`, { status: rec.sub.status });
      }
      billing.payOpenInvoice(rec);
      return structuredClone(rec.sub);
    },

    setCardBehavior(customerId, behavior) {
      customer(customerId);
      cardBehavior.set(customerId, behavior);
    },

    async parseWebhook(raw) {
      const verified = await verifyStripeWebhook<unknown>(raw, {
        secret,
        now: () => nowMs,
        ...(options.replayGuard ? { replayGuard: options.replayGuard } : {}),
      });
      const parsed = paymentEventSchema.safeParse(verified.payload);
      if (!parsed.success) {
        logger.warn({ provider: 'fake' }, 'fake webhook body is not a normalized payment event');
        throw new IntegrationError('invalid_input', 'the webhook body is not a normalized payment event', { provider: 'fake' });
      }
      return parsed.data;
    },
  };

  function newPayment(
    init: Pick<Payment, 'amount' | 'captureMethod' | 'metadata'> & Partial<Pick<Payment, 'customerId' | 'paymentMethodId'>>,
  ): Payment {
    const id = newId('pi');
    const p: Payment = {
      id,
      status: 'requires_payment_method',
      amountReceived: 0,
      amountRefunded: 0,
      clientSecret: `${id}_secret_fake`,
      createdAt: iso(),
      ...init,
    };
    payments.set(id, p);
    return p;
  }

  return fake;
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (value[k] !== undefined) out[k] = value[k];
  return out;
}
