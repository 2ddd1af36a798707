import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { IntegrationError, isIntegrationError } from '../../src/index.js';
import {
  type AttemptState,
  type Channel,
  createFakeNotifier,
  createPreferences,
  createSuppressionList,
  fallback,
  type Notification,
} from '../../src/notify/index.js';
import { createMemoryStore, type Store } from '../../src/stores/index.js';

const notification: Notification = {
  email: { to: 'ada@example.com', subject: 'Booking confirmed', text: 'See you at 10:00' },
  sms: { to: '+14155550100', body: 'Booking confirmed: see you at 10:00' },
};

function setup(now = () => 0) {
  const store = createMemoryStore();
  const email = createFakeNotifier({ provider: 'mail', channels: ['email'] });
  const sms = createFakeNotifier({ provider: 'text', channels: ['sms'] });
  const suppression = createSuppressionList({ store, hashKey: 'test-suppression-hash-key-0123456789abcdef' });
  const make = () => fallback([email, sms], { store, suppression, now });
  return { store, email, sms, suppression, make, strategy: make() };
}

describe('fallback', () => {
  it('sends on the first channel and replays the result for the same key, even after a restart', async () => {
    const { strategy, email, sms, make } = setup();
    const first = await strategy.send(notification, { idempotencyKey: 'booking-42' });
    expect(first).toMatchObject({ channel: 'email', provider: 'mail' });
    const again = await make().send(notification, { idempotencyKey: 'booking-42' });
    expect(again).toMatchObject({ channel: 'email', providerMessageId: first.providerMessageId, replayed: true });
    expect(email.sent).toHaveLength(1);
    expect(sms.sent).toHaveLength(0);
  });

  it('moves to SMS when email fails, and never retries email for that key', async () => {
    const { strategy, email, sms } = setup();
    email.failNext(new IntegrationError('unavailable', 'mail answered 503', { provider: 'mail' }));
    const r = await strategy.send(notification, { idempotencyKey: 'k' });
    expect(r.channel).toBe('sms');
    expect(r.attempts.map((a) => `${a.channel}:${a.state}:${a.reason ?? ''}`)).toEqual(['email:failed:unavailable', 'sms:sent:']);
    await strategy.send(notification, { idempotencyKey: 'k' });
    expect(email.sent).toHaveLength(0);
    expect(sms.sent).toHaveLength(1);
  });

  it('a verified hard bounce moves on to SMS; a soft bounce does not; an unverified event is refused', async () => {
    const { strategy, email, sms } = setup();
    const r = await strategy.send(notification, { idempotencyKey: 'k' });
    expect(await strategy.handleEvents([email.emit(r.providerMessageId, 'bounced', { bounceType: 'soft' })])).toEqual([]);
    const forged = { ...email.emit(r.providerMessageId, 'bounced') };
    await expect(strategy.handleEvents([forged])).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(sms.sent).toHaveLength(0);
    const moved = await strategy.handleEvents([email.emit(r.providerMessageId, 'bounced', { bounceType: 'hard' })]);
    expect(moved.map((m) => m.channel)).toEqual(['sms']);
    expect(sms.sent).toHaveLength(1);
    // The same bounce delivered twice does not send a second SMS.
    expect(await strategy.handleEvents([email.emit(r.providerMessageId, 'bounced')])).toEqual([]);
    expect(sms.sent).toHaveLength(1);
  });

  it('moves on when no delivery confirmation arrives by the deadline, not before, and not after a delivery', async () => {
    let t = 1_000;
    const { make, email, sms } = setup(() => t);
    const strategy = make();
    const r = await strategy.send({ ...notification, confirmWithinMs: 60_000 }, { idempotencyKey: 'k' });
    expect(r.confirmBy).toBe(61_000);
    expect(await strategy.escalate('k')).toBeUndefined();
    t = 61_000;
    const moved = await strategy.escalate('k');
    expect(moved?.channel).toBe('sms');
    expect(moved?.attempts[0]).toMatchObject({ channel: 'email', state: 'unconfirmed' });

    const r2 = await strategy.send({ ...notification, confirmWithinMs: 60_000 }, { idempotencyKey: 'k2' });
    await strategy.handleEvents([email.emit(r2.providerMessageId, 'delivered')]);
    t += 120_000;
    expect(await strategy.escalate('k2')).toBeUndefined();
    expect(sms.sent).toHaveLength(1);
  });

  it('a sensitive message (one-time code) is never moved to another channel unless allowed', async () => {
    const { strategy, email, sms } = setup();
    email.failAlways(new IntegrationError('unavailable', 'down', { provider: 'mail' }));
    const otp: Notification = { ...notification, sensitivity: 'sensitive' };
    const error = await strategy.send(otp, { idempotencyKey: 'otp-1' }).catch((e) => e);
    expect(isIntegrationError(error) && error.details?.exhausted).toBe(true);
    expect((error as IntegrationError).message).toContain('sensitive_no_fallback');
    expect(sms.sent).toHaveLength(0);
    const allowed = await strategy.send({ ...otp, allowFallback: ['sms'] }, { idempotencyKey: 'otp-2' });
    expect(allowed.channel).toBe('sms');
  });

  it('skips a suppressed channel, and a person’s opted-out channel; all suppressed is a permission error', async () => {
    const { store, email, sms, suppression } = setup();
    const preferences = createPreferences({ store });
    const strategy = fallback([email, sms], { store, suppression, preferences });
    await suppression.add('email', 'ADA@example.com', { reason: 'hard_bounce' });
    const r = await strategy.send(notification, { idempotencyKey: 'k' });
    expect(r.channel).toBe('sms');
    expect(r.attempts[0]).toMatchObject({ channel: 'email', state: 'skipped', reason: 'suppressed' });
    await preferences.set('p1', { sms: false });
    await expect(strategy.send({ ...notification, personId: 'p1' }, { idempotencyKey: 'k2' })).rejects.toMatchObject({
      code: 'permission',
      retryable: false,
    });
    expect(email.sent).toHaveLength(0);
    expect(sms.sent).toHaveLength(1);
  });

  it('a provider-side opt-out (Twilio 21610) is written to the suppression list and the next channel is used', async () => {
    const store = createMemoryStore();
    const suppression = createSuppressionList({ store, hashKey: 'test-suppression-hash-key-0123456789abcdef' });
    const sms = createFakeNotifier({ provider: 'twilio', channels: ['sms'] });
    const email = createFakeNotifier({ provider: 'mail', channels: ['email'] });
    sms.failNext(new IntegrationError('permission', 'opted out', { provider: 'twilio', details: { suppressed: true, twilioCode: 21610 } }));
    const r = await fallback([sms, email], { store, suppression }).send(notification, { idempotencyKey: 'k' });
    expect(r.channel).toBe('email');
    expect(r.attempts[0]).toMatchObject({ channel: 'sms', state: 'failed', reason: 'suppressed' });
    expect(await suppression.get('sms', '+14155550100')).toMatchObject({ reason: 'sms_stop', provider: 'twilio' });
  });

  it('a send in flight has no attempt yet (there is no in-flight state); it is written with its outcome', async () => {
    expectTypeOf<AttemptState>().toEqualTypeOf<'sent' | 'delivered' | 'failed' | 'bounced' | 'unconfirmed' | 'uncertain' | 'skipped'>();
    const email = createFakeNotifier({ provider: 'mail', channels: ['email'] });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = { ...email, send: async (...args: Parameters<typeof email.send>) => gate.then(() => email.send(...args)) };
    const notify = fallback([slow]);
    const sending = notify.send({ email: { to: 'ada@example.com', subject: 's', text: 't' } }, { idempotencyKey: 'inflight' });
    await new Promise((r) => setTimeout(r, 10));
    expect((await notify.inspect('inflight'))?.attempts).toEqual([]);
    release();
    await sending;
    expect((await notify.inspect('inflight'))?.attempts.map((a) => a.state)).toEqual(['sent']);
  });

  it('bad input: reused key with different content, no content, bad messages, bad steps', async () => {
    const { strategy } = setup();
    await strategy.send(notification, { idempotencyKey: 'k' });
    await expect(strategy.send({ ...notification, sms: { to: '+14155550101', body: 'x' } }, { idempotencyKey: 'k' })).rejects.toMatchObject(
      {
        code: 'idempotency_conflict',
      },
    );
    await expect(strategy.send({ push: { to: { kind: 'fcm', token: 't' }, body: 'x' } }, { idempotencyKey: 'k3' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(strategy.send({ sms: { to: '0155', body: 'x' } }, { idempotencyKey: 'k4' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(strategy.send(notification, { idempotencyKey: '' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(() => fallback([])).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(() => fallback([createFakeNotifier()])).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    const e = createFakeNotifier({ channels: ['email'] });
    expect(() => fallback([e, e])).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});

// --- faults and restarts ---------------------------------------------------------------------

class Crash extends Error {}
type Outcome = 'ok' | 'rejected' | 'ambiguous' | 'crash-before' | 'crash-after';

/** A store that "dies" with the process: after a crash every call throws, like a process that is gone. */
function mortalStore(inner: Store, life: { dead: boolean }): Store {
  const guard =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      if (life.dead) throw new Crash('process died');
      return fn(...a);
    };
  return {
    get: guard((k: string) => inner.get(k)) as Store['get'],
    set: guard((k: string, v: unknown, o?: { ttlSeconds?: number }) => inner.set(k, v, o)),
    setIfAbsent: guard((k: string, v: unknown, o?: { ttlSeconds?: number }) => inner.setIfAbsent(k, v, o)),
    compareAndSet: guard((k: string, e: number | null, v: unknown, o?: { ttlSeconds?: number }) => inner.compareAndSet(k, e, v, o)),
    delete: guard((k: string) => inner.delete(k)),
    compareAndDelete: guard((k: string, e: number) => inner.compareAndDelete(k, e)),
  };
}

describe('fallback under faults and restarts (fast-check)', () => {
  const CHANNELS: Channel[] = ['email', 'sms', 'push'];
  const full: Notification = {
    ...notification,
    push: { to: { kind: 'fcm', token: 'device-1' }, title: 'Booked', body: '10:00' },
  };

  it('every message reaches at most one delivery per channel, and is not lost while a channel remains', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(...CHANNELS.map(() => fc.constantFrom<Outcome>('ok', 'rejected', 'ambiguous', 'crash-before', 'crash-after'))), {
          minLength: 1,
          maxLength: 4,
        }),
        async (messages) => {
          const shared = createMemoryStore();
          let t = 0;
          const fakes = CHANNELS.map((c) => createFakeNotifier({ provider: `fake-${c}`, channels: [c] }));
          const calls = new Map<string, number>();
          for (const [m, script] of messages.entries()) {
            const key = `msg-${m}`;
            let outcome: 'sent' | 'exhausted' | undefined;
            let sentOn: Channel | undefined;
            for (let round = 0; round < 10 && !outcome; round++) {
              const life = { dead: false };
              const steps = CHANNELS.map((channel, i) => ({
                channel,
                notifier: {
                  provider: `fake-${channel}`,
                  channels: [channel],
                  async send(message: Parameters<(typeof fakes)[0]['send']>[0], options: { idempotencyKey: string }) {
                    const n = (calls.get(`${key}:${channel}`) ?? 0) + 1;
                    calls.set(`${key}:${channel}`, n);
                    const o = script[i] as Outcome;
                    if (o === 'crash-before') {
                      life.dead = true;
                      throw new Crash('died before the request left');
                    }
                    if (o === 'rejected') throw new IntegrationError('rate_limited', '429', { provider: `fake-${channel}` });
                    if (o === 'ambiguous') throw new IntegrationError('unavailable', '503', { provider: `fake-${channel}` });
                    const r = await (fakes[i] as (typeof fakes)[0]).send(message, options);
                    if (o === 'crash-after') {
                      life.dead = true;
                      throw new Crash('died after the provider accepted');
                    }
                    return r;
                  },
                },
              }));
              const strategy = fallback(steps, { store: mortalStore(shared, life), lockMs: 1000, now: () => t });
              try {
                const r = await strategy.send(full, { idempotencyKey: key });
                outcome = 'sent';
                sentOn = r.channel;
              } catch (error) {
                if (isIntegrationError(error) && error.details?.exhausted === true) outcome = 'exhausted';
                else if (!(error instanceof Crash) && !(isIntegrationError(error) && error.code === 'idempotency_in_progress')) throw error;
              }
              t += 1001; // the restart happens after the crashed holder's lock expired
            }
            expect(outcome).toBeDefined();
            // At most one delivery, and at most one provider call, per channel.
            for (const [i, c] of CHANNELS.entries()) {
              expect(
                (fakes[i] as (typeof fakes)[0]).sent.filter((s) => s.result.idempotencyKey === `${key}:${c}`).length,
              ).toBeLessThanOrEqual(1);
              expect(calls.get(`${key}:${c}`) ?? 0).toBeLessThanOrEqual(1);
            }
            const firstOk = script.indexOf('ok');
            if (outcome === 'exhausted') {
              // Not lost while a channel remained: every channel was tried, and none could have succeeded.
              for (const c of CHANNELS) expect(calls.get(`${key}:${c}`)).toBe(1);
              expect(firstOk).toBe(-1);
            } else {
              const i = CHANNELS.indexOf(sentOn as Channel);
              // Channels before the one that took it were each tried once and did not succeed.
              for (const c of CHANNELS.slice(0, i)) expect(calls.get(`${key}:${c}`)).toBe(1);
              expect(script.slice(0, i)).not.toContain('ok');
              expect(['ok', 'crash-after']).toContain(script[i]);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
