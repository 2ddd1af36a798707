/**
 * GDPR export and erasure across the stores a host configured (OAuth grants, notification
 * preferences, suppression links), end to end on the memory store and on real Redis and PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPrivacyRegistry, IntegrationError, isIntegrationError, type PersonalDataSource } from '../../src/index.js';
import {
  createPreferences,
  createSuppressionList,
  createUnsubscribeHandler,
  createUnsubscribeTokens,
  unsubscribeUrl,
} from '../../src/notify/index.js';
import { createEncryptedTokenStore } from '../../src/oauth/index.js';
import { createMemoryStore, type Store } from '../../src/stores/index.js';
import { useWebCryptoOnly } from '../../src/webhooks/crypto.js';
import { POSTGRES_URL, peerSkipReason, REDIS_URL, uniqueName } from '../support/peers.js';
import { connectStore } from '../support/stores.js';

const HASH_KEY = 'suppression-hash-key-for-tests-0123456789';
const TOKEN_KEY = new Uint8Array(32).fill(7);
const ADA = 'Ada.Lovelace@Example.com';
const NOW = Date.parse('2026-11-25T12:00:00Z');

function setUp(store: Store) {
  const tokens = createEncryptedTokenStore({ store, keys: { k1: TOKEN_KEY }, currentKeyId: 'k1' });
  const preferences = createPreferences({ store });
  const suppression = createSuppressionList({ store, hashKey: HASH_KEY, now: () => NOW });
  const privacy = createPrivacyRegistry({
    sources: { oauth: tokens, 'notify.preferences': preferences, 'notify.suppression': suppression },
    now: () => NOW,
  });
  return { tokens, preferences, suppression, privacy };
}

async function exerciseEndToEnd(store: Store) {
  const { tokens, preferences, suppression, privacy } = setUp(store);
  const grant = {
    accessToken: 'ya29.ACCESS-ada',
    refreshToken: '1//REFRESH-ada',
    scopes: ['calendar.readonly'],
    tokenType: 'Bearer',
    obtainedAt: NOW,
    expiresAt: NOW + 3_600_000,
  };
  await tokens.save('ada', 'google', grant, null);
  await tokens.save('ada', 'microsoft', { ...grant, refreshToken: undefined }, null);
  await tokens.save('bob', 'google', { ...grant, accessToken: 'ya29.ACCESS-bob' }, null);
  await preferences.set('ada', { sms: false });
  await preferences.set('bob', { push: false });
  await suppression.add('email', ADA, { reason: 'unsubscribed', personId: 'ada' });
  await suppression.add('sms', '+14155550100', { reason: 'sms_stop', provider: 'twilio', personId: 'ada' });
  await suppression.add('email', 'bob@example.com', { reason: 'complaint', personId: 'bob' });

  const exported = await privacy.exportPerson('ada');
  expect(exported).toEqual({
    personId: 'ada',
    exportedAt: '2026-11-25T12:00:00.000Z',
    sources: {
      oauth: [
        {
          connection: 'google',
          scopes: ['calendar.readonly'],
          obtainedAt: '2026-11-25T12:00:00.000Z',
          expiresAt: '2026-11-25T13:00:00.000Z',
          hasRefreshToken: true,
        },
        {
          connection: 'microsoft',
          scopes: ['calendar.readonly'],
          obtainedAt: '2026-11-25T12:00:00.000Z',
          expiresAt: '2026-11-25T13:00:00.000Z',
          hasRefreshToken: false,
        },
      ],
      'notify.preferences': { sms: false },
      'notify.suppression': [
        { channel: 'email', reason: 'unsubscribed', since: '2026-11-25T12:00:00.000Z' },
        { channel: 'sms', reason: 'sms_stop', since: '2026-11-25T12:00:00.000Z', provider: 'twilio' },
      ],
    },
  });
  // An export is for the person to read: it must not hand out credentials.
  expect(JSON.stringify(exported)).not.toMatch(/ACCESS|REFRESH/);

  expect(await privacy.erasePerson('ada')).toEqual({
    personId: 'ada',
    erased: { oauth: 2, 'notify.preferences': 1, 'notify.suppression': 2 },
  });
  const after = await privacy.exportPerson('ada');
  expect(after.sources).toEqual({ oauth: [], 'notify.preferences': {}, 'notify.suppression': [] });
  expect(await tokens.get('ada', 'google')).toBeUndefined();
  // Erasure must not re-enable sending to someone who opted out: the keyed hash stays.
  await expect(suppression.assertAllowed('email', 'ada.lovelace@example.com')).rejects.toMatchObject({ code: 'permission' });
  expect(await suppression.get('sms', '+14155550100')).toMatchObject({ reason: 'sms_stop' });
  // Erasing twice is fine and erases nothing more.
  expect(await privacy.erasePerson('ada')).toEqual({
    personId: 'ada',
    erased: { oauth: 0, 'notify.preferences': 0, 'notify.suppression': 0 },
  });
  // Bob is untouched.
  expect((await privacy.exportPerson('bob')).sources).toMatchObject({
    oauth: [expect.objectContaining({ connection: 'google' })],
    'notify.preferences': { push: false },
    'notify.suppression': [expect.objectContaining({ reason: 'complaint' })],
  });
  expect((await tokens.get('bob', 'google'))?.tokens.accessToken).toBe('ya29.ACCESS-bob');
}

/** A Store wrapper that records every key and value written, to prove what reaches the database. */
function recording(store: Store) {
  const written: string[] = [];
  const note = (k: string, v: unknown) => {
    written.push(k, JSON.stringify(v));
  };
  const wrapped: Store = {
    get: (k) => store.get(k),
    set: (k, v, o) => {
      note(k, v);
      return store.set(k, v, o);
    },
    setIfAbsent: (k, v, o) => {
      note(k, v);
      return store.setIfAbsent(k, v, o);
    },
    compareAndSet: (k, e, v, o) => {
      note(k, v);
      return store.compareAndSet(k, e, v, o);
    },
    delete: (k) => store.delete(k),
    compareAndDelete: (k, e) => store.compareAndDelete(k, e),
  };
  return { store: wrapped, written };
}

describe('privacy registry on the memory store', () => {
  it('exports and erases a person across tokens, preferences and suppression links', async () => {
    await exerciseEndToEnd(createMemoryStore());
  });

  it('never writes an address or a token value to the store', async () => {
    const { store, written } = recording(createMemoryStore());
    const { tokens, suppression } = setUp(store);
    await tokens.save(
      'ada',
      'google',
      { accessToken: 'ya29.SECRET', refreshToken: '1//SECRET', scopes: [], tokenType: 'Bearer', obtainedAt: NOW },
      null,
    );
    await suppression.add('email', ADA, { reason: 'hard_bounce', personId: 'ada' });
    await suppression.add('sms', '+14155550100', { reason: 'sms_stop' });
    await suppression.add('push', `https://push.example.com/${'x'.repeat(300)}`, { reason: 'subscription_gone' });
    const all = written.join('\n');
    expect(all).not.toMatch(/lovelace|4155550100|push\.example|SECRET/i);
    expect(all).toMatch(/notify:suppressed:email:h:[0-9a-f]{64}/);
  });

  it('the digest depends on the key: another hashKey does not see the entry, the same key in another process does', async () => {
    const store = createMemoryStore();
    await createSuppressionList({ store, hashKey: HASH_KEY }).add('email', ADA, { reason: 'complaint' });
    expect(await createSuppressionList({ store, hashKey: HASH_KEY }).get('email', 'ada.lovelace@example.com ')).toMatchObject({
      reason: 'complaint',
    });
    expect(await createSuppressionList({ store, hashKey: `${HASH_KEY}-other` }).get('email', ADA)).toBeUndefined();
    // The channel is part of the MAC: the same string on another channel is not suppressed.
    expect(await createSuppressionList({ store, hashKey: HASH_KEY }).get('sms', 'ada.lovelace@example.com')).toBeUndefined();
  });

  it('node:crypto and Web Crypto (edge runtimes) give the same digest, so both see the same entries', async () => {
    const store = createMemoryStore();
    await createSuppressionList({ store, hashKey: HASH_KEY }).add('push', 'fcm-token-1', { reason: 'subscription_gone' });
    useWebCryptoOnly(true);
    try {
      const edge = createSuppressionList({ store, hashKey: HASH_KEY });
      expect(await edge.get('push', 'fcm-token-1')).toMatchObject({ reason: 'subscription_gone' });
      await edge.add('sms', '+14155550123', { reason: 'sms_stop' });
    } finally {
      useWebCryptoOnly(false);
    }
    expect(await createSuppressionList({ store, hashKey: HASH_KEY }).get('sms', '+14155550123')).toMatchObject({ reason: 'sms_stop' });
  });

  it('a one-click unsubscribe links the suppression to the person; erasing them keeps them unsubscribed', async () => {
    const { preferences, suppression, privacy } = setUp(createMemoryStore());
    const tokens = createUnsubscribeTokens({ keys: [{ id: 'k1', secret: 'an-unsubscribe-secret-of-32-bytes-min' }] });
    const handler = createUnsubscribeHandler({ tokens, suppression, preferences });
    const url = unsubscribeUrl(
      'https://studio.example/unsubscribe',
      await tokens.create({ channel: 'email', address: ADA, personId: 'ada' }),
    );
    expect((await handler(new Request(url, { method: 'POST' }))).status).toBe(200);
    expect((await privacy.exportPerson('ada')).sources).toMatchObject({
      'notify.preferences': { email: false },
      'notify.suppression': [{ channel: 'email', reason: 'unsubscribed' }],
    });
    await privacy.erasePerson('ada');
    expect(await preferences.allows('ada', 'email')).toBe(true);
    await expect(suppression.assertAllowed('email', ADA)).rejects.toMatchObject({ code: 'permission' });
  });

  it('migrates plain-address entries written before the keyed hash, when asked to', async () => {
    const store = createMemoryStore();
    await store.set('notify:suppressed:email:ada@example.com', {
      channel: 'email',
      reason: 'complaint',
      since: '2025-01-01T00:00:00.000Z',
    });
    expect(await createSuppressionList({ store, hashKey: HASH_KEY }).get('email', 'ada@example.com')).toBeUndefined();
    const migrating = createSuppressionList({ store, hashKey: HASH_KEY, migrateLegacyEntries: true });
    await expect(migrating.assertAllowed('email', 'ADA@example.com')).rejects.toMatchObject({ code: 'permission' });
    expect(await store.get('notify:suppressed:email:ada@example.com')).toBeUndefined();
    // Moved: a list without migration now finds it under the hashed key.
    expect(await createSuppressionList({ store, hashKey: HASH_KEY }).get('email', 'ada@example.com')).toMatchObject({
      reason: 'complaint',
    });
  });

  it('rejects bad configuration and bad ids with clear errors', () => {
    const store = createMemoryStore();
    const config = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return isIntegrationError(error) ? [error.code, error.details?.field] : error;
      }
      return 'no error';
    };
    // @ts-expect-error a shared store without a hashKey is a type error too
    expect(config(() => createSuppressionList({ store }))).toEqual(['invalid_config', 'hashKey']);
    expect(config(() => createSuppressionList({ store, hashKey: 'short' }))).toEqual(['invalid_config', 'hashKey']);
    expect(config(() => createSuppressionList({ store, hashKey: new Uint8Array(31) }))).toEqual(['invalid_config', 'hashKey']);
    const registry = createPrivacyRegistry();
    expect(config(() => registry.register('bad name', { exportPerson: async () => 1, erasePerson: async () => 1 }))).toEqual([
      'invalid_config',
      'name',
    ]);
    expect(config(() => registry.register('x', {} as PersonalDataSource))).toEqual(['invalid_config', 'x']);
    registry.register('x', { exportPerson: async () => 1, erasePerson: async () => 1 });
    expect(config(() => registry.register('x', { exportPerson: async () => 1, erasePerson: async () => 1 }))).toEqual([
      'invalid_config',
      'x',
    ]);
    expect(registry.sources()).toEqual(['x']);
  });

  it('rejects a bad person id before touching any store', async () => {
    const { privacy, suppression } = setUp(createMemoryStore());
    for (const id of ['', 'x'.repeat(201), 42 as unknown as string]) {
      await expect(privacy.erasePerson(id)).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'personId' } });
      await expect(privacy.exportPerson(id)).rejects.toMatchObject({ code: 'invalid_input' });
    }
    await expect(suppression.add('email', ADA, { reason: 'manual', personId: '' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('an id a source refuses (the token store allows no spaces) is invalid_input, not a retryable failure', async () => {
    const { privacy } = setUp(createMemoryStore());
    await expect(privacy.erasePerson('ada lovelace')).rejects.toMatchObject({
      code: 'invalid_input',
      retryable: false,
      details: { field: 'personId', failedSources: ['oauth'], completedSources: ['notify.preferences', 'notify.suppression'] },
    });
  });

  it('a failing source does not stop the others; the error names sources only, never the person', async () => {
    const erased: string[] = [];
    const privacy = createPrivacyRegistry({
      sources: {
        first: {
          exportPerson: async () => [],
          erasePerson: async (id) => {
            erased.push(`first:${id}`);
            return 1;
          },
        },
        broken: {
          exportPerson: async () => [],
          erasePerson: async (id) => {
            throw new IntegrationError('unavailable', `db down while erasing ${id}`);
          },
        },
        last: {
          exportPerson: async () => [],
          erasePerson: async (id) => {
            erased.push(`last:${id}`);
            return 1;
          },
        },
      },
    });
    const error = await privacy.erasePerson('person-secret-id').catch((e: unknown) => e);
    expect(erased).toEqual(['first:person-secret-id', 'last:person-secret-id']);
    expect(error).toMatchObject({
      code: 'unavailable',
      retryable: true,
      details: { failedSources: ['broken'], completedSources: ['first', 'last'] },
    });
    expect(String((error as Error).message)).not.toContain('person-secret-id');
    expect(JSON.stringify((error as IntegrationError).toJSON())).not.toContain('person-secret-id');
  });

  it('concurrent suppressions of one person all land in the person index', async () => {
    const suppression = createSuppressionList({ store: createMemoryStore(), hashKey: HASH_KEY });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => suppression.add('email', `ada+${i}@example.com`, { reason: 'manual', personId: 'ada' })),
    );
    expect(await suppression.exportPerson('ada')).toHaveLength(10);
    expect(await suppression.erasePerson('ada')).toBe(10);
  });
});

describe.each(['redis', 'postgres'] as const)('privacy registry on %s', (kind) => {
  const skip = peerSkipReason(kind);
  const stores: Store[] = [];
  const tables: string[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close?.();
    if (tables.length === 0) return;
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    for (const t of tables) await admin.query(`DROP TABLE IF EXISTS ${t}; DROP SEQUENCE IF EXISTS ${t}_version_seq`);
    await admin.end();
  });
  it.skipIf(skip !== false)('exports and erases a person end to end; a second process sees the same result', async () => {
    const ns = uniqueName('privacy');
    const store = connectStore(kind, ns);
    stores.push(store);
    if (kind === 'postgres') {
      await (store as Store & { migrate(): Promise<void> }).migrate();
      tables.push(ns);
    }
    await exerciseEndToEnd(store);
    const other = connectStore(kind, ns);
    stores.push(other);
    const { privacy, suppression } = setUp(other);
    expect((await privacy.exportPerson('ada')).sources).toEqual({ oauth: [], 'notify.preferences': {}, 'notify.suppression': [] });
    expect(await suppression.get('email', ADA)).toMatchObject({ reason: 'unsubscribed' });
    // What is at rest in the real database: no address, no token, whatever was erased or kept.
    const rows: string[] = [];
    if (kind === 'postgres') {
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      const result = await admin.query(`SELECT key, value FROM ${ns}`);
      await admin.end();
      for (const row of result.rows as { key: string; value: string }[]) rows.push(row.key, row.value);
    } else {
      const { Redis } = await import('ioredis');
      const redis = new Redis(REDIS_URL);
      for (const key of await redis.keys(`${ns}:*`)) {
        const value = (await redis.type(key)) === 'hash' ? JSON.stringify(await redis.hgetall(key)) : String(await redis.get(key));
        rows.push(key, value);
      }
      redis.disconnect();
    }
    expect(rows.length).toBeGreaterThan(4);
    expect(rows.join('\n')).not.toMatch(/lovelace|bob@example|4155550100|ACCESS|REFRESH/i);
  });
});
