import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { createCircuitBreaker, type CircuitBreakerOptions, type CircuitState } from '../../src/retry/index.js';

const down = async (): Promise<never> => {
  throw new IntegrationError('unavailable', 'down');
};
const fine = async () => 'ok';
const settle = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => e,
  );

describe('createCircuitBreaker (consecutive)', () => {
  it('opens after N failures in a row, fails fast with retryAfterMs, then probes once', async () => {
    let t = 0;
    const states: CircuitState[] = [];
    const breaker = createCircuitBreaker({
      strategy: { kind: 'consecutive', threshold: 3 },
      halfOpenAfterMs: 10_000,
      now: () => t,
      onStateChange: (s) => states.push(s),
    });
    for (let i = 0; i < 3; i++) await settle(breaker.execute(down));
    expect(breaker.state).toBe('open');
    let calls = 0;
    const fast = await settle(breaker.execute(async () => ++calls));
    expect(fast).toMatchObject({ code: 'unavailable', retryable: true, retryAfterMs: 10_000, details: { circuit: 'open' } });
    expect(calls).toBe(0);

    t = 10_000;
    expect(breaker.state).toBe('half-open');
    // Only one probe runs; a call during the probe fails fast.
    let release!: () => void;
    const probe = breaker.execute(() => new Promise<string>((r) => (release = () => r('probe ok'))));
    expect(await settle(breaker.execute(fine))).toMatchObject({ code: 'unavailable' });
    release();
    expect(await probe).toBe('probe ok');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe opens it again for another halfOpenAfterMs', async () => {
    let t = 0;
    const breaker = createCircuitBreaker({ strategy: { kind: 'consecutive', threshold: 1 }, halfOpenAfterMs: 1000, now: () => t });
    await settle(breaker.execute(down));
    t = 1000;
    await settle(breaker.execute(down));
    expect(breaker.state).toBe('open');
    t = 1999;
    expect(await settle(breaker.execute(fine))).toMatchObject({ retryAfterMs: 1 });
  });

  it('a success resets the count; caller errors (400s) do not count', async () => {
    const breaker = createCircuitBreaker({ strategy: { kind: 'consecutive', threshold: 2 } });
    await settle(breaker.execute(down));
    await breaker.execute(fine);
    await settle(breaker.execute(down));
    expect(breaker.state).toBe('closed');
    for (let i = 0; i < 5; i++) await settle(breaker.execute(async () => Promise.reject(new IntegrationError('invalid_input', 'bad'))));
    expect(breaker.state).toBe('closed');
    breaker.reset();
  });
});

describe('createCircuitBreaker (sampling)', () => {
  it('opens when the failure ratio over the window crosses the threshold with enough calls', async () => {
    let t = 0;
    const breaker = createCircuitBreaker({
      strategy: { kind: 'sampling', windowMs: 10_000, failureRatio: 0.5, minimumCalls: 10 },
      now: () => t,
    });
    for (let i = 0; i < 4; i++) await settle(breaker.execute(down));
    expect(breaker.state).toBe('closed'); // 4 calls: below minimumCalls
    for (let i = 0; i < 5; i++) {
      t += 100;
      await breaker.execute(fine);
    }
    await settle(breaker.execute(down)); // 10 calls, 5 failed: 50 %
    expect(breaker.state).toBe('open');
  });

  it('forgets failures older than the window', async () => {
    let t = 0;
    const breaker = createCircuitBreaker({
      strategy: { kind: 'sampling', windowMs: 1000, failureRatio: 0.5, minimumCalls: 4 },
      now: () => t,
    });
    for (let i = 0; i < 3; i++) await settle(breaker.execute(down));
    t = 5000;
    for (let i = 0; i < 3; i++) await breaker.execute(fine);
    await settle(breaker.execute(down));
    expect(breaker.state).toBe('closed'); // 1 failure of 4 in the window
  });
});

describe('createCircuitBreaker options', () => {
  it.each<[string, unknown]>([
    ['no strategy', {}],
    ['unknown kind', { strategy: { kind: 'count' } }],
    ['threshold 0', { strategy: { kind: 'consecutive', threshold: 0 } }],
    ['ratio above 1', { strategy: { kind: 'sampling', windowMs: 1000, failureRatio: 1.5 } }],
    ['ratio 0', { strategy: { kind: 'sampling', windowMs: 1000, failureRatio: 0 } }],
    ['no window', { strategy: { kind: 'sampling', failureRatio: 0.5 } }],
    ['halfOpenAfterMs 0', { strategy: { kind: 'consecutive', threshold: 1 }, halfOpenAfterMs: 0 }],
    ['isFailure not a function', { strategy: { kind: 'consecutive', threshold: 1 }, isFailure: true }],
  ])('rejects %s with invalid_config', (_, options) => {
    expect(() => createCircuitBreaker(options as CircuitBreakerOptions)).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});
