/**
 * `createStripePayments`: the `PaymentProvider` port on the official `stripe` SDK.
 *
 * Every call goes through `call()`: one telemetry span, switchyard's retry policy (the SDK's own
 * retries are off), the pinned `Stripe-Version`, the Idempotency-Key on every mutation, and the
 * Stripe error → `IntegrationError` mapping. Nothing here logs a key, a client secret or a payment
 * method: the logger only ever sees ids, codes and the telemetry fields.
 */
import Stripe from 'stripe';
import { IntegrationError } from '../../core/errors.js';
import { withRedaction } from '../../core/logger.js';
import { createTelemetry } from '../../core/observability.js';
import { providerCall } from '../../retry/provider-call.js';
import { verifyStripeWebhook } from '../../webhooks/providers/stripe.js';
import { type KeyMode, mutationKey } from '../derive-key.js';
import type { PaymentEvent } from '../events.js';
import type { PaymentProvider } from '../port.js';
import {
  type Payment,
  cancelSubscriptionSchema,
  capturePaymentSchema,
  checkoutSessionSchema,
  confirmPaymentSchema,
  createCustomerSchema,
  createPaymentSchema,
  createSetupSchema,
  createSubscriptionSchema,
  mutationOptionsSchema,
  portalSessionSchema,
  refundSchema,
  updateCustomerSchema,
  updateSubscriptionSchema,
} from '../schemas.js';
import { checkId, parseInput } from '../validate.js';
import { toStripeAmount } from './currency.js';
import { mapStripeError } from './errors.js';
import { type Obj, RECOVERY_URL_KEY, toCheckoutSession, toCustomer, toPayment, toRefund, toSubscription } from './map.js';
import { normalizeStripeEvent, type StripeEventInput } from './normalize.js';
import { STRIPE_API_VERSION, type StripePaymentsOptions, modeOfKey, validateOptions } from './options.js';

const PROVIDER = 'stripe';

/** The `PaymentProvider` port on Stripe, with the SDK client it uses. */
export interface StripePayments extends PaymentProvider {
  /** Always `stripe`. */
  readonly provider: 'stripe';
  /** The underlying client, for the Stripe features the port does not cover. */
  readonly stripe: Stripe;
}

/**
 * The `PaymentProvider` port on Stripe: pinned API version, an Idempotency-Key on every mutation,
 * switchyard's retry policy, and every Stripe error mapped to an `IntegrationError`.
 *
 * @example
 * const payments = createStripePayments({ apiKey: process.env.STRIPE_SECRET_KEY!, webhookSecret: process.env.STRIPE_WEBHOOK_SECRET! });
 * const session = await payments.createCheckoutSession({ mode: 'payment', lineItems: [{ priceId: 'price_123' }], successUrl: 'https://example.com/thanks' });
 * const event = await payments.parseWebhook(await fromFetchRequest(request)); // in the webhook route
 */
export function createStripePayments(options: StripePaymentsOptions): StripePayments {
  validateOptions(options);
  const apiVersion = options.apiVersion ?? STRIPE_API_VERSION;
  const logger = withRedaction(options.logger);
  const telemetry = createTelemetry({
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.telemetry?.hooks ? { hooks: options.telemetry.hooks } : {}),
    ...(options.telemetry?.openTelemetry !== undefined ? { openTelemetry: options.telemetry.openTelemetry } : {}),
  });
  const mode = options.mode ?? modeOfKey(options.apiKey);
  const stripe =
    options.stripe ??
    new Stripe(options.apiKey as string, {
      apiVersion: apiVersion as Stripe.LatestApiVersion,
      // Our retry loop owns retries: one policy, one budget, and every attempt is visible.
      maxNetworkRetries: 0,
      // Fetch, not Node's http: it runs on edge runtimes too, and it is the client msw can intercept
      // reliably (docs/decisions.md).
      httpClient: options.httpClient ?? Stripe.createFetchHttpClient(),
      timeout: options.timeoutMs ?? 20_000,
      appInfo: { name: 'switchyard' },
      telemetry: false,
    });
  const policy = {
    maxAttempts: 3,
    baseDelayMs: 500,
    maxElapsedMs: 60_000,
    ...options.retry,
  };

  async function call<T>(
    operation: string,
    idempotencyKey: string | undefined,
    run: (request: Stripe.RequestOptions) => Promise<T>,
  ): Promise<T> {
    const request: Stripe.RequestOptions = { apiVersion, ...(idempotencyKey ? { idempotencyKey } : {}) };
    return providerCall(
      {
        telemetry,
        provider: PROVIDER,
        operation,
        // A mutation is retried only because it carries its key: Stripe answers the retry with
        // the first attempt's result instead of acting twice.
        policy: { ...policy, mutation: idempotencyKey !== undefined, ...(idempotencyKey ? { idempotencyKey } : {}) },
        mapError: (error) => mapStripeError(error, operation),
      },
      () => run(request),
    );
  }

  async function key(operation: string, given: unknown, mode: KeyMode, ...inputs: unknown[]): Promise<string> {
    const opts = parseInput(mutationOptionsSchema, given, `${operation} options`, PROVIDER);
    return mutationKey(PROVIDER, operation, opts?.idempotencyKey, mode, ...inputs);
  }

  const asObj = (v: unknown) => v as unknown as Obj;
  const lower = (currency: string) => currency.toLowerCase();

  /**
   * A confirmation that Stripe refuses with `authentication_required` (off session, SCA) is not an
   * error for the host: the PaymentIntent in the error is returned as `requires_action`.
   */
  async function confirming(
    operation: string,
    idempotencyKey: string,
    run: (request: Stripe.RequestOptions) => Promise<Stripe.PaymentIntent>,
  ): Promise<Payment> {
    try {
      return toPayment(asObj(await call(operation, idempotencyKey, run)));
    } catch (error) {
      const cause =
        error instanceof IntegrationError ? (error.cause as { code?: string; payment_intent?: unknown } | undefined) : undefined;
      if (cause?.code === 'authentication_required' && typeof cause.payment_intent === 'object' && cause.payment_intent !== null) {
        const payment = toPayment(cause.payment_intent as Obj);
        logger.info({ provider: PROVIDER, paymentId: payment.id }, 'off-session payment needs customer authentication');
        return payment;
      }
      throw error;
    }
  }

  const adapter: StripePayments = {
    provider: PROVIDER,
    stripe,

    async createCustomer(input, opts) {
      const data = parseInput(createCustomerSchema, input, 'createCustomer', PROVIDER);
      const idem = await key('customers.create', opts, 'per-call', data);
      const c = await call('customers.create', idem, (r) => stripe.customers.create(data, r));
      return toCustomer(asObj(c));
    },

    async updateCustomer(customerId, input, opts) {
      checkId(customerId, 'customerId', PROVIDER);
      const { defaultPaymentMethodId, ...rest } = parseInput(updateCustomerSchema, input, 'updateCustomer', PROVIDER);
      const params: Stripe.CustomerUpdateParams = {
        ...rest,
        ...(defaultPaymentMethodId ? { invoice_settings: { default_payment_method: defaultPaymentMethodId } } : {}),
      };
      const idem = await key('customers.update', opts, 'per-call', customerId, params);
      return toCustomer(asObj(await call('customers.update', idem, (r) => stripe.customers.update(customerId, params, r))));
    },

    async getCustomer(customerId) {
      checkId(customerId, 'customerId', PROVIDER);
      const c = await call('customers.retrieve', undefined, (r) => stripe.customers.retrieve(customerId, {}, r));
      if ((c as { deleted?: boolean }).deleted) {
        throw new IntegrationError('not_found', `customer ${customerId} was deleted`, {
          provider: PROVIDER,
          details: { field: 'customerId' },
        });
      }
      return toCustomer(asObj(c));
    },

    async createCheckoutSession(input, opts) {
      const data = parseInput(checkoutSessionSchema, input, 'createCheckoutSession', PROVIDER);
      const params: Stripe.Checkout.SessionCreateParams = {
        mode: data.mode,
        success_url: data.successUrl,
        ...(data.cancelUrl ? { cancel_url: data.cancelUrl } : {}),
        ...(data.customerId ? { customer: data.customerId } : data.customerEmail ? { customer_email: data.customerEmail } : {}),
        ...(data.clientReferenceId ? { client_reference_id: data.clientReferenceId } : {}),
        ...(data.metadata ? { metadata: data.metadata } : {}),
      };
      // No payment_method_types: Checkout then offers the dynamic (automatic) payment methods
      // configured in the Dashboard, and runs 3-D Secure itself when the bank asks for it.
      if (data.mode === 'payment') {
        params.line_items = data.lineItems.map((item) =>
          'priceId' in item
            ? { price: item.priceId, quantity: item.quantity }
            : {
                quantity: item.quantity,
                price_data: {
                  currency: lower(item.amount.currency),
                  unit_amount: toStripeAmount(item.amount.amount, item.amount.currency),
                  product_data: { name: item.name },
                },
              },
        );
        const intent: Stripe.Checkout.SessionCreateParams.PaymentIntentData = {};
        if (data.captureMethod === 'manual') intent.capture_method = 'manual';
        if (data.savePaymentMethod) intent.setup_future_usage = 'off_session';
        if (Object.keys(intent).length > 0) params.payment_intent_data = intent;
      } else if (data.mode === 'subscription') {
        params.line_items = data.lineItems.map((item) => ({ price: item.priceId, quantity: item.quantity }));
        if (data.trialDays) params.subscription_data = { trial_period_days: data.trialDays };
      } else {
        params.currency = lower(data.currency);
      }
      const idem = await key('checkout.sessions.create', opts, 'per-call', params);
      return toCheckoutSession(asObj(await call('checkout.sessions.create', idem, (r) => stripe.checkout.sessions.create(params, r))));
    },

    async createPayment(input, opts) {
      const data = parseInput(createPaymentSchema, input, 'createPayment', PROVIDER);
      const metadata = { ...data.metadata, ...(data.recoveryUrl ? { [RECOVERY_URL_KEY]: data.recoveryUrl } : {}) };
      const params: Stripe.PaymentIntentCreateParams = {
        amount: toStripeAmount(data.amount.amount, data.amount.currency),
        currency: lower(data.amount.currency),
        capture_method: data.captureMethod,
        // Automatic payment methods; redirect-based ones need a return URL to come back to.
        automatic_payment_methods: { enabled: true, ...(data.returnUrl || !data.confirm ? {} : { allow_redirects: 'never' as const }) },
        ...(data.customerId ? { customer: data.customerId } : {}),
        ...(data.paymentMethodId ? { payment_method: data.paymentMethodId } : {}),
        ...(data.confirm ? { confirm: true } : {}),
        ...(data.offSession ? { off_session: true } : {}),
        ...(data.returnUrl ? { return_url: data.returnUrl } : {}),
        ...(data.description ? { description: data.description } : {}),
        ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      };
      const idem = await key('payment_intents.create', opts, 'inputs', params);
      return confirming('payment_intents.create', idem, (r) => stripe.paymentIntents.create(params, r));
    },

    async confirmPayment(paymentId, input, opts) {
      checkId(paymentId, 'paymentId', PROVIDER);
      const data = parseInput(confirmPaymentSchema, input, 'confirmPayment', PROVIDER);
      const params: Stripe.PaymentIntentConfirmParams = {
        ...(data?.paymentMethodId ? { payment_method: data.paymentMethodId } : {}),
        ...(data?.returnUrl ? { return_url: data.returnUrl } : {}),
      };
      const idem = await key('payment_intents.confirm', opts, 'inputs', paymentId, params);
      return confirming('payment_intents.confirm', idem, (r) => stripe.paymentIntents.confirm(paymentId, params, r));
    },

    async capturePayment(paymentId, input, opts) {
      checkId(paymentId, 'paymentId', PROVIDER);
      const data = parseInput(capturePaymentSchema, input, 'capturePayment', PROVIDER);
      let params: Stripe.PaymentIntentCaptureParams = {};
      if (data?.amount !== undefined) {
        // Partial capture is in the payment's currency: read it to translate the amount exactly.
        const pi = await call('payment_intents.retrieve', undefined, (r) => stripe.paymentIntents.retrieve(paymentId, {}, r));
        params = { amount_to_capture: toStripeAmount(data.amount, pi.currency) };
      }
      const idem = await key('payment_intents.capture', opts, 'inputs', paymentId, params);
      return toPayment(asObj(await call('payment_intents.capture', idem, (r) => stripe.paymentIntents.capture(paymentId, params, r))));
    },

    async cancelPayment(paymentId, opts) {
      checkId(paymentId, 'paymentId', PROVIDER);
      const idem = await key('payment_intents.cancel', opts, 'inputs', paymentId);
      return toPayment(asObj(await call('payment_intents.cancel', idem, (r) => stripe.paymentIntents.cancel(paymentId, {}, r))));
    },

    async getPayment(paymentId) {
      checkId(paymentId, 'paymentId', PROVIDER);
      return toPayment(
        asObj(
          await call('payment_intents.retrieve', undefined, (r) =>
            stripe.paymentIntents.retrieve(paymentId, { expand: ['latest_charge'] }, r),
          ),
        ),
      );
    },

    async getSubscription(subscriptionId) {
      checkId(subscriptionId, 'subscriptionId', PROVIDER);
      const s = await call('subscriptions.retrieve', undefined, (r) =>
        stripe.subscriptions.retrieve(subscriptionId, { expand: ['latest_invoice'] }, r),
      );
      return toSubscription(asObj(s));
    },

    async createSetupIntent(input, opts) {
      const data = parseInput(createSetupSchema, input, 'createSetupIntent', PROVIDER);
      const params: Stripe.SetupIntentCreateParams = {
        customer: data.customerId,
        usage: 'off_session',
        automatic_payment_methods: { enabled: true },
        ...(data.metadata ? { metadata: data.metadata } : {}),
      };
      const idem = await key('setup_intents.create', opts, 'per-call', params);
      const si = await call('setup_intents.create', idem, (r) => stripe.setupIntents.create(params, r));
      return {
        id: si.id,
        status: si.status,
        ...(typeof si.customer === 'string' ? { customerId: si.customer } : {}),
        ...(si.client_secret ? { clientSecret: si.client_secret } : {}),
      };
    },

    async refund(input, opts) {
      const data = parseInput(refundSchema, input, 'refund', PROVIDER);
      let amount: number | undefined;
      if (data.amount !== undefined) {
        const pi = await call('payment_intents.retrieve', undefined, (r) => stripe.paymentIntents.retrieve(data.paymentId, {}, r));
        amount = toStripeAmount(data.amount, pi.currency);
      }
      const params: Stripe.RefundCreateParams = {
        payment_intent: data.paymentId,
        ...(amount !== undefined ? { amount } : {}),
        ...(data.reason ? { reason: data.reason } : {}),
        ...(data.metadata ? { metadata: data.metadata } : {}),
      };
      const idem = await key('refunds.create', opts, 'inputs', params);
      return toRefund(asObj(await call('refunds.create', idem, (r) => stripe.refunds.create(params, r))));
    },

    async createSubscription(input, opts) {
      const data = parseInput(createSubscriptionSchema, input, 'createSubscription', PROVIDER);
      const params: Stripe.SubscriptionCreateParams = {
        customer: data.customerId,
        items: [{ price: data.priceId, quantity: data.quantity }],
        // Charge the saved method now; if the bank wants 3-D Secure the subscription is
        // `incomplete` and `latestInvoiceUrl` is where the customer completes it.
        payment_behavior: 'allow_incomplete',
        expand: ['latest_invoice'],
        ...(data.trialDays ? { trial_period_days: data.trialDays } : {}),
        ...(data.paymentMethodId ? { default_payment_method: data.paymentMethodId } : {}),
        ...(data.metadata ? { metadata: data.metadata } : {}),
      };
      const idem = await key('subscriptions.create', opts, 'inputs', params);
      return toSubscription(asObj(await call('subscriptions.create', idem, (r) => stripe.subscriptions.create(params, r))));
    },

    async updateSubscription(subscriptionId, input, opts) {
      checkId(subscriptionId, 'subscriptionId', PROVIDER);
      const data = parseInput(updateSubscriptionSchema, input, 'updateSubscription', PROVIDER);
      const current = await call('subscriptions.retrieve', undefined, (r) => stripe.subscriptions.retrieve(subscriptionId, {}, r));
      const item = current.items.data[0];
      if (!item) {
        throw new IntegrationError('precondition_failed', `subscription ${subscriptionId} has no item to change`, { provider: PROVIDER });
      }
      const params: Stripe.SubscriptionUpdateParams = {
        proration_behavior: data.proration,
        expand: ['latest_invoice'],
        ...(data.priceId || data.quantity
          ? {
              items: [
                { id: item.id, ...(data.priceId ? { price: data.priceId } : {}), ...(data.quantity ? { quantity: data.quantity } : {}) },
              ],
            }
          : {}),
        ...(data.metadata ? { metadata: data.metadata } : {}),
      };
      const idem = await key('subscriptions.update', opts, 'per-call', subscriptionId, params);
      return toSubscription(asObj(await call('subscriptions.update', idem, (r) => stripe.subscriptions.update(subscriptionId, params, r))));
    },

    async cancelSubscription(subscriptionId, input, opts) {
      checkId(subscriptionId, 'subscriptionId', PROVIDER);
      const data = parseInput(cancelSubscriptionSchema, input, 'cancelSubscription', PROVIDER);
      if (data?.atPeriodEnd) {
        const idem = await key('subscriptions.cancel_at_period_end', opts, 'per-call', subscriptionId);
        const s = await call('subscriptions.update', idem, (r) =>
          stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true }, r),
        );
        return toSubscription(asObj(s));
      }
      const idem = await key('subscriptions.cancel', opts, 'inputs', subscriptionId);
      return toSubscription(asObj(await call('subscriptions.cancel', idem, (r) => stripe.subscriptions.cancel(subscriptionId, {}, r))));
    },

    async pauseSubscription(subscriptionId, opts) {
      checkId(subscriptionId, 'subscriptionId', PROVIDER);
      const idem = await key('subscriptions.pause', opts, 'per-call', subscriptionId);
      // Pausing payment collection (invoices voided while paused) is Stripe's pause for live subscriptions.
      const s = await call('subscriptions.update', idem, (r) =>
        stripe.subscriptions.update(subscriptionId, { pause_collection: { behavior: 'void' } }, r),
      );
      return toSubscription(asObj(s));
    },

    async resumeSubscription(subscriptionId, opts) {
      checkId(subscriptionId, 'subscriptionId', PROVIDER);
      const current = await call('subscriptions.retrieve', undefined, (r) => stripe.subscriptions.retrieve(subscriptionId, {}, r));
      if (current.status === 'paused') {
        // Stripe's own `paused` status (a trial ended without a payment method) has its endpoint.
        const idem = await key('subscriptions.resume', opts, 'per-call', subscriptionId);
        const s = await call('subscriptions.resume', idem, (r) =>
          stripe.subscriptions.resume(subscriptionId, { billing_cycle_anchor: 'now' }, r),
        );
        return toSubscription(asObj(s));
      }
      if (!current.pause_collection) {
        throw new IntegrationError('precondition_failed', `subscription ${subscriptionId} is ${current.status}, not paused`, {
          provider: PROVIDER,
          details: { status: current.status },
        });
      }
      const idem = await key('subscriptions.unpause', opts, 'per-call', subscriptionId);
      const s = await call('subscriptions.update', idem, (r) => stripe.subscriptions.update(subscriptionId, { pause_collection: '' }, r));
      return toSubscription(asObj(s));
    },

    async createPortalSession(input, opts) {
      const data = parseInput(portalSessionSchema, input, 'createPortalSession', PROVIDER);
      const params: Stripe.BillingPortal.SessionCreateParams = { customer: data.customerId, return_url: data.returnUrl };
      const idem = await key('billing_portal.sessions.create', opts, 'per-call', params);
      const s = await call('billing_portal.sessions.create', idem, (r) => stripe.billingPortal.sessions.create(params, r));
      return { id: s.id, url: s.url };
    },

    async parseWebhook(raw): Promise<PaymentEvent> {
      if (options.webhookSecret === undefined) {
        throw new IntegrationError('invalid_config', 'parseWebhook needs webhookSecret (whsec_…) in createStripePayments options', {
          provider: PROVIDER,
          details: { field: 'webhookSecret' },
        });
      }
      let verified: Awaited<ReturnType<typeof verifyStripeWebhook<StripeEventInput & { api_version?: string | null }>>>;
      try {
        verified = await verifyStripeWebhook<StripeEventInput & { api_version?: string | null }>(raw, {
          secret: options.webhookSecret,
          ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
          ...(options.now ? { now: options.now } : {}),
          ...(options.replayGuard ? { replayGuard: options.replayGuard } : {}),
        });
      } catch (error) {
        telemetry.webhook({
          provider: PROVIDER,
          outcome: 'rejected',
          ...(error instanceof IntegrationError ? { errorCode: error.code } : {}),
        });
        throw error;
      }
      telemetry.webhook({ provider: PROVIDER, outcome: 'verified' });
      const event = verified.payload;
      if (
        typeof event?.id !== 'string' ||
        event.id === '' ||
        typeof event.type !== 'string' ||
        typeof event.created !== 'number' ||
        !Number.isSafeInteger(event.created) ||
        event.created < 0 ||
        event.created > 8.64e12 ||
        typeof event.data?.object !== 'object' ||
        event.data.object === null
      ) {
        throw new IntegrationError('invalid_input', 'the webhook body is not a Stripe event', { provider: PROVIDER });
      }
      if (mode !== undefined && event.livemode !== (mode === 'live')) {
        throw new IntegrationError(
          'invalid_config',
          `received a ${event.livemode ? 'live' : 'test'}-mode event ${event.id} but the API key is ${mode} mode: this endpoint's signing secret belongs to the other mode`,
          { provider: PROVIDER, details: { field: 'webhookSecret', eventId: event.id } },
        );
      }
      if (event.api_version && event.api_version !== apiVersion) {
        logger.warn(
          { provider: PROVIDER, eventId: event.id, eventApiVersion: event.api_version, pinnedApiVersion: apiVersion },
          'Stripe webhook event rendered in another API version than the pinned one; update the endpoint version',
        );
      }
      // The mappers are total: for any object they yield a schema-valid event (a fast-check
      // property in test/payments/stripe-normalize.property.test.ts), so the result is not
      // re-validated with zod here (~2.7 µs a webhook). Should one still throw, the event is
      // passed through, not dropped.
      try {
        return normalizeStripeEvent(event);
      } catch {
        logger.warn(
          { provider: PROVIDER, eventId: event.id, eventType: event.type },
          'Stripe event did not normalize; passed through as provider.unhandled',
        );
        return normalizeStripeEvent({ ...event, type: `unparsed:${event.type}` });
      }
    },
  };
  return adapter;
}
