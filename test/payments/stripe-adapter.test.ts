/**
 * The Stripe adapter's edges: option validation, what the SDK puts on the wire (checked against
 * the msw stand-in's record), currency translation, error mapping and what reaches the logger.
 */
import { describe, expect, it } from 'vitest';
import { IntegrationError, type Logger } from '../../src/index.js';
import { createStripePayments, mapStripeError } from '../../src/payments/stripe/index.js';
import { TEST_KEY, useStripeMock } from './support/stripe-setup.js';

const { mock, adapter } = useStripeMock();

function configError(run: () => unknown): IntegrationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IntegrationError);
    return error as IntegrationError;
  }
  throw new Error('expected invalid_config');
}

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

describe('createStripePayments options', () => {
  it.each([
    [{}, 'apiKey'],
    [{ apiKey: 'pk_test_123abc' }, 'apiKey'],
    [{ apiKey: 'sk_test_abc', stripe: {} as never }, 'stripe'],
    [{ apiKey: 'not-a-key' }, 'apiKey'],
    [{ apiKey: TEST_KEY, webhookSecret: 'sk_test_wrongthing' }, 'webhookSecret'],
    [{ apiKey: TEST_KEY, apiVersion: 'latest' }, 'apiVersion'],
    [{ apiKey: TEST_KEY, timeoutMs: 0 }, 'timeoutMs'],
  ])('%j is invalid_config naming %s, without echoing the key', (options, field) => {
    const error = configError(() => createStripePayments(options as never));
    expect(error.code).toBe('invalid_config');
    expect(String(error.details?.field)).toContain(field);
    expect(error.message).not.toMatch(/123abc|sk_test_abc|wrongthing/);
  });

  it('a publishable key gets an explanation', () => {
    expect(configError(() => createStripePayments({ apiKey: 'pk_live_123abc' })).message).toMatch(/publishable key/);
  });

  it('accepts a prebuilt client and still pins the version per request', async () => {
    const { default: Stripe } = await import('stripe');
    const client = new Stripe(TEST_KEY, { httpClient: Stripe.createFetchHttpClient(), maxNetworkRetries: 0 });
    const payments = createStripePayments({ stripe: client, mode: 'test', retry: { random: () => 0 } });
    await payments.createCustomer({ email: 'a@example.com' });
    expect(mock.requests[0]?.stripeVersion).toBe('2026-02-25.clover');
  });
});

describe('what the SDK sends', () => {
  it('form-encodes nested parameters, with automatic payment methods and the pinned version', async () => {
    await adapter().createPayment({
      amount: { amount: 1999, currency: 'usd' },
      captureMethod: 'manual',
      metadata: { orderId: 'o-1' },
    });
    const request = mock.requests.at(-1);
    expect(request?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.rawBody).toContain('automatic_payment_methods[enabled]=true');
    expect(request?.params).toMatchObject({ amount: '1999', currency: 'usd', capture_method: 'manual', metadata: { orderId: 'o-1' } });
  });

  it('every POST of a whole flow carries an Idempotency-Key', async () => {
    const stripe = adapter();
    const c = await stripe.createCustomer({ email: 'a@example.com' });
    await stripe.updateCustomer(c.id, { defaultPaymentMethodId: 'pm_card_visa' });
    const pay = await stripe.createPayment({
      amount: { amount: 500, currency: 'EUR' },
      customerId: c.id,
      paymentMethodId: 'pm_card_visa',
      confirm: true,
      captureMethod: 'manual',
    });
    await stripe.capturePayment(pay.id, { amount: 400 });
    await stripe.refund({ paymentId: pay.id, amount: 100 });
    const sub = await stripe.createSubscription({ customerId: c.id, priceId: 'price_basic' });
    await stripe.updateSubscription(sub.id, { priceId: 'price_pro', proration: 'always_invoice' });
    await stripe.pauseSubscription(sub.id);
    await stripe.resumeSubscription(sub.id);
    await stripe.cancelSubscription(sub.id);
    await stripe.createPortalSession({ customerId: c.id, returnUrl: 'https://shop.example/account' });
    const postsSent = mock.requests.filter((r) => r.method !== 'GET');
    expect(postsSent.length).toBeGreaterThanOrEqual(10);
    for (const r of postsSent) expect(r.idempotencyKey, `${r.method} ${r.path}`).toBeTruthy();
    expect(new Set(postsSent.map((r) => r.idempotencyKey)).size).toBe(postsSent.length);
    const update = mock.requests.find((r) => r.method === 'POST' && /subscriptions\/sub_/.test(r.path) && r.params.proration_behavior);
    expect(update?.params).toMatchObject({ proration_behavior: 'always_invoice', items: [{ price: 'price_pro' }] });
  });

  it('checkout: inline prices, manual capture and saved cards map to Stripe parameters', async () => {
    await adapter().createCheckoutSession({
      mode: 'payment',
      lineItems: [{ name: 'Class', amount: { amount: 2000, currency: 'EUR' }, quantity: 2 }],
      captureMethod: 'manual',
      savePaymentMethod: true,
      successUrl: 'https://shop.example/ok',
      customerEmail: 'a@example.com',
    });
    expect(mock.requests.at(-1)?.params).toMatchObject({
      mode: 'payment',
      customer_email: 'a@example.com',
      line_items: [{ quantity: '2', price_data: { currency: 'eur', unit_amount: '2000', product_data: { name: 'Class' } } }],
      payment_intent_data: { capture_method: 'manual', setup_future_usage: 'off_session' },
    });
    expect(mock.requests.at(-1)?.params.payment_method_types).toBeUndefined();
  });
});

describe('currencies at the Stripe edge', () => {
  it('ISK and UGX are sent ×100 (Stripe’s two-decimal legacy) and read back in ISO units', async () => {
    const pay = await adapter().createPayment({ amount: { amount: 5000, currency: 'ISK' } });
    expect(mock.requests.at(-1)?.params).toMatchObject({ amount: '500000', currency: 'isk' });
    expect(pay.amount).toEqual({ amount: 5000, currency: 'ISK' });
    await adapter().createPayment({ amount: { amount: 5000, currency: 'JPY' } });
    expect(mock.requests.at(-1)?.params).toMatchObject({ amount: '5000', currency: 'jpy' });
  });

  it('an amount over Stripe’s limit after translation is invalid_input, nothing sent', async () => {
    const error = await failure(adapter().createPayment({ amount: { amount: 1_000_000, currency: 'ISK' } }));
    expect(error).toMatchObject({ code: 'invalid_input', details: { field: 'amount' } });
    expect(mock.requests).toHaveLength(0);
  });
});

describe('Stripe error mapping', () => {
  const stripeError = (fields: Record<string, unknown>) => ({ message: 'm', headers: {}, ...fields });
  it.each([
    [
      { type: 'StripeCardError', rawType: 'card_error', statusCode: 402, code: 'card_declined', decline_code: 'do_not_honor' },
      'precondition_failed',
      false,
    ],
    [{ type: 'StripeIdempotencyError', rawType: 'idempotency_error', statusCode: 400 }, 'idempotency_conflict', false],
    [{ type: 'StripeRateLimitError', rawType: 'rate_limit_error', statusCode: 429 }, 'rate_limited', true],
    [{ type: 'StripeAPIError', rawType: 'api_error', statusCode: 500 }, 'unavailable', true],
    [{ type: 'StripeAuthenticationError', rawType: 'invalid_request_error', statusCode: 401 }, 'authentication', false],
    [{ type: 'StripePermissionError', statusCode: 403 }, 'permission', false],
    [
      { type: 'StripeInvalidRequestError', rawType: 'invalid_request_error', statusCode: 404, code: 'resource_missing' },
      'not_found',
      false,
    ],
    [
      {
        type: 'StripeInvalidRequestError',
        rawType: 'invalid_request_error',
        statusCode: 400,
        code: 'parameter_invalid_integer',
        param: 'amount',
      },
      'invalid_input',
      false,
    ],
    [
      { type: 'StripeInvalidRequestError', rawType: 'invalid_request_error', statusCode: 400, code: 'payment_intent_unexpected_state' },
      'precondition_failed',
      false,
    ],
    [{ type: 'StripeConnectionError', message: 'Request aborted due to timeout being reached (30000ms)' }, 'timeout', true],
    [{ type: 'StripeConnectionError', message: 'An error occurred with our connection to Stripe.' }, 'unavailable', true],
  ])('%j → %s (retryable %s)', (fields, code, retryable) => {
    const mapped = mapStripeError(stripeError(fields), 'op');
    expect(mapped).toMatchObject({ code, retryable, provider: 'stripe' });
  });

  it('keeps the decline code and request id, never the key', () => {
    const mapped = mapStripeError(
      stripeError({
        type: 'StripeCardError',
        rawType: 'card_error',
        statusCode: 402,
        code: 'card_declined',
        decline_code: 'lost_card',
        requestId: 'req_1',
        message: `Invalid API Key provided: ${TEST_KEY}`,
      }),
      'payment_intents.create',
    );
    expect(mapped.details).toMatchObject({ declineCode: 'lost_card', stripeCode: 'card_declined', requestId: 'req_1' });
    expect(JSON.stringify(mapped.toJSON())).not.toContain(TEST_KEY);
    expect(mapped.message).not.toContain(TEST_KEY);
  });
});

describe('logging', () => {
  it('a whole flow with failures logs no key, client secret or webhook secret', async () => {
    const seen: string[] = [];
    const record = (fields: unknown, message?: string) => seen.push(JSON.stringify({ fields, message }));
    const logger: Logger = { debug: record, info: record, warn: record, error: record };
    const stripe = adapter({ logger });
    const c = await stripe.createCustomer({ email: 'a@example.com' });
    const pay = await stripe.createPayment({ amount: { amount: 700, currency: 'EUR' }, customerId: c.id });
    await stripe.createPayment({
      amount: { amount: 700, currency: 'EUR' },
      customerId: c.id,
      paymentMethodId: 'pm_card_authenticationRequired',
      confirm: true,
      offSession: true,
    });
    await failure(
      stripe.createPayment({ amount: { amount: 700, currency: 'EUR' }, paymentMethodId: 'pm_card_chargeDeclined', confirm: true }),
    );
    mock.failNext('/v1/customers', { kind: 'status', status: 500, type: 'api_error' });
    await stripe.createCustomer({ email: 'b@example.com' });
    expect(seen.length).toBeGreaterThan(3);
    const all = seen.join('\n');
    expect(all).not.toContain(TEST_KEY);
    expect(all).not.toContain(String(pay.clientSecret));
    expect(all).not.toMatch(/_secret_/);
    expect(all).not.toMatch(/whsec_/);
  });
});
