/**
 * classifyError on the errors the real provider SDKs throw (Stripe, Google's gaxios, Microsoft
 * Graph), produced by the SDKs themselves from msw-served answers, so our reading of their error
 * shapes is checked against the libraries rather than against our own guess of them.
 */
import { Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { calendar } from '@googleapis/calendar';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/retry/index.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const stripeError = async (status: number, headers: Record<string, string>) => {
  server.resetHandlers(
    http.post('https://api.stripe.com/v1/payment_intents', () =>
      HttpResponse.json({ error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message: 'x' } }, { status, headers }),
    ),
  );
  // The fetch client: Stripe's default Node http client never settled under msw 2 here.
  const stripe = new Stripe('sk_test_123', { maxNetworkRetries: 0, httpClient: Stripe.createFetchHttpClient() });
  return stripe.paymentIntents.create({ amount: 100, currency: 'eur' }).then(
    () => undefined,
    (e: unknown) => e,
  );
};

const googleError = async (reason: string) => {
  server.resetHandlers(
    http.get('https://www.googleapis.com/calendar/v3/calendars/primary/events', () =>
      HttpResponse.json(
        { error: { code: 403, message: reason, errors: [{ domain: 'usageLimits', reason, message: reason }] } },
        { status: 403 },
      ),
    ),
  );
  const cal = calendar({ version: 'v3', auth: 'AIzaFAKE', retry: false } as Parameters<typeof calendar>[0]);
  return cal.events.list({ calendarId: 'primary' }).then(
    () => undefined,
    (e: unknown) => e,
  );
};

describe('classifyError on real SDK errors', () => {
  it('Stripe: Stripe-Should-Retry true makes a 409 retryable, false makes a 500 final', async () => {
    expect(classifyError(await stripeError(409, { 'Stripe-Should-Retry': 'true' }))).toMatchObject({
      retryable: true,
      reason: 'stripe-should-retry: true',
    });
    expect(classifyError(await stripeError(500, { 'Stripe-Should-Retry': 'false' }))).toMatchObject({ retryable: false });
    expect(classifyError(await stripeError(409, {}))).toMatchObject({ retryable: false, reason: 'http 409' });
    expect(classifyError(await stripeError(429, {}))).toMatchObject({ retryable: true, reason: 'http 429' });
  });

  it('Google (gaxios): 403 rateLimitExceeded and userRateLimitExceeded are retryable, 403 forbidden is not', async () => {
    expect(classifyError(await googleError('rateLimitExceeded'))).toMatchObject({ retryable: true, reason: 'google rateLimitExceeded' });
    expect(classifyError(await googleError('userRateLimitExceeded'))).toMatchObject({ retryable: true });
    expect(classifyError(await googleError('forbidden'))).toMatchObject({ retryable: false, reason: 'http 403' });
  });

  it('Microsoft Graph: 429/503/504 are retryable and carry Retry-After; 404 is not', async () => {
    // Without the SDK's own RetryHandler, so the first failure reaches us (the default chain would
    // already honour Retry-After itself).
    const graph = Client.initWithMiddleware({ middleware: new HTTPMessageHandler() });
    for (const [status, retryable] of [
      [429, true],
      [503, true],
      [504, true],
      [404, false],
    ] as const) {
      server.resetHandlers(
        http.get('https://graph.microsoft.com/v1.0/me/events', () =>
          HttpResponse.json({ error: { code: 'x', message: 'x' } }, { status, headers: { 'Retry-After': '4' } }),
        ),
      );
      const error = await graph
        .api('/me/events')
        .get()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const c = classifyError(error);
      expect(c.retryable, `status ${status}`).toBe(retryable);
      if (retryable) expect(c.retryAfterMs, `status ${status}`).toBe(4000);
    }
  });
});
