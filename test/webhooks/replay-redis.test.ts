/**
 * The replay guard across processes: two guards on two separate Redis connections (two app
 * instances) race for the same ids; exactly one claim per id may win. The store here is a minimal
 * test adapter (`SET NX EX` / `DEL`), not switchyard's Redis store (that ships with `switchyard/stores/redis`
 * and passes the store conformance suite); it is enough to show the guard relies on nothing but
 * the store's atomic `setIfAbsent`.
 */
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import type { Store } from '../../src/stores/index.js';
import { createReplayGuard } from '../../src/webhooks/index.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `switchyard-test:${process.pid}:${Date.now()}:`;

function redisStore(client: Redis): Store {
  const unsupported = async (): Promise<never> => {
    throw new IntegrationError('unsupported', 'not needed by the replay guard');
  };
  return {
    get: unsupported,
    set: unsupported,
    compareAndSet: unsupported,
    compareAndDelete: unsupported,
    async setIfAbsent(key, value, options) {
      const ttl = Math.ceil(options?.ttlSeconds ?? 60);
      return (await client.set(prefix + key, JSON.stringify(value), 'EX', ttl, 'NX')) === 'OK';
    },
    async delete(key) {
      return (await client.del(prefix + key)) > 0;
    },
  };
}

let clients: Redis[] = [];
let skip: string | false = false;

beforeAll(async () => {
  clients = [0, 1].map(() => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null }));
  try {
    await Promise.all(clients.map((c) => c.connect()));
  } catch (error) {
    skip = `Redis is not reachable at ${url} (${(error as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`CI=true but ${skip}`);
    console.warn(`skipping the Redis replay test: ${skip}`);
  }
});

afterAll(async () => {
  if (!skip) {
    const keys = await clients[0]?.keys(`${prefix}*`);
    if (keys?.length) await clients[0]?.del(...keys);
  }
  for (const c of clients) c.disconnect();
});

describe('createReplayGuard on Redis, two instances', () => {
  it('of 40 concurrent deliveries per id spread over two instances, exactly one passes', async (ctx) => {
    if (skip) return ctx.skip();
    const guards = clients.map((c) => createReplayGuard({ store: redisStore(c), ttlSeconds: 600 }));
    for (const id of ['evt_a', 'evt_b', 'evt_c']) {
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => guards[i % 2]?.claim('stripe', id)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.code === 'replayed')).toBe(
        true,
      );
    }
  });

  it('release on one instance lets the other accept the retry', async (ctx) => {
    if (skip) return ctx.skip();
    const [a, b] = clients.map((c) => createReplayGuard({ store: redisStore(c), ttlSeconds: 600 }));
    await a?.claim('sns', 'm-1');
    await expect(b?.claim('sns', 'm-1')).rejects.toMatchObject({ code: 'replayed' });
    await a?.release('sns', 'm-1');
    await expect(b?.claim('sns', 'm-1')).resolves.toBeUndefined();
  });
});
