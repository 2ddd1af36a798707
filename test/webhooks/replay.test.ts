/** The replay guard: atomic first-delivery-wins on every store, expiry, release, namespacing. */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/stores/index.js';
import { createReplayGuard, verifyStandardWebhook } from '../../src/webhooks/index.js';
import { expectCode, NOW_S, now, signStandard } from './helpers.js';

describe('createReplayGuard', () => {
  it('of 50 concurrent deliveries of one id, exactly one passes', async () => {
    const guard = createReplayGuard();
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => guard.claim('stripe', 'evt_1')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.every((r) => r.reason.code === 'replayed')).toBe(true);
  });

  it('of concurrent verified deliveries of one webhook, exactly one passes', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"a":1}';
    const raw = {
      body,
      headers: {
        'webhook-id': 'msg_c',
        'webhook-timestamp': String(NOW_S),
        'webhook-signature': signStandard(secret, 'msg_c', NOW_S, body),
      },
    };
    const replayGuard = createReplayGuard();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verifyStandardWebhook(raw, { secret, now, replayGuard })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('namespaces ids per provider and stores them under webhooks:replay:<provider>:<id>', async () => {
    const store = createMemoryStore();
    const guard = createReplayGuard({ store, ttlSeconds: 600 });
    await guard.claim('stripe', 'same');
    await guard.claim('standard-webhooks', 'same');
    const entry = await store.get('webhooks:replay:stripe:same');
    expect(entry?.expiresAt).toBeTypeOf('number');
  });

  it('forgets an id after ttlSeconds', async () => {
    let t = 1_000_000;
    const guard = createReplayGuard({ store: createMemoryStore({ now: () => t }), ttlSeconds: 600 });
    await guard.claim('mailgun', 'tok');
    await expectCode(guard.claim('mailgun', 'tok'), 'replayed');
    t += 600_001;
    await expect(guard.claim('mailgun', 'tok')).resolves.toBeUndefined();
  });

  it('release lets a failed delivery be retried', async () => {
    const guard = createReplayGuard();
    await guard.claim('sns', 'm1');
    await guard.release('sns', 'm1');
    await expect(guard.claim('sns', 'm1')).resolves.toBeUndefined();
  });

  it('hashes ids too long for a store key instead of failing', async () => {
    const guard = createReplayGuard();
    const long = 'x'.repeat(2000);
    await guard.claim('stripe', long);
    await expectCode(guard.claim('stripe', long), 'replayed');
    await expect(guard.claim('stripe', `${long}y`)).resolves.toBeUndefined();
  });

  it('rejects bad options and empty ids', async () => {
    expect(() => createReplayGuard({ ttlSeconds: 0 })).toThrow(/ttlSeconds/);
    expect(() => createReplayGuard({ store: {} as never })).toThrow(/Store/);
    await expectCode(createReplayGuard().claim('stripe', ''), 'invalid_input');
  });
});
