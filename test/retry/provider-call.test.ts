/**
 * The one wrapper every adapter's provider calls go through (src/retry/provider-call.ts): mapped
 * errors reach the retry policy and the host, telemetry and the host's own onRetry are both told of
 * each retry (telemetry with the attempt about to start, the host with the one that failed).
 */
import { describe, expect, it } from 'vitest';
import { createTelemetry, IntegrationError, type ResponseEvent, type RetryEvent as TelemetryRetryEvent } from '../../src/index.js';
import type { RetryEvent } from '../../src/retry/index.js';
import { providerCall } from '../../src/retry/provider-call.js';

const fast = { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 };
const unavailable = () => new IntegrationError('unavailable', 'down', { retryable: true, status: 503 });

describe('providerCall', () => {
  it('retries mapped errors, reports each retry to telemetry and to the host, and records the last status', async () => {
    const telemetryRetries: TelemetryRetryEvent[] = [];
    const responses: ResponseEvent[] = [];
    const telemetry = createTelemetry({ hooks: { onRetry: (e) => telemetryRetries.push(e), onResponse: (e) => responses.push(e) } });
    const hostRetries: RetryEvent[] = [];
    let calls = 0;
    const result = await providerCall(
      {
        telemetry,
        provider: 'acme',
        operation: 'things.get',
        policy: { ...fast, onRetry: (e) => void hostRetries.push(e) },
        mapError: () => unavailable(),
      },
      async (context) => {
        calls += 1;
        if (calls < 3) throw new Error('socket hang up');
        context?.setStatus(200);
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(hostRetries.map((e) => e.attempt)).toEqual([1, 2]);
    expect(telemetryRetries.map((e) => e.attempt)).toEqual([2, 3]);
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ provider: 'acme', operation: 'things.get', outcome: 'ok', retries: 2, status: 200 });
  });

  it('throws the mapped error, with its status on the span, once the policy gives up', async () => {
    const responses: ResponseEvent[] = [];
    const telemetry = createTelemetry({ hooks: { onResponse: (e) => responses.push(e) } });
    const error = await providerCall(
      { telemetry, provider: 'acme', operation: 'things.put', policy: fast, mapError: () => unavailable() },
      async () => {
        throw new Error('raw SDK error');
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ code: 'unavailable', status: 503 });
    expect(responses[0]).toMatchObject({ outcome: 'error', status: 503, retries: 2 });
  });

  it('does not retry a mutation without an idempotency key, and works without telemetry', async () => {
    let calls = 0;
    await expect(
      providerCall(
        { provider: 'acme', operation: 'things.create', policy: { ...fast, mutation: true }, mapError: () => unavailable() },
        async () => {
          calls += 1;
          throw new Error('reset');
        },
      ),
    ).rejects.toMatchObject({ code: 'unavailable' });
    expect(calls).toBe(1);
  });
});
