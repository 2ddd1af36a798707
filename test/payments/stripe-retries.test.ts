/**
 * Retries belong to switchyard's `retry` (the SDK's are off): a mutation is retried only with its
 * Idempotency-Key, and every retry resends the same key, so a timed-out charge retried is still
 * one charge at Stripe.
 */
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { useStripeMock } from './support/stripe-setup.js';

const { mock, adapter } = useStripeMock();
const charge = { amount: { amount: 4900, currency: 'EUR' }, paymentMethodId: 'pm_card_visa', confirm: true };

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

const posts = (path: string) => mock.requests.filter((r) => r.method === 'POST' && r.path === path);

describe('Stripe adapter retries', () => {
  it('a POST that times out is retried with the same Idempotency-Key, and Stripe charges once', async () => {
    const stripe = adapter({ timeoutMs: 150 });
    mock.failNext('/v1/payment_intents', { kind: 'timeout', ms: 600 });
    const payment = await stripe.createPayment(charge);
    expect(payment.status).toBe('succeeded');
    const sent = posts('/v1/payment_intents');
    expect(sent).toHaveLength(2);
    expect(sent[0]?.idempotencyKey).toBeTruthy();
    expect(sent[1]?.idempotencyKey).toBe(sent[0]?.idempotencyKey);
    expect(mock.created.payment_intents).toBe(1);
  });

  it('the caller’s key is the one sent, on every attempt', async () => {
    mock.failNext('/v1/payment_intents', { kind: 'network' });
    await adapter().createPayment(charge, { idempotencyKey: 'order-1234' });
    expect(posts('/v1/payment_intents').map((r) => r.idempotencyKey)).toEqual(['order-1234', 'order-1234']);
    expect(mock.created.payment_intents).toBe(1);
  });

  it('derived keys: same inputs give the same key, other inputs another', async () => {
    const stripe = adapter();
    await stripe.createPayment(charge);
    await stripe.createPayment(charge);
    await stripe.createPayment({ ...charge, amount: { amount: 4901, currency: 'EUR' } });
    const keys = posts('/v1/payment_intents').map((r) => r.idempotencyKey);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[0]).toMatch(/^stripe\.payment_intents\.create:[0-9a-f]{64}$/);
    expect(mock.created.payment_intents).toBe(2);
  });

  it('429 is rate_limited and retried; 500 is unavailable and retried', async () => {
    const stripe = adapter();
    mock.failNext('/v1/customers', { kind: 'status', status: 429, type: 'rate_limit_error', code: 'rate_limit' });
    await stripe.createCustomer({ email: 'a@example.com' });
    mock.failNext('/v1/customers', { kind: 'status', status: 500, type: 'api_error' });
    await stripe.createCustomer({ email: 'b@example.com' });
    expect(posts('/v1/customers')).toHaveLength(4);
    expect(mock.created.customers).toBe(2);
  });

  it('Stripe-Should-Retry: false on a 500 stops the retries', async () => {
    mock.failNext('/v1/customers', { kind: 'status', status: 500, type: 'api_error', shouldRetry: false });
    const error = await failure(adapter().createCustomer({ email: 'a@example.com' }));
    expect(error).toMatchObject({ code: 'unavailable', retryable: false, provider: 'stripe', status: 500 });
    expect(posts('/v1/customers')).toHaveLength(1);
  });

  it('a 409 with Stripe-Should-Retry: true is retried', async () => {
    mock.failNext('/v1/customers', { kind: 'status', status: 409, type: 'invalid_request_error', code: 'lock_timeout', shouldRetry: true });
    await adapter().createCustomer({ email: 'a@example.com' });
    expect(posts('/v1/customers')).toHaveLength(2);
  });

  it('authentication and permission failures are not retried', async () => {
    mock.failNext('/v1/customers', { kind: 'status', status: 401, type: 'invalid_request_error' });
    const auth = await failure(adapter().createCustomer({}));
    expect(auth).toMatchObject({ code: 'authentication', retryable: false });
    mock.failNext('/v1/customers', { kind: 'status', status: 403, type: 'invalid_request_error' });
    const perm = await failure(adapter().createCustomer({ name: 'x' }));
    expect(perm).toMatchObject({ code: 'permission', retryable: false });
    expect(posts('/v1/customers')).toHaveLength(2);
  });

  it('gives up after maxAttempts with the last error, still marked retryable', async () => {
    const stripe = adapter({ retry: { maxAttempts: 2, random: () => 0 } });
    mock.failNext('/v1/customers', { kind: 'status', status: 503, type: 'api_error' }, 5);
    const error = await failure(stripe.createCustomer({ email: 'x@example.com' }));
    expect(error).toMatchObject({ code: 'unavailable', retryable: true, status: 503 });
    expect(posts('/v1/customers')).toHaveLength(2);
  });

  it('telemetry sees each retry', async () => {
    const retries: number[] = [];
    const stripe = adapter({ telemetry: { openTelemetry: false, hooks: { onRetry: (e) => retries.push(e.attempt) } } });
    mock.failNext('/v1/payment_intents', { kind: 'network' });
    await stripe.createPayment(charge);
    expect(retries).toEqual([2]);
  });

  it('GETs are retried without a key', async () => {
    const stripe = adapter();
    const c = await stripe.createCustomer({ email: 'a@example.com' });
    mock.failNext(`/v1/customers/${c.id}`, { kind: 'status', status: 502, type: 'api_error' });
    expect((await stripe.getCustomer(c.id)).id).toBe(c.id);
    const gets = mock.requests.filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets.every((r) => r.idempotencyKey === null)).toBe(true);
  });

  it('a malformed body (a proxy’s HTML page) is a clear IntegrationError, retried when it was a 5xx', async () => {
    const stripe = adapter();
    mock.failNext('/v1/customers', { kind: 'malformed', status: 502 });
    expect((await stripe.createCustomer({ email: 'a@example.com' })).email).toBe('a@example.com');
    mock.failNext('/v1/customers', { kind: 'malformed', status: 200 }, 5);
    const error = await failure(stripe.createCustomer({ email: 'b@example.com' }));
    expect(error.provider).toBe('stripe');
    expect(['provider_error', 'unavailable']).toContain(error.code);
  });
});
