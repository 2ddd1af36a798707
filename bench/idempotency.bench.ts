/**
 * Overhead of `idempotent()` per call against the bare call (the anchor), for the memory, Redis and
 * PostgreSQL stores, with 1 caller and with 16 concurrent callers. Every call uses a fresh key, so
 * it pays the full first-run path (take the lock, run, record the result); the replay path (a key
 * already completed) is measured too. Targets: memory < 20 µs, Redis < 1 ms median on loopback,
 * PostgreSQL < 3 ms median. Redis and PostgreSQL rows are skipped (with the reason) when absent.
 */
import { performance } from 'node:perf_hooks';
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
  const sixteen = await concurrent(`${label}, 16 concurrent callers, new key`, 16, () =>
    idempotent({ store, key: fresh(), ttlSeconds }, run),
  );
  return [one, replay, sixteen];
}

/**
 * `callers` closed loops calling `fn` back to back for `durationMs`: the median is the latency one
 * caller sees while the others keep the store busy; ops/s is the total throughput.
 */
async function concurrent(name: string, callers: number, fn: () => Promise<unknown>, durationMs = 1000): Promise<Measurement> {
  const warmUntil = performance.now() + 200;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < warmUntil) await fn();
    }),
  );
  const samples: number[] = [];
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await fn();
        samples.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - start;
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] as number;
  return { name, opsPerSecond: (samples.length / elapsed) * 1000, medianMicros: median * 1000 };
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

report(
  'idempotent() overhead (targets: memory < 20 µs, Redis < 1 ms, PostgreSQL < 3 ms median per call); 16-caller rows: median latency per call, total ops/s',
  anchor,
  results,
);
// Against the targets: the median overhead a caller sees, and the store work per call (1 / ops/s),
// which is what 16 callers sharing one process and one connection pool each cost.
console.log('\n| case | median overhead per call, µs (median − anchor) | cost per call, µs (1 / ops/s) |\n| --- | ---: | ---: |');
for (const r of results) {
  console.log(`| ${r.name} | ${(r.medianMicros - anchor.medianMicros).toFixed(1)} | ${(1e6 / r.opsPerSecond).toFixed(1)} |`);
}

if (!redisDown) {
  const keys = await redisClient.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 1000) await redisClient.del(...keys.slice(i, i + 1000));
  await redisClient.quit();
} else redisClient.disconnect();
await pool.end();
