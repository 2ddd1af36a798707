/** One msw server per test file with the Stripe stand-in, and an adapter wired to it. */
import { setupServer } from 'msw/node';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createStripePayments, STRIPE_API_VERSION, type StripePaymentsOptions } from '../../../src/payments/stripe/index.js';
import { createStripeMock } from './stripe-mock.js';

export const TEST_KEY = 'sk_test_51SwitchyardFakeKeyForMswOnly0000';
export const WEBHOOK_SECRET = 'whsec_switchyard_test_secret_0123456789';

export function useStripeMock() {
  const mock = createStripeMock({ apiVersion: STRIPE_API_VERSION });
  const server = setupServer(...mock.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => mock.reset());
  afterEach(() => {
    expect(mock.violations, 'requests the real Stripe API would refuse').toEqual([]);
    server.resetHandlers();
  });
  afterAll(() => server.close());
  const adapter = (options: Partial<StripePaymentsOptions> = {}) =>
    createStripePayments({
      apiKey: TEST_KEY,
      webhookSecret: WEBHOOK_SECRET,
      // No real waiting between retries in tests: full jitter with random() = 0 waits 0 ms.
      retry: { random: () => 0 },
      ...options,
    });
  return { mock, server, adapter };
}

/** A Stripe event around `object`, signed with Stripe's own test helper. */
export function signedStripeEvent(
  type: string,
  object: object,
  options: { id?: string; created?: number; livemode?: boolean; apiVersion?: string; previous?: object; secret?: string } = {},
) {
  const event = {
    id: options.id ?? `evt_${Math.random().toString(36).slice(2, 16)}`,
    object: 'event',
    api_version: options.apiVersion ?? STRIPE_API_VERSION,
    created: options.created ?? Math.floor(Date.now() / 1000),
    livemode: options.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object, ...(options.previous ? { previous_attributes: options.previous } : {}) },
  };
  const body = JSON.stringify(event, null, 2);
  const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: options.secret ?? WEBHOOK_SECRET });
  return { event, raw: { body, headers: { 'stripe-signature': header, 'content-type': 'application/json' } } };
}
