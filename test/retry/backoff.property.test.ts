/**
 * fast-check: every delay is within [0, cap] and never negative, for every jitter mode and any
 * random source (even a broken one); and `retry` as a whole never overruns its budget or its
 * attempt count, and never waits less than the provider's Retry-After.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { backoffDelay, exponentialCeiling, retry, type Jitter } from '../../src/retry/index.js';

const jitter = fc.constantFrom<Jitter>('full', 'decorrelated', 'none');
// Any double, including NaN, ±Infinity and values outside [0, 1): the clamp must hold regardless.
const randomValue = fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double());

describe('backoffDelay', () => {
  it('property: always within [0, maxDelayMs], never negative, never NaN', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        jitter,
        randomValue,
        (retryNumber, previous, base, extra, mode, r) => {
          const cap = base + extra;
          const d = backoffDelay(retryNumber, previous, { baseDelayMs: base, maxDelayMs: cap, jitter: mode, random: () => r });
          return Number.isFinite(d) && d >= 0 && d <= cap;
        },
      ),
    );
  });

  it('property: full jitter stays under the exponential ceiling; none is the ceiling', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, base, r) => {
          const cap = base * 100;
          const ceiling = exponentialCeiling(n, base, cap);
          expect(backoffDelay(n, 0, { baseDelayMs: base, maxDelayMs: cap, jitter: 'full', random: () => r })).toBeLessThanOrEqual(ceiling);
          expect(backoffDelay(n, 0, { baseDelayMs: base, maxDelayMs: cap, jitter: 'none', random: () => r })).toBe(ceiling);
        },
      ),
    );
  });

  it('property: decorrelated jitter stays in [base, min(cap, 3·previous)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 50 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, base, previous, r) => {
          const cap = 60_000;
          const d = backoffDelay(n, previous, { baseDelayMs: base, maxDelayMs: cap, jitter: 'decorrelated', random: () => r });
          expect(d).toBeGreaterThanOrEqual(Math.min(base, cap));
          expect(d).toBeLessThanOrEqual(Math.min(cap, Math.max(base, previous * 3)));
        },
      ),
    );
  });

  it('full jitter actually spreads: 1,000 draws from Math.random are not all equal', () => {
    const draws = new Set(
      Array.from({ length: 1000 }, () => backoffDelay(5, 0, { baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'full', random: Math.random })),
    );
    expect(draws.size).toBeGreaterThan(900);
  });
});

describe('retry budget (fake timers)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('property: attempts ≤ maxAttempts, elapsed ≤ maxElapsedMs, every wait ≥ Retry-After', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxAttempts: fc.integer({ min: 1, max: 12 }),
          baseDelayMs: fc.integer({ min: 0, max: 2000 }),
          extraCap: fc.integer({ min: 0, max: 20_000 }),
          maxElapsedMs: fc.integer({ min: 1, max: 120_000 }),
          jitter,
          attemptMs: fc.integer({ min: 0, max: 5000 }),
          attemptTimeoutMs: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
          retryAfterMs: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: undefined }),
        }),
        async (c) => {
          const start = Date.now();
          const calls: number[] = [];
          const waits: { delayMs: number; asked: number | undefined }[] = [];
          let settledAt = 0;
          const promise = retry(
            async (_, { signal }) => {
              calls.push(Date.now());
              // Each attempt takes `attemptMs`, unless its signal (timeout) cuts it short.
              await new Promise<void>((resolve) => {
                const t = setTimeout(resolve, c.attemptMs);
                signal.addEventListener('abort', () => clearTimeout(t), { once: true });
              });
              throw new IntegrationError('unavailable', 'down', c.retryAfterMs === undefined ? {} : { retryAfterMs: c.retryAfterMs });
            },
            {
              maxAttempts: c.maxAttempts,
              baseDelayMs: c.baseDelayMs,
              maxDelayMs: c.baseDelayMs + c.extraCap,
              maxElapsedMs: c.maxElapsedMs,
              jitter: c.jitter,
              attemptTimeoutMs: c.attemptTimeoutMs,
              onRetry: (e) => void waits.push({ delayMs: e.delayMs, asked: (e.error as IntegrationError).retryAfterMs }),
            },
          ).catch((e: unknown) => {
            settledAt = Date.now();
            return e;
          });
          await vi.runAllTimersAsync();
          const error = await promise;
          expect(error).toBeInstanceOf(IntegrationError);
          expect(calls.length).toBeGreaterThanOrEqual(1);
          expect(calls.length).toBeLessThanOrEqual(c.maxAttempts);
          expect(settledAt - start).toBeLessThanOrEqual(c.maxElapsedMs);
          for (const w of waits) {
            expect(w.delayMs).toBeGreaterThanOrEqual(0);
            // Attempts cut by the timeout fail with our own `timeout` error, which asks for no delay.
            if (w.asked !== undefined) expect(w.delayMs).toBeGreaterThanOrEqual(w.asked);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
