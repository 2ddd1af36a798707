/**
 * Overhead of `idempotent()` per call against the bare call (the anchor), for the memory, Redis and
 * PostgreSQL stores, with 1 caller and with 16 concurrent callers. Every call uses a fresh key, so
 * it pays the full first-run path (take the lock, run, record the result); the replay path (a key
 * already completed) is measured too. Targets: memory < 20 µs, Redis < 1 ms median on loopback,
 * PostgreSQL < 3 ms median. Redis and PostgreSQL rows are skipped (with the reason) when absent.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { idempotent } from '../src/idempotency/index.js';
import { createMemoryStore, type Store } from '../src/stores/index.js';
import { createPostgresStore } from '../src/stores/postgres/index.js';
import { createRedisStore } from '../src/stores/redis/index.js';
import { type Measurement, measure, report } from './harness.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = async () => ({ id: 'ch_1', amount: 4900 });
let n = 0;
const fresh = () => `bench:${process.pid}:${n++}`;
const ttlSeconds = 120;

async function rows(label: string, store: Store, batch: number): Promise<Measurement[]> {
  await idempotent({ store, key: 'bench:replay', ttlSeconds }, run);
  const one = await measure(`${label}, 1 caller, new key`, () => idempotent({ store, key: fresh(), ttlSeconds }, run), { batch });
  const replay = await measure(`${label}, 1 caller, replay`, () => idempotent({ store, key: 'bench:replay', ttlSeconds }, run), { batch });
  // 16 callers at once: the time of one round is what each of the 16 callers waits (latency under
  // concurrency); divide by 16 for the cost per call in throughput terms.
  const sixteen = await measure(
    `${label}, 16 concurrent callers, new keys (per round)`,
    () => Promise.all(Array.from({ length: 16 }, () => idempotent({ store, key: fresh(), ttlSeconds }, run))),
    { batch: Math.max(1, Math.floor(batch / 4)) },
  );
  return [one, replay, sixteen];
}

async function reachable(check: () => Promise<unknown>): Promise<string | false> {
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 2 s')), 2000))]);
    return false;
  } catch (error) {
    return (error as Error).message;
  }
}

const anchor = await measure('bare call', run, { batch: 1000 });
const results: Measurement[] = [...(await rows('memory', createMemoryStore(), 200))];

const redisClient = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
redisClient.on('error', () => {});
const redisDown = await reachable(() => redisClient.connect().then(() => redisClient.ping()));
const prefix = `bench:${process.pid}:`;
if (redisDown) console.log(`\n(skipping Redis rows: ${redisDown})`);
else {
  // The floor on this machine right now: one round trip. `idempotent` needs two for a new key
  // (take the lock, record the result) and two for a replay (lock attempt, read).
  results.push(await measure('redis PING (one round trip, for scale)', () => redisClient.ping(), { batch: 20 }));
  results.push(...(await rows('redis', createRedisStore({ client: redisClient, keyPrefix: prefix }), 20)));
}

const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 16 });
pool.on('error', () => {});
const table = `sy_bench_${process.pid}`;
const pgDown = await reachable(() => pool.query('select 1'));
if (pgDown) console.log(`\n(skipping PostgreSQL rows: ${pgDown})`);
else {
  const store = createPostgresStore({ pool, tableName: table });
  await store.migrate();
  results.push(await measure('postgres SELECT 1 (one round trip, for scale)', () => pool.query('SELECT 1'), { batch: 20 }));
  results.push(...(await rows('postgres', store, 20)));
  await pool.query(`DROP TABLE ${table}; DROP SEQUENCE ${table}_version_seq`);
}

report('idempotent() overhead (targets: memory < 20 µs, Redis < 1 ms, PostgreSQL < 3 ms median per call)', anchor, results);
console.log('\n| case | overhead per call, µs (median − anchor) |\n| --- | ---: |');
for (const r of results) console.log(`| ${r.name} | ${(r.medianMicros - anchor.medianMicros).toFixed(1)} |`);

if (!redisDown) {
  const keys = await redisClient.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 1000) await redisClient.del(...keys.slice(i, i + 1000));
  await redisClient.quit();
} else redisClient.disconnect();
await pool.end();
