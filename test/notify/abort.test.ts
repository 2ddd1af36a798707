/**
 * `SendOptions.signal`: aborted before sending, nothing leaves and the key stays free; aborted
 * mid-request, the fetch is cancelled and the key is uncertain (it may have gone out); strategies
 * stop instead of trying another provider or channel.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createFakeNotifier, failover, fallback, guardSends, type WebhookNotifier } from '../../src/notify/index.js';
import { createSendGridEmail } from '../../src/notify/sendgrid/index.js';
import type { FetchLike } from '../../src/notify/http.js';
import { createMemoryStore } from '../../src/stores/index.js';

const email = { channel: 'email', to: 'ada@example.com', subject: 'Booked', text: 'See you at 10:00' } as const;
const aborted = () => {
  const c = new AbortController();
  c.abort();
  return c.signal;
};

/** A fetch that hangs until its signal aborts, like a provider that does not answer; counts calls. */
function hangingFetch() {
  const calls: { signal: AbortSignal | null | undefined }[] = [];
  const fetch: FetchLike = (_url, init) => {
    calls.push({ signal: init.signal });
    return new Promise((_resolve, reject) => {
      init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
    });
  };
  return { fetch, calls };
}

/** A fetch that answers 429 every time (Retry-After 1 s until `hurry()`), and counts calls. */
function throttlingFetch() {
  let calls = 0;
  let retryAfter = '1';
  const fetch: FetchLike = async () => {
    calls++;
    return new Response(JSON.stringify({ errors: [{ message: 'too many' }] }), {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': retryAfter },
    });
  };
  return {
    fetch,
    calls: () => calls,
    hurry: () => {
      retryAfter = '0';
    },
  };
}

const sendgrid = (fetch: FetchLike) =>
  createSendGridEmail({
    apiKey: 'SG.test-key.test-secret',
    from: 'bookings@studio.example',
    fetch,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxRetryAfterMs: 5_000 },
  });

describe('SendOptions.signal', () => {
  it('an already aborted signal: timeout with details.aborted and notSent, and nothing is sent (fake and HTTP adapter)', async () => {
    const fake = createFakeNotifier();
    const expected = { code: 'timeout', retryable: false, details: { aborted: true, notSent: true } };
    await expect(fake.send(email, { idempotencyKey: 'k', signal: aborted() })).rejects.toMatchObject(expected);
    expect(fake.sent).toHaveLength(0);
    const { fetch, calls } = hangingFetch();
    await expect(sendgrid(fetch).send(email, { idempotencyKey: 'k', signal: aborted() })).rejects.toMatchObject(expected);
    expect(calls).toHaveLength(0);
  });

  it('a signal that is not an AbortSignal is invalid_input', async () => {
    await expect(createFakeNotifier().send(email, { idempotencyKey: 'k', signal: 'stop' as never })).rejects.toMatchObject({
      code: 'invalid_input',
      details: { field: 'signal' },
    });
  });

  it('aborting mid-request cancels the fetch; it may have been sent, so the error has no notSent', async () => {
    const { fetch, calls } = hangingFetch();
    const controller = new AbortController();
    const sending = sendgrid(fetch).send(email, { idempotencyKey: 'k', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toHaveLength(1);
    controller.abort();
    const error = await sending.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout', provider: 'sendgrid', details: { aborted: true } });
    expect((error as { details: Record<string, unknown> }).details.notSent).toBeUndefined();
    expect(calls[0]?.signal?.aborted).toBe(true);
  });

  it('aborting during the wait after a 429 stops retrying, and nothing was sent', async () => {
    const throttled = throttlingFetch();
    const controller = new AbortController();
    const sending = sendgrid(throttled.fetch).send(email, { idempotencyKey: 'k', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await expect(sending).rejects.toMatchObject({ code: 'timeout', details: { aborted: true, notSent: true } });
    expect(throttled.calls()).toBe(1);
  });

  it('guardSends: aborted before sending leaves the key free; aborted mid-request makes it uncertain', async () => {
    const store = createMemoryStore();
    const fake = createFakeNotifier();
    const guarded = guardSends(fake, { store });
    await expect(guarded.send(email, { idempotencyKey: 'a', signal: aborted() })).rejects.toMatchObject({ details: { aborted: true } });
    expect((await guarded.send(email, { idempotencyKey: 'a' })).replayed).toBeUndefined();
    expect(fake.sent).toHaveLength(1);

    const { fetch } = hangingFetch();
    const hanging = guardSends(sendgrid(fetch), { store });
    const controller = new AbortController();
    const sending = hanging.send(email, { idempotencyKey: 'b', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(sending).rejects.toMatchObject({ details: { aborted: true } });
    await expect(hanging.send(email, { idempotencyKey: 'b' })).rejects.toMatchObject({
      code: 'conflict',
      details: expect.objectContaining({ uncertain: true }),
    });
  });

  it("guardSends keeps the wrapped notifier's type: a WebhookNotifier stays one, the channel is kept", () => {
    const guarded = guardSends(sendgrid(hangingFetch().fetch));
    expectTypeOf(guarded.parseWebhook).toEqualTypeOf<WebhookNotifier<'email'>['parseWebhook']>();
    expectTypeOf(guarded.channels).toEqualTypeOf<readonly 'email'[]>();
    expect(typeof guarded.parseWebhook).toBe('function');
  });

  it('failover stops on an abort: no second provider, and the breaker does not count it', async () => {
    const throttled = throttlingFetch();
    const secondary = createFakeNotifier({ provider: 'ses', channels: ['email'] });
    const f = failover([sendgrid(throttled.fetch), secondary], { breaker: { strategy: { kind: 'consecutive', threshold: 1 } } });
    const controller = new AbortController();
    const sending = f.send(email, { idempotencyKey: 'k', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await expect(sending).rejects.toMatchObject({ code: 'timeout', details: { aborted: true, notSent: true } });
    expect(secondary.sent).toHaveLength(0);
    expect(f.breakers.sendgrid?.state).toBe('closed');
    // Nothing was sent, so the key is free: without an abort it fails over as usual.
    throttled.hurry();
    expect((await f.send(email, { idempotencyKey: 'k' })).provider).toBe('ses');
  });

  it('fallback stops on an abort: the channel gets no attempt, the next channel is not used, and the key can be sent later', async () => {
    const { fetch } = hangingFetch();
    const sms = createFakeNotifier({ provider: 'sms', channels: ['sms'] });
    const store = createMemoryStore();
    const notify = fallback([sendgrid(fetch), sms], { store });
    const notification = { email: { to: 'ada@example.com', subject: 'Booked', text: 'x' }, sms: { to: '+14155550100', body: 'x' } };
    await expect(notify.send(notification, { idempotencyKey: 'n1', signal: aborted() })).rejects.toMatchObject({
      details: { aborted: true },
    });
    expect(await notify.inspect('n1')).toBeUndefined();
    const controller = new AbortController();
    const sending = notify.send(notification, { idempotencyKey: 'n2', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(sending).rejects.toMatchObject({ details: { aborted: true } });
    expect(sms.sent).toHaveLength(0);
    expect((await notify.inspect('n2'))?.attempts).toEqual([]);
    // The email may have gone out: the next send records it as uncertain and moves on to SMS.
    const later = await notify.send(notification, { idempotencyKey: 'n2' });
    expect(later.channel).toBe('sms');
    expect(later.attempts[0]).toMatchObject({ channel: 'email', state: 'uncertain' });
  });
});
