import { describe, expect, it, vi } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import {
  createFakeNotifier,
  createSuppressionList,
  failover,
  fallback,
  guardSends,
  type Notifier,
  roundRobin,
} from '../../src/notify/index.js';
import { createMemoryStore } from '../../src/stores/index.js';

const email = { channel: 'email', to: 'ada@example.com', subject: 's', text: 't' } as const;
const down = (provider: string) => new IntegrationError('unavailable', `${provider} answered 503`, { provider, status: 503 });
const throttled = (provider: string) => new IntegrationError('rate_limited', `${provider} answered 429`, { provider, status: 429 });

describe('roundRobin', () => {
  it('spreads keys across providers, and a retried key stays with its provider', async () => {
    const a = createFakeNotifier({ provider: 'a', channels: ['email'] });
    const b = createFakeNotifier({ provider: 'b', channels: ['email'] });
    const rr = roundRobin([a, b]);
    for (let i = 0; i < 6; i++) await rr.send(email, { idempotencyKey: `k${i}` });
    expect([a.sent.length, b.sent.length]).toEqual([3, 3]);
    const again = await rr.send(email, { idempotencyKey: 'k1' });
    expect(again.replayed).toBe(true);
    expect(a.sent.length + b.sent.length).toBe(6);
  });

  it('refuses providers without a common channel or with the same name', () => {
    expect(() => roundRobin([])).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(() => roundRobin([createFakeNotifier(), createFakeNotifier()])).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});

describe('failover (SendGrid → SES shape)', () => {
  const setup = (threshold = 2) => {
    let t = 0;
    const primary = createFakeNotifier({ provider: 'sendgrid', channels: ['email'] });
    const secondary = createFakeNotifier({ provider: 'ses', channels: ['email'] });
    const f = failover([primary, secondary], {
      breaker: { strategy: { kind: 'consecutive', threshold }, halfOpenAfterMs: 30_000 },
      now: () => t,
    });
    return { primary, secondary, f, advance: (ms: number) => (t += ms) };
  };

  it('fails over on a failure that proves nothing was sent (429), and the key stays with the provider that took it', async () => {
    const { primary, secondary, f } = setup();
    primary.failNext(throttled('sendgrid'));
    const r = await f.send(email, { idempotencyKey: 'k' });
    expect(r.provider).toBe('ses');
    const again = await f.send(email, { idempotencyKey: 'k' });
    expect(again).toMatchObject({ provider: 'ses', replayed: true });
    expect([primary.sent.length, secondary.sent.length]).toEqual([0, 1]);
  });

  it('does not fail over on an ambiguous 503 (it may have been sent): the caller gets the error', async () => {
    const { primary, secondary, f } = setup();
    primary.failNext(down('sendgrid'));
    await expect(f.send(email, { idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'unavailable', provider: 'sendgrid' });
    // And a retry of that key is refused rather than risking a second copy.
    await expect(f.send(email, { idempotencyKey: 'k' })).rejects.toMatchObject({
      code: 'conflict',
      details: expect.objectContaining({ uncertain: true }),
    });
    expect(secondary.sent).toHaveLength(0);
  });

  it('opens the primary’s circuit after repeated failures; new keys go straight to the secondary until it half-opens', async () => {
    const { primary, secondary, f, advance } = setup(2);
    primary.failAlways(down('sendgrid'));
    await f.send(email, { idempotencyKey: 'a' }).catch(() => undefined);
    await f.send(email, { idempotencyKey: 'b' }).catch(() => undefined);
    expect(f.breakers.sendgrid?.state).toBe('open');
    const r = await f.send(email, { idempotencyKey: 'c' });
    expect(r.provider).toBe('ses');
    primary.failAlways(undefined);
    advance(30_001);
    const probe = await f.send(email, { idempotencyKey: 'd' });
    expect(probe.provider).toBe('sendgrid');
    expect(f.breakers.sendgrid?.state).toBe('closed');
    expect(secondary.sent).toHaveLength(1);
  });

  it('does not fail over bad input or a suppressed recipient (another provider would refuse it too)', async () => {
    const { primary, secondary, f } = setup();
    primary.failNext(new IntegrationError('permission', 'suppressed', { provider: 'sendgrid', details: { suppressed: true } }));
    await expect(f.send(email, { idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'permission' });
    await expect(f.send({ ...email, to: 'nope' }, { idempotencyKey: 'k2' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(secondary.sent).toHaveLength(0);
    expect(primary.sent).toHaveLength(0);
  });
});

describe('guardSends across restarts', () => {
  it('a claim left by a crashed process is never sent again once its lock expires', async () => {
    let t = 0;
    const store = createMemoryStore({ now: () => t });
    const fake = createFakeNotifier({ channels: ['email'] });
    const hanging = { ...fake, send: () => new Promise<never>(() => undefined) };
    void guardSends(hanging, { store, lockMs: 1000, now: () => t }).send(email, { idempotencyKey: 'k' });
    await new Promise((r) => setTimeout(r, 5));
    const restarted = guardSends(fake, { store, lockMs: 1000, now: () => t });
    await expect(restarted.send(email, { idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'idempotency_in_progress' });
    t += 1001;
    await expect(restarted.send(email, { idempotencyKey: 'k' })).rejects.toMatchObject({
      code: 'conflict',
      retryable: false,
      details: expect.objectContaining({ uncertain: true }),
    });
    expect(fake.sent).toHaveLength(0);
  });

  it('with a durable store the replay survives a new process', async () => {
    const store = createMemoryStore();
    const a = createFakeNotifier({ channels: ['sms'] });
    const first = await guardSends(a, { store }).send({ channel: 'sms', to: '+14155550100', body: 'x' }, { idempotencyKey: 'k' });
    const b = createFakeNotifier({ channels: ['sms'] });
    const second = await guardSends(b, { store }).send({ channel: 'sms', to: '+14155550100', body: 'x' }, { idempotencyKey: 'k' });
    expect(second).toEqual({ ...first, replayed: true });
    expect(b.sent).toHaveLength(0);
  });
});

describe('suppression checked before a single-channel send', () => {
  it('guardSends and failover refuse a suppressed recipient with permission, on no provider', async () => {
    const suppression = createSuppressionList();
    await suppression.add('email', 'ADA@example.com', { reason: 'complaint' });
    const a = createFakeNotifier({ provider: 'a', channels: ['email'] });
    const b = createFakeNotifier({ provider: 'b', channels: ['email'] });
    await expect(guardSends(a, { suppression }).send(email, { idempotencyKey: 'k' })).rejects.toMatchObject({
      code: 'permission',
      retryable: false,
      details: expect.objectContaining({ suppressed: true, reason: 'complaint' }),
    });
    await expect(failover([a, b], { suppression }).send(email, { idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'permission' });
    await expect(roundRobin([a, b], { suppression }).send(email, { idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'permission' });
    expect(a.sent.length + b.sent.length).toBe(0);
    await suppression.remove('email', 'ada@example.com');
    expect((await failover([a, b], { suppression }).send(email, { idempotencyKey: 'k' })).provider).toBe('a');
  });
});

describe('closing what a strategy holds', () => {
  const closable = (provider: string, channels: ('email' | 'sms')[] = ['email'], fail?: Error) => {
    const fake = createFakeNotifier({ provider, channels });
    const close = vi.fn(async () => {
      if (fail) throw fail;
    });
    const notifier: Notifier = { provider, channels: fake.channels, send: fake.send, close };
    return { notifier, close };
  };

  it.each([
    ['failover', failover],
    ['roundRobin', roundRobin],
  ] as const)('%s closes every provider once, and a second close() closes nothing again', async (_name, strategy) => {
    const a = closable('a');
    const b = closable('b');
    const plain = createFakeNotifier({ provider: 'c', channels: ['email'] }); // nothing to close
    const s = strategy([a.notifier, b.notifier, plain]);
    await s.close();
    await s.close();
    expect([a.close.mock.calls.length, b.close.mock.calls.length]).toEqual([1, 1]);
  });

  it.each([
    ['failover', failover],
    ['roundRobin', roundRobin],
  ] as const)('%s: one failing close does not stop the others; the failures come back together', async (_name, strategy) => {
    const a = closable('a', ['email'], new Error('pool a stuck'));
    const b = closable('b');
    const c = closable('c', ['email'], new IntegrationError('timeout', 'pool c stuck'));
    const error = await strategy([a.notifier, b.notifier, c.notifier])
      .close()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ code: 'unavailable', retryable: false, details: { providers: ['a', 'c'] } });
    expect((error as IntegrationError).cause).toBeInstanceOf(AggregateError);
    expect(((error as IntegrationError).cause as AggregateError).errors.map((e: Error) => e.message)).toEqual([
      'pool a stuck',
      'pool c stuck',
    ]);
    expect(b.close).toHaveBeenCalledTimes(1);
  });

  it('fallback closes a notifier that serves two channels once', async () => {
    const both = closable('multi', ['email', 'sms']);
    const other = closable('push-ish', ['sms']);
    const f = fallback([
      { channel: 'email', notifier: both.notifier },
      { channel: 'sms', notifier: both.notifier },
    ]);
    await f.close();
    expect(both.close).toHaveBeenCalledTimes(1);
    await fallback([other.notifier]).close();
    expect(other.close).toHaveBeenCalledTimes(1);
  });

  it('a multi-provider notifier has no parseWebhook: webhooks go to the provider that sent them', () => {
    const f = failover([createFakeNotifier({ provider: 'a', channels: ['email'] })]);
    const rr = roundRobin([createFakeNotifier({ provider: 'a', channels: ['email'] })]);
    expect(f.parseWebhook).toBeUndefined();
    expect(rr.parseWebhook).toBeUndefined();
    // @ts-expect-error: the type says so too, so `f.parseWebhook?.(raw)` cannot silently yield nothing where events were expected
    const events: Promise<unknown[]> = f.parseWebhook?.({ body: '[]', headers: {} });
    expect(events).toBeUndefined();
  });
});
