import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { retry, resolveRetryPolicy, RETRY_DEFAULTS, type RetryPolicy } from '../../src/retry/index.js';

function configError(policy: unknown): IntegrationError {
  try {
    resolveRetryPolicy(policy as RetryPolicy);
  } catch (error) {
    expect(error).toBeInstanceOf(IntegrationError);
    return error as IntegrationError;
  }
  throw new Error('expected invalid_config');
}

describe('retry policy validation', () => {
  it.each<[string, unknown, string]>([
    ['policy not an object', 'fast', 'options'],
    ['maxAttempts 0', { maxAttempts: 0 }, 'maxAttempts'],
    ['maxAttempts 1.5', { maxAttempts: 1.5 }, 'maxAttempts'],
    ['maxAttempts "3"', { maxAttempts: '3' }, 'maxAttempts'],
    ['baseDelayMs negative', { baseDelayMs: -1 }, 'baseDelayMs'],
    ['baseDelayMs NaN', { baseDelayMs: Number.NaN }, 'baseDelayMs'],
    ['baseDelayMs above maxDelayMs', { baseDelayMs: 500, maxDelayMs: 100 }, 'baseDelayMs'],
    ['maxDelayMs Infinity', { maxDelayMs: Number.POSITIVE_INFINITY }, 'maxDelayMs'],
    ['maxElapsedMs 0', { maxElapsedMs: 0 }, 'maxElapsedMs'],
    ['jitter unknown', { jitter: 'equal' }, 'jitter'],
    ['attemptTimeoutMs 0', { attemptTimeoutMs: 0 }, 'attemptTimeoutMs'],
    ['maxRetryAfterMs negative', { maxRetryAfterMs: -5 }, 'maxRetryAfterMs'],
    ['signal not a signal', { signal: {} }, 'signal'],
    ['onRetry not a function', { onRetry: 'log' }, 'onRetry'],
    ['mutation not a boolean', { mutation: 'yes' }, 'mutation'],
    ['idempotencyKey empty', { idempotencyKey: ' ' }, 'idempotencyKey'],
    ['classify not a function', { classify: {} }, 'classify'],
    ['random not a function', { random: 0.5 }, 'random'],
    ['now not a function', { now: 0 }, 'now'],
  ])('%s → invalid_config naming %s', (_, policy, field) => {
    const error = configError(policy);
    expect(error.code).toBe('invalid_config');
    expect(error.details).toEqual({ field });
  });

  it('fills in the documented defaults', () => {
    expect(resolveRetryPolicy(undefined)).toMatchObject(RETRY_DEFAULTS);
  });

  it('rejects a bad policy before calling fn, and a non-function fn with invalid_input', async () => {
    const fn = vi.fn(async () => 1);
    await expect(retry(fn, { maxAttempts: -1 })).rejects.toMatchObject({ code: 'invalid_config' });
    expect(fn).not.toHaveBeenCalled();
    await expect(retry('nope' as unknown as () => Promise<number>)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('retry behaviour', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('returns the first success and passes the attempt number', async () => {
    const seen: number[] = [];
    const promise = retry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw new IntegrationError('unavailable', 'x');
      return 'done';
    });
    await vi.runAllTimersAsync();
    expect(await promise).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('treats a synchronous throw as a failed attempt', async () => {
    let n = 0;
    const promise = retry(((attempt: number) => {
      n++;
      if (attempt === 1) throw new IntegrationError('timeout', 'sync');
      return Promise.resolve('ok');
    }) as (attempt: number) => Promise<string>);
    await vi.runAllTimersAsync();
    expect(await promise).toBe('ok');
    expect(n).toBe(2);
  });

  it('maxAttempts: 1 never retries', async () => {
    const fn = vi.fn(async () => {
      throw new IntegrationError('unavailable', 'x');
    });
    const promise = retry(fn, { maxAttempts: 1 }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await promise).toMatchObject({ code: 'unavailable' });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('an onRetry that throws stops the retries with its error', async () => {
    const fn = vi.fn(async () => {
      throw new IntegrationError('unavailable', 'x');
    });
    const promise = retry(fn, {
      onRetry: () => {
        throw new Error('stop');
      },
    }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await promise).toMatchObject({ message: 'stop' });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('shouldRetry has the last word', async () => {
    const fn = vi.fn(async () => {
      throw new IntegrationError('unavailable', 'x');
    });
    const promise = retry(fn, { shouldRetry: (_, __, attempt) => attempt < 2 }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    await promise;
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('an already-aborted signal rejects before the first attempt', async () => {
    const fn = vi.fn(async () => 1);
    await expect(retry(fn, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
    expect(fn).not.toHaveBeenCalled();
  });

  it('a per-attempt timeout aborts the attempt signal with a timeout IntegrationError', async () => {
    let reason: unknown;
    const promise = retry(
      (_, { signal }) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            reject(signal.reason);
          });
        }),
      { attemptTimeoutMs: 500, maxAttempts: 1 },
    ).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await promise).toMatchObject({ code: 'timeout', retryable: true });
    expect(reason).toMatchObject({ code: 'timeout' });
  });
});
