/**
 * The replay guard across processes: two guards on two separate Redis connections (two app
 * instances), each with switchyard's own Redis store, race for the same ids; exactly one claim per
 * id may win. The guard relies on nothing but the store's atomic `setIfAbsent`.
 */
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/stores/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { createReplayGuard } from '../../src/webhooks/index.js';
import { peerSkipReason, REDIS_URL } from '../support/peers.js';

const prefix = `switchyard-test:${process.pid}:${Date.now()}:`;

const redisStore = (client: Redis): Store => createRedisStore({ client, keyPrefix: prefix });

const skip = peerSkipReason('redis');
let clients: Redis[] = [];

beforeAll(async () => {
  if (skip) return;
  clients = [0, 1].map(() => new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null }));
  await Promise.all(clients.map((c) => c.connect()));
});

afterAll(async () => {
  if (!skip) {
    const keys = await clients[0]?.keys(`${prefix}*`);
    if (keys?.length) await clients[0]?.del(...keys);
  }
  for (const c of clients) c.disconnect();
});

describe.skipIf(Boolean(skip))('createReplayGuard on Redis, two instances', () => {
  it('of 40 concurrent deliveries per id spread over two instances, exactly one passes', async () => {
    const guards = clients.map((c) => createReplayGuard({ store: redisStore(c), ttlSeconds: 600 }));
    for (const id of ['evt_a', 'evt_b', 'evt_c']) {
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => guards[i % 2]?.claim('stripe', id)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.code === 'replayed')).toBe(
        true,
      );
    }
  });

  it('release on one instance lets the other accept the retry', async () => {
    const [a, b] = clients.map((c) => createReplayGuard({ store: redisStore(c), ttlSeconds: 600 }));
    await a?.claim('sns', 'm-1');
    await expect(b?.claim('sns', 'm-1')).rejects.toMatchObject({ code: 'replayed' });
    await a?.release('sns', 'm-1');
    await expect(b?.claim('sns', 'm-1')).resolves.toBeUndefined();
  });
});
