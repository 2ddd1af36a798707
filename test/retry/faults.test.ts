/**
 * Fault injection through msw against real `fetch`: 429 with Retry-After, 503 bursts, resets,
 * hangs, malformed bodies, Stripe-Should-Retry and Google's 403 rate limits. Fake timers make the
 * waits instant, and the fake clock lets us check each wait and the total budget exactly.
 */
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IntegrationError } from '../../src/index.js';
import { errorFromResponse, retry, type RetryEvent, type RetryPolicy } from '../../src/retry/index.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 10, 25, 12) }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});

/** Answers from a script: each request takes the next one, the last one repeats. */
function scripted(method: 'get' | 'post', url: string, answers: (() => Response | Promise<Response>)[]) {
  const seen: number[] = [];
  server.use(
    http[method](url, async () => {
      seen.push(Date.now());
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)] as () => Response | Promise<Response>;
      return answer();
    }),
  );
  return seen;
}

/** A fetch call the way an adapter would write it: throw an IntegrationError for non-2xx. */
async function call(url: string, init: RequestInit = {}, provider = 'test') {
  const res = await fetch(url, init);
  if (!res.ok) throw await errorFromResponse(res, { provider });
  return res.json() as Promise<unknown>;
}

/** Run `retry` to completion under fake timers. */
async function run<T>(fn: Parameters<typeof retry<T>>[0], policy: RetryPolicy) {
  const events: RetryEvent[] = [];
  const started = Date.now();
  let settledAt = Number.NaN;
  const promise = retry(fn, { ...policy, onRetry: (e) => void events.push(e) }).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  void promise.then(() => {
    settledAt = Date.now();
  });
  // Runs every timer, msw's "infinite" delays included; `settledAt` records when retry gave up.
  await vi.runAllTimersAsync();
  const outcome = await promise;
  return { ...outcome, events, elapsed: settledAt - started };
}

const ok = () => HttpResponse.json({ ok: true });

describe('retry against injected faults', () => {
  it('429 with Retry-After (seconds): waits at least that long, then succeeds', async () => {
    const seen = scripted('get', 'https://graph.test/me', [
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } }),
      ok,
    ]);
    const result = await run((_, { signal }) => call('https://graph.test/me', { signal }, 'graph'), { baseDelayMs: 10, maxDelayMs: 1000 });
    expect(result).toMatchObject({ ok: true, value: { ok: true } });
    expect(seen).toHaveLength(2);
    expect((seen[1] as number) - (seen[0] as number)).toBeGreaterThanOrEqual(7000);
    expect(result.events[0]?.delayMs).toBeGreaterThanOrEqual(7000);
  });

  it('429 with an HTTP-date Retry-After: waits until that date', async () => {
    const at = new Date(Date.now() + 12_000).toUTCString();
    const seen = scripted('get', 'https://api.test/date', [
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': at } }),
      ok,
    ]);
    const result = await run(() => call('https://api.test/date'), { baseDelayMs: 1 });
    expect(result.ok).toBe(true);
    expect((seen[1] as number) - (seen[0] as number)).toBeGreaterThanOrEqual(11_000);
  });

  it('a Retry-After longer than maxRetryAfterMs gives up at once with rate_limited and its retryAfterMs', async () => {
    const seen = scripted('get', 'https://api.test/long', [
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '3600' } }),
    ]);
    const result = await run(() => call('https://api.test/long'), { maxRetryAfterMs: 60_000 });
    expect(seen).toHaveLength(1);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.error).toMatchObject({ code: 'rate_limited', retryAfterMs: 3_600_000, status: 429 });
  });

  it('a 503 burst: retries through it with growing waits capped by maxDelayMs', async () => {
    const unavailable = () => new HttpResponse('down', { status: 503 });
    const seen = scripted('get', 'https://api.test/burst', [unavailable, unavailable, unavailable, unavailable, ok]);
    const result = await run(() => call('https://api.test/burst'), { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 300, jitter: 'none' });
    expect(result.ok).toBe(true);
    expect(seen).toHaveLength(5);
    expect(result.events.map((e) => e.delayMs)).toEqual([100, 200, 300, 300]);
  });

  it('a 503 that never ends: stops at maxAttempts and rethrows the last error', async () => {
    const seen = scripted('get', 'https://api.test/down', [() => new HttpResponse(null, { status: 503 })]);
    const result = await run(() => call('https://api.test/down'), { maxAttempts: 3, baseDelayMs: 10 });
    expect(seen).toHaveLength(3);
    expect(result.ok === false && result.error).toMatchObject({ code: 'unavailable', status: 503, retryable: true });
  });

  it('connection resets: retried, and succeed when the network recovers', async () => {
    const seen = scripted('get', 'https://api.test/reset', [() => HttpResponse.error(), () => HttpResponse.error(), ok]);
    const result = await run(() => call('https://api.test/reset'), { baseDelayMs: 10 });
    expect(result.ok).toBe(true);
    expect(seen).toHaveLength(3);
    expect(result.events.map((e) => e.classification.reason)).toEqual(['network error', 'network error']);
  });

  it('hangs: each attempt times out after attemptTimeoutMs, and the total never exceeds maxElapsedMs', async () => {
    const seen = scripted('get', 'https://api.test/hang', [
      async () => {
        await delay('infinite');
        return ok();
      },
    ]);
    const result = await run((_, { signal }) => call('https://api.test/hang', { signal }), {
      maxAttempts: 100,
      attemptTimeoutMs: 2000,
      maxElapsedMs: 9000,
      baseDelayMs: 100,
    });
    expect(result.ok === false && result.error).toMatchObject({ code: 'timeout', retryable: true });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(result.elapsed).toBeLessThanOrEqual(9000);
  });

  it('a hang on the last stretch is cut by the remaining budget, not the attempt timeout', async () => {
    scripted('get', 'https://api.test/slow', [
      async () => {
        await delay('infinite');
        return ok();
      },
    ]);
    const result = await run((_, { signal }) => call('https://api.test/slow', { signal }), {
      maxElapsedMs: 1500,
      attemptTimeoutMs: 60_000,
    });
    expect(result.ok === false && result.error).toMatchObject({ code: 'timeout' });
    expect(result.elapsed).toBeLessThanOrEqual(1500);
  });

  it('a malformed 200 body is not retried: a retry returns the same broken body', async () => {
    const seen = scripted('get', 'https://api.test/garbage', [
      () => new HttpResponse('{"truncated":', { headers: { 'content-type': 'application/json' } }),
    ]);
    const result = await run(() => call('https://api.test/garbage'), {});
    expect(seen).toHaveLength(1);
    expect(result.ok === false && result.error).toBeInstanceOf(SyntaxError);
  });

  it('a malformed error body does not break classification', async () => {
    const seen = scripted('get', 'https://api.test/bad-403', [() => new HttpResponse('<html>nope', { status: 403 })]);
    const result = await run(() => call('https://api.test/bad-403'), {});
    expect(seen).toHaveLength(1);
    expect(result.ok === false && result.error).toMatchObject({ code: 'permission', retryable: false });
  });

  it.each([400, 401, 402, 404, 409])('never retries %i', async (status) => {
    const seen = scripted('get', `https://api.test/s${status}`, [() => new HttpResponse(null, { status })]);
    const result = await run(() => call(`https://api.test/s${status}`), { maxAttempts: 5 });
    expect(seen).toHaveLength(1);
    expect(result.ok === false && (result.error as IntegrationError).retryable).toBe(false);
  });

  it.each([408, 500, 502, 504])('retries %i', async (status) => {
    const seen = scripted('get', `https://api.test/r${status}`, [() => new HttpResponse(null, { status }), ok]);
    expect((await run(() => call(`https://api.test/r${status}`), { baseDelayMs: 1 })).ok).toBe(true);
    expect(seen).toHaveLength(2);
  });

  it('Google 403 rateLimitExceeded / userRateLimitExceeded are retried; other 403s are not', async () => {
    const google = (reason: string) => () =>
      HttpResponse.json({ error: { code: 403, message: 'x', errors: [{ domain: 'usageLimits', reason, message: 'x' }] } }, { status: 403 });
    for (const reason of ['rateLimitExceeded', 'userRateLimitExceeded']) {
      const seen = scripted('get', `https://google.test/${reason}`, [google(reason), ok]);
      const result = await run(() => call(`https://google.test/${reason}`, {}, 'google'), { baseDelayMs: 1 });
      expect(result.ok).toBe(true);
      expect(result.events[0]?.classification.reason).toBe('rate_limited');
      expect(seen).toHaveLength(2);
    }
    const seen = scripted('get', 'https://google.test/forbidden', [google('forbidden')]);
    const result = await run(() => call('https://google.test/forbidden', {}, 'google'), {});
    expect(seen).toHaveLength(1);
    expect(result.ok === false && result.error).toMatchObject({ code: 'permission', details: { reason: 'forbidden' } });
  });

  it('Stripe-Should-Retry: true retries a 409; false stops a 500', async () => {
    const lock = scripted('post', 'https://stripe.test/lock', [
      () => new HttpResponse(null, { status: 409, headers: { 'Stripe-Should-Retry': 'true' } }),
      ok,
    ]);
    const key = { mutation: true, idempotencyKey: 'order-1', baseDelayMs: 1 };
    expect((await run(() => call('https://stripe.test/lock', { method: 'POST' }, 'stripe'), key)).ok).toBe(true);
    expect(lock).toHaveLength(2);
    const broken = scripted('post', 'https://stripe.test/broken', [
      () => new HttpResponse(null, { status: 500, headers: { 'Stripe-Should-Retry': 'false' } }),
    ]);
    expect((await run(() => call('https://stripe.test/broken', { method: 'POST' }, 'stripe'), key)).ok).toBe(false);
    expect(broken).toHaveLength(1);
  });

  it('never retries a mutation without an idempotency key, whatever the failure', async () => {
    for (const answer of [
      () => new HttpResponse(null, { status: 503 }),
      () => HttpResponse.error(),
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '1' } }),
    ]) {
      server.resetHandlers();
      const seen = scripted('post', 'https://api.test/charge', [answer, ok]);
      const result = await run(() => call('https://api.test/charge', { method: 'POST' }), { mutation: true, maxAttempts: 5 });
      expect(result.ok).toBe(false);
      expect(seen).toHaveLength(1);
    }
  });

  it('retries the same mutation once it carries an idempotency key, sending the same key each time', async () => {
    const keys: (string | null)[] = [];
    let n = 0;
    server.use(
      http.post('https://api.test/charge-key', ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        return ++n < 3 ? new HttpResponse(null, { status: 503 }) : ok();
      }),
    );
    const idempotencyKey = 'charge:order-42';
    const result = await run(
      () => call('https://api.test/charge-key', { method: 'POST', headers: { 'Idempotency-Key': idempotencyKey } }),
      {
        mutation: true,
        idempotencyKey,
        baseDelayMs: 1,
      },
    );
    expect(result.ok).toBe(true);
    expect(keys).toEqual([idempotencyKey, idempotencyKey, idempotencyKey]);
  });

  it('an AbortSignal stops the waiting and the attempt, and rejects with its reason', async () => {
    const seen = scripted('get', 'https://api.test/abort', [() => new HttpResponse(null, { status: 503 })]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 1500);
    const result = await run(() => call('https://api.test/abort'), {
      signal: controller.signal,
      baseDelayMs: 1000,
      jitter: 'none',
      maxAttempts: 10,
    });
    expect(result.ok === false && (result.error as Error).message).toBe('shutting down');
    expect(seen).toHaveLength(2); // t=0 and t=1000; aborted during the 2000 ms wait
  });
});

describe('retry against a real socket reset', () => {
  it('an ECONNRESET from a real TCP peer is classified and retried', async () => {
    vi.useRealTimers();
    server.close(); // real network for this one
    const net = await import('node:net');
    let connections = 0;
    const peer = net.createServer((socket) => {
      connections++;
      socket.once('data', () => socket.resetAndDestroy());
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    const { port } = peer.address() as { port: number };
    const events: RetryEvent[] = [];
    const error = await retry(() => fetch(`http://127.0.0.1:${port}/`), {
      maxAttempts: 3,
      baseDelayMs: 1,
      onRetry: (e) => void events.push(e),
    }).catch((e: unknown) => e);
    peer.close();
    server.listen({ onUnhandledRequest: 'error' });
    expect(error).toBeInstanceOf(TypeError);
    expect(connections).toBe(3);
    expect(events.map((e) => e.classification.reason)).toEqual(['ECONNRESET', 'ECONNRESET']);
  });

  it('a refused connection is retried even for a mutation without a key: nothing was sent', async () => {
    vi.useRealTimers();
    server.close();
    const net = await import('node:net');
    // A port that was free a moment ago (fetch refuses "bad ports" such as 1 before connecting).
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as { port: number };
    await new Promise((r) => probe.close(r));
    const events: RetryEvent[] = [];
    const error = await retry(() => fetch(`http://127.0.0.1:${port}/`, { method: 'POST' }), {
      mutation: true,
      maxAttempts: 2,
      baseDelayMs: 1,
      onRetry: (e) => void events.push(e),
    }).catch((e: unknown) => e);
    server.listen({ onUnhandledRequest: 'error' });
    expect(error).toBeInstanceOf(TypeError);
    expect(events.map((e) => [e.classification.reason, e.classification.notDelivered])).toEqual([['ECONNREFUSED', true]]);
  });
});
