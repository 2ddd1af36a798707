/**
 * `switchyard/stores/redis`: a durable, shared `Store` on Redis through ioredis.
 *
 * Every write is one Lua script, so "check, then write" is atomic on the server. Each entry is a
 * hash `{ v: json, ver: version, e: expiresAt }` with a Redis expiry when written with a TTL, so
 * Redis itself drops expired entries. Versions come from one `INCR` counter per key prefix, so a
 * version is never reused, even after a delete.
 *
 * @packageDocumentation
 */
import { IntegrationError } from '../../core/errors.js';
import {
  assertKey,
  assertKeyList,
  assertTtl,
  assertVersion,
  checkBatch,
  encodeValue,
  type Store,
  type StoreEntry,
  type StoreWriteOptions,
} from '../store.js';
import { SCRIPTS, type ScriptName } from './scripts.js';

/**
 * The few ioredis methods the store uses. Declared here (not imported from ioredis) so that a host
 * passing its own client does not need ioredis' types, and a compatible client can be passed.
 */
export interface RedisClientLike {
  /** Run a loaded Lua script by its SHA-1. */
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** Load a Lua script; resolves to its SHA-1. */
  script(subcommand: 'LOAD', script: string): Promise<unknown>;
  /** Read fields of a hash. */
  hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
  /** Delete keys; resolves to how many existed. */
  del(...keys: string[]): Promise<number>;
  /** Close the connection (called by `close()` only when the store created the client). */
  quit(): Promise<unknown>;
}

/** Options of `createRedisStore` whichever way it connects. */
export interface RedisStoreCommonOptions {
  /**
   * Prepended to every key, and names the version counter (`<prefix>__version`). Default
   * `switchyard:`. Give each application (or each test run) its own prefix to share one database.
   */
  keyPrefix?: string;
}

/** Options of `createRedisStore`: your ioredis `client`, or a `url` for a client the store owns. */
export type RedisStoreOptions =
  /** An ioredis client you built (and will close yourself: `close()` leaves it open). */
  | (RedisStoreCommonOptions & { client: RedisClientLike; url?: never })
  /** A `redis://` or `rediss://` URL; the store creates the client and `close()` quits it. */
  | (RedisStoreCommonOptions & { url: string; client?: never });

/** A `Store` on Redis. */
export interface RedisStore extends Store {
  /** The key prefix in use. */
  readonly keyPrefix: string;
}

const DEFAULT_PREFIX = 'switchyard:';

/**
 * A durable `Store` shared by many processes, on Redis through ioredis (a `url` or your client).
 *
 * @example
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379' });
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const config = validate(options);
  const prefix = config.keyPrefix;
  const counterKey = `${prefix}__version`;
  const ownsClient = config.client === undefined;
  let clientPromise: Promise<RedisClientLike> | undefined;
  const shas = new Map<ScriptName, string>();

  const client = (): Promise<RedisClientLike> => {
    clientPromise ??= config.client ? Promise.resolve(config.client) : connect(config.url as string);
    return clientPromise;
  };

  // EVALSHA, loading the script on first use and again if the server lost it (a restart or a
  // SCRIPT FLUSH answers NOSCRIPT).
  const run = async (name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> => {
    const c = await client();
    for (let attempt = 0; ; attempt++) {
      let sha = shas.get(name);
      try {
        if (!sha) {
          sha = String(await c.script('LOAD', SCRIPTS[name]));
          shas.set(name, sha);
        }
        return await c.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (attempt === 0 && String((error as Error)?.message).includes('NOSCRIPT')) {
          shas.delete(name);
          continue;
        }
        throw toStoreError(error);
      }
    }
  };

  const ttlArg = (opts: StoreWriteOptions | undefined): string => {
    const ttl = assertTtl(opts);
    // Redis expiries are whole milliseconds; round up so an entry never dies before its TTL.
    return ttl === undefined ? '' : String(Math.max(1, Math.ceil(ttl * 1000)));
  };

  return {
    keyPrefix: prefix,
    async get<T>(key: string): Promise<StoreEntry<T> | undefined> {
      assertKey(key);
      const c = await client();
      let fields: (string | null)[];
      try {
        fields = await c.hmget(prefix + key, 'v', 'ver', 'e');
      } catch (error) {
        throw toStoreError(error);
      }
      const [json, ver, e] = fields;
      if (json == null || ver == null) return undefined;
      const entry: StoreEntry<T> = { value: JSON.parse(json) as T, version: Number(ver) };
      if (e) entry.expiresAt = Number(e);
      return entry;
    },
    async getMany<T>(keys: readonly string[]): Promise<(StoreEntry<T> | undefined)[]> {
      assertKeyList(keys);
      if (keys.length === 0) return [];
      const rows = (await run(
        'getMany',
        keys.map((key) => prefix + key),
        [],
      )) as (string | null)[][];
      return rows.map(([json, ver, e]) => {
        if (json == null || ver == null) return undefined;
        const entry: StoreEntry<T> = { value: JSON.parse(json) as T, version: Number(ver) };
        if (e) entry.expiresAt = Number(e);
        return entry;
      });
    },
    async set(key, value, opts) {
      assertKey(key);
      const json = encodeValue(value);
      const ttl = ttlArg(opts);
      return Number(await run('set', [prefix + key, counterKey], [json, ttl]));
    },
    async setMany(entries, opts) {
      const json = checkBatch(entries, opts);
      const ttl = ttlArg(opts);
      if (entries.length === 0) return [];
      const versions = (await run('setMany', [...entries.map((e) => prefix + e.key), counterKey], [...json, ttl])) as unknown[];
      return versions.map(Number);
    },
    async setIfAbsent(key, value, opts) {
      assertKey(key);
      const json = encodeValue(value);
      const ttl = ttlArg(opts);
      return Number(await run('setIfAbsent', [prefix + key, counterKey], [json, ttl])) > 0;
    },
    async compareAndSet(key, expectedVersion, value, opts) {
      assertKey(key);
      assertVersion(expectedVersion);
      const json = encodeValue(value);
      const ttl = ttlArg(opts);
      const result = Number(await run('compareAndSet', [prefix + key, counterKey], [json, ttl, expectedVersion ?? '']));
      return result > 0 ? result : false;
    },
    async compareAndDelete(key, expectedVersion) {
      assertKey(key);
      assertVersion(expectedVersion);
      if (expectedVersion === null) return false;
      return Number(await run('compareAndDelete', [prefix + key], [String(expectedVersion)])) > 0;
    },
    async delete(key) {
      assertKey(key);
      const c = await client();
      try {
        return (await c.del(prefix + key)) > 0;
      } catch (error) {
        throw toStoreError(error);
      }
    },
    async close() {
      if (!ownsClient || !clientPromise) return;
      const c = await clientPromise.catch(() => undefined);
      clientPromise = undefined;
      await c?.quit().catch(() => undefined);
    },
  };
}

interface ValidConfig {
  keyPrefix: string;
  client?: RedisClientLike;
  url?: string;
}

function validate(options: RedisStoreOptions): ValidConfig {
  if (typeof options !== 'object' || options === null) {
    throw new IntegrationError('invalid_config', 'createRedisStore needs { client } or { url }', { details: { field: 'options' } });
  }
  const { client, url, keyPrefix = DEFAULT_PREFIX } = options as { client?: unknown; url?: unknown; keyPrefix?: unknown };
  if (typeof keyPrefix !== 'string') {
    throw new IntegrationError('invalid_config', 'keyPrefix must be a string', { details: { field: 'keyPrefix' } });
  }
  if ((client === undefined) === (url === undefined)) {
    throw new IntegrationError('invalid_config', 'createRedisStore needs exactly one of { client } or { url }', {
      details: { field: client === undefined ? 'url' : 'client' },
    });
  }
  if (client !== undefined) {
    const c = client as Partial<RedisClientLike>;
    if (typeof c.evalsha !== 'function' || typeof c.hmget !== 'function' || typeof c.script !== 'function') {
      throw new IntegrationError('invalid_config', 'client must be an ioredis client (evalsha, script, hmget, del, quit)', {
        details: { field: 'client' },
      });
    }
    return { keyPrefix, client: client as RedisClientLike };
  }
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
    // Never echo the URL: it may carry a password.
    throw new IntegrationError('invalid_config', 'url must be a redis:// or rediss:// URL', { details: { field: 'url' } });
  }
  return { keyPrefix, url };
}

async function connect(url: string): Promise<RedisClientLike> {
  let mod: { Redis?: new (url: string, options: object) => RedisClientLike; default?: unknown };
  try {
    mod = (await import('ioredis')) as unknown as typeof mod;
  } catch (cause) {
    throw new IntegrationError('invalid_config', 'createRedisStore({ url }) needs the optional peer "ioredis": npm install ioredis', {
      cause,
      details: { field: 'url' },
    });
  }
  const Redis = (mod.Redis ?? mod.default) as new (url: string, options: object) => RedisClientLike;
  // Fail a command quickly when Redis is down instead of queueing it forever.
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000 });
  // ioredis also emits connection errors as events and logs them when nobody listens; commands
  // already reject with them (mapped to 'unavailable'), so the events are not news.
  (client as unknown as { on?: (event: string, listener: () => void) => void }).on?.('error', () => {});
  return client;
}

function toStoreError(error: unknown): IntegrationError {
  if (error instanceof IntegrationError) return error;
  return new IntegrationError('unavailable', 'Redis store command failed', { provider: 'redis', cause: error });
}
