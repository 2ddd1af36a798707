import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { createRedisStore, type RedisStoreOptions } from '../../src/stores/redis/index.js';
import { describeStoreConformance } from '../conformance/store.js';
import { REDIS_URL, peerSkipReason, uniqueName } from '../support/peers.js';

const skip = peerSkipReason('redis');
const keyPrefix = `${uniqueName('test')}:`;

// Half the conformance runs use a store that builds its own client from a URL, half a client we pass.
describeStoreConformance('redis ({ url })', () => createRedisStore({ url: REDIS_URL, keyPrefix }), { skip, nativeBatch: true });

const shared: Redis[] = [];
describeStoreConformance(
  'redis ({ client })',
  () => {
    const client = new Redis(REDIS_URL);
    shared.push(client);
    return createRedisStore({ client, keyPrefix: `${keyPrefix}c:` });
  },
  { skip, nativeBatch: true },
);

describe.skipIf(Boolean(skip))('createRedisStore', () => {
  afterAll(async () => {
    await Promise.all(shared.map((c) => c.quit()));
    const cleanup = new Redis(REDIS_URL);
    const keys = await cleanup.keys(`${keyPrefix}*`);
    if (keys.length) await cleanup.del(...keys);
    await cleanup.quit();
  });

  it('leaves a client it was given open on close()', async () => {
    const client = new Redis(REDIS_URL);
    const store = createRedisStore({ client, keyPrefix });
    await store.set('open', 1);
    await store.close?.();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });

  it('reloads its scripts after SCRIPT FLUSH (a restarted Redis answers NOSCRIPT)', async () => {
    const client = new Redis(REDIS_URL);
    const store = createRedisStore({ client, keyPrefix });
    await store.set('flush', 1);
    await client.script('FLUSH');
    expect(await store.compareAndSet('flush', null, 2)).toBe(false);
    expect(await store.set('flush', 3)).toBeGreaterThan(0);
    await client.quit();
  });

  it('stores expiresAt from the Redis clock and a Redis expiry on the key', async () => {
    const client = new Redis(REDIS_URL);
    const store = createRedisStore({ client, keyPrefix });
    const before = Date.now();
    await store.set('ttl', 'x', { ttlSeconds: 30 });
    const entry = await store.get('ttl');
    expect(entry?.expiresAt).toBeGreaterThanOrEqual(before + 29_000);
    expect(entry?.expiresAt).toBeLessThanOrEqual(Date.now() + 31_000);
    const pttl = await client.pttl(`${keyPrefix}ttl`);
    expect(pttl).toBeGreaterThan(29_000);
    await client.quit();
  });

  it('maps a dead server to a retryable unavailable error without leaking the URL', async () => {
    const store = createRedisStore({ url: 'redis://:hunter2secret@127.0.0.1:1', keyPrefix });
    const error = await store.get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).code).toBe('unavailable');
    expect((error as IntegrationError).retryable).toBe(true);
    expect(JSON.stringify(error)).not.toContain('hunter2');
    await store.close?.();
  });
});

describe('createRedisStore options', () => {
  it.each<[string, unknown]>([
    ['nothing', undefined],
    ['both client and url', { client: {}, url: 'redis://x' }],
    ['neither', { keyPrefix: 'x' }],
    ['a non-redis URL', { url: 'http://example.com' }],
    ['a client that is not ioredis', { client: { get: () => 1 } }],
    ['a non-string prefix', { url: 'redis://x', keyPrefix: 5 }],
  ])('rejects %s with invalid_config', (_, options) => {
    let error: unknown;
    try {
      createRedisStore(options as RedisStoreOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).code).toBe('invalid_config');
    expect((error as IntegrationError).message).not.toContain('example.com');
  });
});
