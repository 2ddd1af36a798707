import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/core/errors.js';
import {
  createDeliveryTracker,
  createFakeNotifier,
  createPreferences,
  createSuppressionList,
  createUnsubscribeHandler,
  createUnsubscribeTokens,
  type DeliveryEvent,
  type SuppressionList,
  listUnsubscribeHeaders,
  unsubscribeUrl,
} from '../../src/notify/index.js';
import { createMemoryStore } from '../../src/stores/index.js';

const NOW = Date.UTC(2026, 10, 25, 12);
const OLD = { id: 'k2025', secret: 'an-old-secret-of-at-least-32-bytes-long!' };
const NEW = { id: 'k2026', secret: 'a-new-secret-of-at-least-32-bytes-long!!' };

describe('unsubscribe tokens', () => {
  it('round-trips, survives key rotation, and expires', async () => {
    let now = NOW;
    const old = createUnsubscribeTokens({ keys: [OLD], now: () => now });
    const token = await old.create({ channel: 'email', address: 'Ada@Example.com', personId: 'p1', ttlSeconds: 3600 });
    const rotated = createUnsubscribeTokens({ keys: [NEW, OLD], now: () => now });
    expect(await rotated.verify(token)).toEqual({
      channel: 'email',
      address: 'ada@example.com',
      personId: 'p1',
      expiresAt: NOW / 1000 + 3600,
    });
    expect((await rotated.create({ channel: 'sms', address: '+14155550100' })).split('.')[1]).toBe('k2026');
    now = NOW + 3600_000;
    await expect(rotated.verify(token)).rejects.toMatchObject({ code: 'timestamp_out_of_tolerance' });
    // A key dropped from the list no longer verifies its tokens.
    now = NOW;
    await expect(createUnsubscribeTokens({ keys: [NEW] }).verify(token)).rejects.toMatchObject({ code: 'signature_invalid' });
  });

  it('refuses tampered, truncated and garbage tokens with signature_invalid', async () => {
    const tokens = createUnsubscribeTokens({ keys: [NEW], now: () => NOW });
    const token = await tokens.create({ channel: 'email', address: 'ada@example.com' });
    const [v, kid, payload, sig] = token.split('.') as [string, string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ channel: 'email', address: 'victim@example.com', expiresAt: 9e9 })).toString(
      'base64url',
    );
    for (const bad of [
      `${v}.${kid}.${forgedPayload}.${sig}`,
      `${v}.${kid}.${payload}.${sig.slice(0, -2)}`,
      `${v}.${kid}.${payload}`,
      'x',
      '',
      `v2.${kid}.${payload}.${sig}`,
      'v1.nokey.a.b',
      `${token}!`,
    ]) {
      await expect(tokens.verify(bad)).rejects.toMatchObject({ code: 'signature_invalid' });
    }
  });

  it('rejects weak or duplicate keys at construction', () => {
    expect(() => createUnsubscribeTokens({ keys: [{ id: 'a', secret: 'short' }] })).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() => createUnsubscribeTokens({ keys: [NEW, NEW] })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(() => createUnsubscribeTokens({ keys: [] })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});

describe('List-Unsubscribe headers (RFC 2369, RFC 8058)', () => {
  it('puts https first, mailto second, and the one-click POST header', () => {
    expect(listUnsubscribeHeaders({ url: 'https://example.com/u?token=a,b', mailto: 'unsub@example.com' })).toEqual({
      'List-Unsubscribe': '<https://example.com/u?token=a%2Cb>, <mailto:unsub@example.com?subject=unsubscribe>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
  it('refuses http and bad mailto', () => {
    expect(() => listUnsubscribeHeaders({ url: 'http://example.com/u' })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => listUnsubscribeHeaders({ url: 'https://example.com/u', mailto: 'nope' })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    expect(() => unsubscribeUrl('http://example.com/u', 't')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
  it('refuses a base that is not a URL with invalid_input, not a TypeError', () => {
    for (const base of ['studio.example/unsubscribe', '', undefined as unknown as string]) {
      expect(() => unsubscribeUrl(base, 't')).toThrow(expect.objectContaining({ code: 'invalid_input', details: { field: 'base' } }));
    }
  });
});

describe('unsubscribe handler', () => {
  const setup = async () => {
    const tokens = createUnsubscribeTokens({ keys: [NEW], now: () => NOW });
    const suppression = createSuppressionList({ now: () => NOW });
    const preferences = createPreferences();
    const seen: string[] = [];
    const handler = createUnsubscribeHandler({ tokens, suppression, preferences, onUnsubscribe: (c) => void seen.push(c.address) });
    const url = unsubscribeUrl(
      'https://example.com/unsubscribe',
      await tokens.create({ channel: 'email', address: 'ada@example.com', personId: 'p1' }),
    );
    return { handler, suppression, preferences, url, seen };
  };

  it('GET (a mail scanner prefetching the link) changes nothing', async () => {
    const { handler, suppression, url, seen } = await setup();
    const res = await handler(new Request(url));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('method="post"');
    expect(await suppression.get('email', 'ada@example.com')).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('the RFC 8058 one-click POST suppresses the address and turns the channel off', async () => {
    const { handler, suppression, preferences, url, seen } = await setup();
    const res = await handler(
      new Request(url, {
        method: 'POST',
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(res.status).toBe(200);
    expect(await suppression.get('email', 'ADA@example.com')).toMatchObject({ reason: 'unsubscribed' });
    expect(await preferences.allows('p1', 'email')).toBe(false);
    expect(await preferences.allows('p1', 'sms')).toBe(true);
    expect(seen).toEqual(['ada@example.com']);
  });

  it('a forged token is 400 and changes nothing; other methods are 405', async () => {
    const { handler, suppression, url } = await setup();
    const forged = url.replace(/\.[^.]+$/, '.AAAA');
    expect((await handler(new Request(forged, { method: 'POST' }))).status).toBe(400);
    expect((await handler(new Request('https://example.com/unsubscribe', { method: 'POST' }))).status).toBe(400);
    expect((await handler(new Request(url, { method: 'DELETE' }))).status).toBe(405);
    expect(await suppression.get('email', 'ada@example.com')).toBeUndefined();
  });
});

describe('delivery tracker and suppression feedback', () => {
  const setup = () => {
    const store = createMemoryStore();
    const suppression = createSuppressionList({ store, hashKey: 'test-suppression-hash-key-0123456789abcdef' });
    const tracker = createDeliveryTracker({ store, suppression });
    const fake = createFakeNotifier();
    return { suppression, tracker, fake };
  };
  const email = { channel: 'email', to: 'ada@example.com', subject: 's', text: 't' } as const;

  it('only moves forward: a late sent never overwrites delivered; a bounce after delivered is kept', async () => {
    const { tracker, fake } = setup();
    const { providerMessageId: id } = await fake.send(email, { idempotencyKey: 'k' });
    await tracker.record([fake.emit(id, 'delivered')]);
    const late = await tracker.record([fake.emit(id, 'sent')]);
    expect(late[0]?.outcome).toBe('stale');
    expect((await tracker.get('fake', id))?.status).toBe('delivered');
    await tracker.record([fake.emit(id, 'bounced', { bounceType: 'hard' })]);
    const record = await tracker.get('fake', id);
    expect(record).toMatchObject({ status: 'bounced', bounceType: 'hard' });
    expect(record?.history.map((h) => h.status)).toEqual(['delivered', 'sent', 'bounced']);
  });

  it('a soft bounce followed by delivered ends delivered', async () => {
    const { tracker, fake, suppression } = setup();
    const { providerMessageId: id } = await fake.send(email, { idempotencyKey: 'k' });
    await tracker.record([fake.emit(id, 'bounced', { bounceType: 'soft' }), fake.emit(id, 'delivered')]);
    expect((await tracker.get('fake', id))?.status).toBe('delivered');
    expect(await suppression.get('email', 'ada@example.com')).toBeUndefined();
  });

  it('deduplicates by provider event id', async () => {
    const { tracker, fake } = setup();
    const { providerMessageId: id } = await fake.send(email, { idempotencyKey: 'k' });
    const e = fake.emit(id, 'opened', { eventId: 'evt-1' });
    expect((await tracker.record([e, e]))?.map((o) => o.outcome)).toEqual(['applied', 'duplicate']);
    expect((await tracker.get('fake', id))?.history).toHaveLength(1);
  });

  it('hard bounces, complaints and unsubscribes suppress the address', async () => {
    const { tracker, fake, suppression } = setup();
    for (const [i, status] of (['bounced', 'complained', 'unsubscribed'] as const).entries()) {
      const to = `p${i}@example.com`;
      const { providerMessageId } = await fake.send({ ...email, to }, { idempotencyKey: `k${i}` });
      await tracker.record([fake.emit(providerMessageId, status)]);
      expect((await suppression.get('email', to))?.reason).toBe(['hard_bounce', 'complaint', 'unsubscribed'][i]);
      await expect(suppression.assertAllowed('email', to)).rejects.toMatchObject({ code: 'permission', retryable: false });
    }
  });

  it('a suppression write that fails is applied when the provider delivers the event again, not dropped as a duplicate', async () => {
    const { fake, suppression } = setup();
    let failures = 1;
    const flaky: SuppressionList = {
      ...suppression,
      async add(channel, address, entry) {
        if (failures-- > 0) throw new IntegrationError('unavailable', 'suppression store down');
        return suppression.add(channel, address, entry);
      },
    };
    const tracker = createDeliveryTracker({ store: createMemoryStore(), suppression: flaky });
    const { providerMessageId: id } = await fake.send(email, { idempotencyKey: 'k' });
    const bounce = fake.emit(id, 'bounced', { bounceType: 'hard', eventId: 'evt-bounce' });
    await expect(tracker.record([bounce])).rejects.toMatchObject({ code: 'unavailable' });
    expect(await suppression.get('email', 'ada@example.com')).toBeUndefined();
    // The provider redelivers the same event (same id): it is applied now, and only now seen.
    expect((await tracker.record([bounce]))[0]?.outcome).toBe('applied');
    expect(await suppression.get('email', 'ada@example.com')).toMatchObject({ reason: 'hard_bounce' });
    expect((await tracker.get('fake', id))?.history.map((h) => h.eventId)).toEqual(['evt-bounce']);
    expect((await tracker.record([bounce]))[0]?.outcome).toBe('duplicate');
  });

  it('an event another worker is still applying is idempotency_in_progress; once it commits, a redelivery is a duplicate', async () => {
    const { fake, suppression } = setup();
    const store = createMemoryStore();
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    const slow: SuppressionList = {
      ...suppression,
      async add(channel, address, entry) {
        await blocked;
        return suppression.add(channel, address, entry);
      },
    };
    const worker1 = createDeliveryTracker({ store, suppression: slow });
    const worker2 = createDeliveryTracker({ store, suppression });
    const { providerMessageId: id } = await fake.send(email, { idempotencyKey: 'k' });
    const complaint = fake.emit(id, 'complained', { eventId: 'evt-c' });
    const first = worker1.record([complaint]);
    await new Promise((r) => setTimeout(r, 10));
    await expect(worker2.record([complaint])).rejects.toMatchObject({ code: 'idempotency_in_progress', retryable: true });
    unblock();
    expect((await first)[0]?.outcome).toBe('applied');
    expect((await worker2.record([complaint]))[0]?.outcome).toBe('duplicate');
    expect(await suppression.get('email', 'ada@example.com')).toMatchObject({ reason: 'complaint' });
  });

  it('an event that did not come from a verifier changes nothing', async () => {
    const { tracker, fake, suppression } = setup();
    const { providerMessageId } = await fake.send(email, { idempotencyKey: 'k' });
    const forged: DeliveryEvent = { ...fake.emit(providerMessageId, 'delivered'), status: 'complained' };
    await expect(tracker.record([forged])).rejects.toMatchObject({ code: 'signature_invalid' });
    const handMade = JSON.parse(JSON.stringify(fake.emit(providerMessageId, 'bounced'))) as DeliveryEvent;
    await expect(tracker.record([fake.emit(providerMessageId, 'delivered'), handMade])).rejects.toMatchObject({
      code: 'signature_invalid',
    });
    expect(await tracker.get('fake', providerMessageId)).toBeUndefined();
    expect(await suppression.get('email', 'ada@example.com')).toBeUndefined();
  });

  it('suppression keys long push endpoints by digest and normalizes email case', async () => {
    const s = createSuppressionList();
    const endpoint = `https://push.example.com/${'x'.repeat(600)}`;
    await s.add('push', endpoint, { reason: 'subscription_gone' });
    expect((await s.get('push', endpoint))?.reason).toBe('subscription_gone');
    await s.add('email', ' Ada@Example.COM ', { reason: 'manual' });
    expect(await s.get('email', 'ada@example.com')).toBeDefined();
    expect(await s.remove('email', 'ADA@example.com')).toBe(true);
    await expect(s.add('fax' as never, 'x', { reason: 'manual' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
