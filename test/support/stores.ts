/** Store factories for tests that need many independent connections to the same real peer. */
import { createMemoryStore, type Store } from '../../src/stores/index.js';
import { createPostgresStore } from '../../src/stores/postgres/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { POSTGRES_URL, REDIS_URL } from './peers.js';

export type StoreKind = 'memory' | 'redis' | 'postgres';

/**
 * A store with its own connection (a fresh ioredis client, or a pg pool of one connection), so N
 * stores are N clients the server sees separately. `namespace` is the Redis key prefix or the
 * PostgreSQL table name.
 */
export function connectStore(kind: Exclude<StoreKind, 'memory'>, namespace: string): Store {
  return kind === 'redis'
    ? createRedisStore({ url: REDIS_URL, keyPrefix: `${namespace}:` })
    : createPostgresStore({ connectionString: POSTGRES_URL, tableName: namespace, maxConnections: 1 });
}

export function memoryStore(): Store {
  return createMemoryStore();
}
