import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter, type RateLimiterOptions } from '../../src/retry/index.js';

describe('createRateLimiter', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('allows a burst of capacity, then refills at the rate', () => {
    const limiter = createRateLimiter({ capacity: 3, refillPerSecond: 1, whenEmpty: 'reject' });
    expect([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()]).toEqual([true, true, true, false]);
    vi.setSystemTime(999);
    expect(limiter.tryAcquire()).toBe(false);
    vi.setSystemTime(1000);
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('reject mode throws rate_limited with the wait until a token is there', async () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerSecond: 2, whenEmpty: 'reject' });
    await limiter.acquire();
    await expect(limiter.acquire()).rejects.toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 500 });
  });

  it('wait mode serves waiters in order, each after its reserved share of the refill', async () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerSecond: 10 });
    const done: [number, number][] = [];
    const all = [0, 1, 2, 3].map((i) => limiter.acquire().then(() => done.push([i, Date.now()])));
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(done).toEqual([
      [0, 0],
      [1, 100],
      [2, 200],
      [3, 300],
    ]);
  });

  it('wait mode rejects when the wait would exceed maxWaitMs, without reserving', async () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerSecond: 1, maxWaitMs: 500 });
    await limiter.acquire();
    await expect(limiter.acquire()).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 1000 });
    vi.setSystemTime(1000);
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('per-key buckets: one user exhausting a quota does not slow another', () => {
    const limiter = createRateLimiter({ capacity: 2, refillPerSecond: 1, whenEmpty: 'reject' });
    expect([limiter.tryAcquire('alice'), limiter.tryAcquire('alice'), limiter.tryAcquire('alice')]).toEqual([true, true, false]);
    expect(limiter.tryAcquire('bob')).toBe(true);
  });

  it('keeps at most maxKeys buckets (least recently used go first)', () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerSecond: 0.001, maxKeys: 2 });
    limiter.tryAcquire('a');
    limiter.tryAcquire('b');
    limiter.tryAcquire('c'); // evicts 'a', whose next bucket starts full
    expect(limiter.tryAcquire('a')).toBe(true);
    expect(limiter.tryAcquire('c')).toBe(false);
  });

  it('an aborted wait rejects and gives its reservation back', async () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerSecond: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(undefined, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('cancelled'));
    expect(await waiting).toMatchObject({ message: 'cancelled' });
    vi.setSystemTime(1000);
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('schedule runs the function after a token', async () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerSecond: 1 });
    expect(await limiter.schedule(async () => 42)).toBe(42);
  });

  it.each<[string, unknown]>([
    ['no capacity', { refillPerSecond: 1 }],
    ['capacity 0', { capacity: 0, refillPerSecond: 1 }],
    ['refill 0', { capacity: 1, refillPerSecond: 0 }],
    ['refill NaN', { capacity: 1, refillPerSecond: Number.NaN }],
    ['unknown whenEmpty', { capacity: 1, refillPerSecond: 1, whenEmpty: 'drop' }],
    ['negative maxWaitMs', { capacity: 1, refillPerSecond: 1, maxWaitMs: -1 }],
    ['maxKeys 0', { capacity: 1, refillPerSecond: 1, maxKeys: 0 }],
  ])('rejects %s with invalid_config', (_, options) => {
    expect(() => createRateLimiter(options as RateLimiterOptions)).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('rejects bad call arguments with invalid_input', async () => {
    const limiter = createRateLimiter({ capacity: 2, refillPerSecond: 1 });
    expect(() => limiter.tryAcquire('')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => limiter.tryAcquire('k', 3)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    await expect(limiter.acquire('k', { tokens: -1 })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
