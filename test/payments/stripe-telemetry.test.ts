/**
 * Every Stripe call is one span through the observability core, named by the Stripe resource, with
 * outcome, HTTP status and retry count; nothing secret (key, client secret) reaches a span.
 */
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY_ATTRIBUTES } from '../../src/index.js';
import { TEST_KEY, useStripeMock } from './support/stripe-setup.js';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
});
afterAll(() => trace.disable());

const { mock, adapter } = useStripeMock();

describe('Stripe adapter telemetry', () => {
  it('one span per call, with operation, outcome, status and retries; no secrets', async () => {
    exporter.reset();
    const stripe = adapter({ telemetry: { openTelemetry: 'auto' } });
    mock.failNext('/v1/payment_intents', { kind: 'status', status: 503, type: 'api_error' });
    const pay = await stripe.createPayment({ amount: { amount: 900, currency: 'EUR' } });
    await stripe.getCustomer('cus_missing').catch(() => {});
    const spans = exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes }));
    expect(spans).toEqual([
      {
        name: 'stripe payment_intents.create',
        attributes: expect.objectContaining({
          [TELEMETRY_ATTRIBUTES.provider]: 'stripe',
          [TELEMETRY_ATTRIBUTES.operation]: 'payment_intents.create',
          [TELEMETRY_ATTRIBUTES.outcome]: 'ok',
          [TELEMETRY_ATTRIBUTES.retryCount]: 1,
        }),
      },
      {
        name: 'stripe customers.retrieve',
        attributes: expect.objectContaining({
          [TELEMETRY_ATTRIBUTES.outcome]: 'error',
          [TELEMETRY_ATTRIBUTES.errorCode]: 'not_found',
          [TELEMETRY_ATTRIBUTES.httpStatus]: 404,
        }),
      },
    ]);
    const dump = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ a: s.attributes, st: s.status, ev: s.events })));
    expect(dump).not.toContain(TEST_KEY);
    expect(dump).not.toContain(String(pay.clientSecret));
  });
});
