/**
 * Transport faults for every fetch-based adapter, injected through the `fetch` option: a reset
 * connection (may have been sent: reported, not retried), a refused connection (never sent:
 * retried, then `unavailable` with notSent), a malformed 200 body, and an attempt that hangs.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { Notifier, NotifyMessage } from '../../src/notify/index.js';
import { createFcmPush } from '../../src/notify/fcm/index.js';
import type { FetchLike } from '../../src/notify/http.js';
import { createResendEmail } from '../../src/notify/resend/index.js';
import { createSendGridEmail } from '../../src/notify/sendgrid/index.js';
import { createSesEmail } from '../../src/notify/ses/index.js';
import { createTwilioSms } from '../../src/notify/twilio/index.js';

// The per-attempt timer also covers what an adapter does before fetch (SES signs every attempt with
// SigV4, FCM signs a JWT: Web Crypto on the threadpool). A 50 ms timeout lost that race on a loaded
// machine: a reset connection came back as `timeout`, and a hung attempt timed out before fetch was
// called. Only the hang case is about the timer, and it drives the timer by hand.
const ATTEMPT_TIMEOUT_MS = 10_000;
const retry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, random: () => 0, attemptTimeoutMs: ATTEMPT_TIMEOUT_MS };
const email: NotifyMessage = { channel: 'email', to: 'ada@example.com', subject: 's', text: 't' };
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

type Make = (fetch: FetchLike) => Notifier;
const adapters: [string, Make, NotifyMessage][] = [
  ['sendgrid', (fetch) => createSendGridEmail({ apiKey: 'SG.a.b', from: 'a@studio.example', fetch, retry }), email],
  [
    'ses',
    (fetch) =>
      createSesEmail({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secretsecretsecretsecret' },
        from: 'a@studio.example',
        fetch,
        retry,
      }),
    email,
  ],
  ['resend', (fetch) => createResendEmail({ apiKey: 're_123456789', from: 'a@studio.example', fetch, retry }), email],
  [
    'twilio',
    (fetch) =>
      createTwilioSms({ accountSid: `AC${'a'.repeat(32)}`, authToken: '0123456789abcdef0123', from: '+14155550199', fetch, retry }),
    { channel: 'sms', to: '+14155550100', body: 'x' },
  ],
  [
    'fcm',
    (fetch) =>
      createFcmPush({ serviceAccount: { project_id: 'p', client_email: 'n@p.iam.gserviceaccount.com', private_key: rsa }, fetch, retry }),
    { channel: 'push', to: { kind: 'fcm', token: 't' }, body: 'x' },
  ],
];

/** Token requests (FCM) always succeed; `send` is the fault under test. */
function faulty(send: (signal: AbortSignal | undefined) => Promise<Response>): { fetch: FetchLike; calls: () => number } {
  let calls = 0;
  const fetch: FetchLike = async (url, init) => {
    if (url.includes('oauth2.googleapis.com')) return Response.json({ access_token: 'ya29.x', expires_in: 3600 });
    calls++;
    return send(init.signal ?? undefined);
  };
  return { fetch, calls: () => calls };
}

const networkError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

describe.each(adapters)('%s transport faults', (_name, make, message) => {
  it('a reset connection is unavailable and retryable, but not retried here (it may have been sent)', async () => {
    const f = faulty(async () => {
      throw networkError('ECONNRESET');
    });
    const error = await make(f.fetch)
      .send(message, { idempotencyKey: 'k' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'unavailable', retryable: true });
    expect(error.details?.notSent).toBeUndefined();
    expect(f.calls()).toBe(1);
  });

  it('a refused connection is retried, then unavailable with notSent', async () => {
    const f = faulty(async () => {
      throw networkError('ECONNREFUSED');
    });
    await expect(make(f.fetch).send(message, { idempotencyKey: 'k' })).rejects.toMatchObject({
      code: 'unavailable',
      details: { notSent: true },
    });
    expect(f.calls()).toBe(3);
  });

  it('a malformed 200 body is provider_error, not retried', async () => {
    const f = faulty(async () => new Response('{"id": ', { status: 200, headers: { 'content-type': 'application/json' } }));
    await expect(make(f.fetch).send(message, { idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'provider_error', retryable: false });
    expect(f.calls()).toBe(1);
  });

  it('an attempt that hangs times out (and is not retried: the provider may have it)', async () => {
    // Only the timers are faked: Web Crypto and the fetch stub run for real, and the clock moves
    // once the request is in flight, so the timeout can only end a fetch that was made.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let inFlight: () => void = () => undefined;
      const entered = new Promise<void>((resolve) => {
        inFlight = resolve;
      });
      const f = faulty(
        (signal) =>
          new Promise<Response>((_, reject) => {
            signal?.addEventListener('abort', () => reject(signal.reason));
            inFlight();
          }),
      );
      let settled = false;
      const sent = make(f.fetch)
        .send(message, { idempotencyKey: 'k' })
        .finally(() => {
          settled = true;
        });
      sent.catch(() => undefined);
      await entered;
      await vi.advanceTimersByTimeAsync(ATTEMPT_TIMEOUT_MS - 1);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await expect(sent).rejects.toMatchObject({ code: 'timeout', retryable: true });
      expect(f.calls()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
