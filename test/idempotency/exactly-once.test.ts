/**
 * Exactly once, against real Redis and PostgreSQL: 16 concurrent workers with separate
 * connections (and, in one test, separate processes) call `idempotent` with the same key 1,000
 * times in total. The side effect runs exactly once; every caller gets that one result or
 * `idempotency_in_progress`. Then a holder process is killed mid-run, and the work is retried
 * exactly once, after its lock expires.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotent } from '../../src/idempotency/index.js';
import type { IntegrationError } from '../../src/index.js';
import type { Store } from '../../src/stores/index.js';
import { createPostgresStore } from '../../src/stores/postgres/index.js';
import { POSTGRES_URL, REDIS_URL, peerSkipReason, uniqueName } from '../support/peers.js';
import { connectStore, memoryStore } from '../support/stores.js';

const WORKERS = 16;
const CALLS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Outcome = { ok: true; value: unknown } | { ok: false; code: string };

/** `WORKERS` sequential loops, one per store, `CALLS` calls in total, all on one key. */
async function burst(stores: Store[], key: string, runMs: number) {
  let effects = 0;
  const outcomes: Outcome[] = [];
  await Promise.all(
    stores.map(async (store, w) => {
      const share = Math.floor(CALLS / stores.length) + (w < CALLS % stores.length ? 1 : 0);
      for (let i = 0; i < share; i++) {
        try {
          const value = await idempotent({ store, key, lockSeconds: 10 }, async () => {
            effects++;
            await sleep(runMs);
            // Names who ran it: a second run would show up as a second distinct result.
            return { by: `worker ${w} call ${i}` };
          });
          outcomes.push({ ok: true, value });
        } catch (error) {
          outcomes.push({ ok: false, code: (error as IntegrationError).code ?? String(error) });
        }
      }
    }),
  );
  return { effects, outcomes };
}

function expectExactlyOnce(effects: number, outcomes: Outcome[]) {
  expect(outcomes).toHaveLength(CALLS);
  expect(effects).toBe(1);
  const results = new Set(outcomes.filter((o) => o.ok).map((o) => JSON.stringify((o as { value: unknown }).value)));
  expect(results.size).toBe(1);
  const codes = new Set(outcomes.filter((o) => !o.ok).map((o) => (o as { code: string }).code));
  expect([...codes].every((c) => c === 'idempotency_in_progress')).toBe(true);
}

const redisSkip = peerSkipReason('redis');
const postgresSkip = peerSkipReason('postgres');
const redisPrefix = uniqueName('exactly_once');
const table = uniqueName('sy_exactly_once').toLowerCase();

beforeAll(async () => {
  if (postgresSkip) return;
  const store = createPostgresStore({ connectionString: POSTGRES_URL, tableName: table });
  await store.migrate();
  await store.close?.();
});
afterAll(async () => {
  if (postgresSkip) return;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  await pool.query(`DROP TABLE IF EXISTS ${table}; DROP SEQUENCE IF EXISTS ${table}_version_seq`);
  await pool.end();
});

describe('exactly once, 16 workers in one process', () => {
  it('memory store (one shared store)', async () => {
    const store = memoryStore();
    const { effects, outcomes } = await burst(
      Array.from({ length: WORKERS }, () => store),
      'once',
      20,
    );
    expectExactlyOnce(effects, outcomes);
  });

  it('the harness has teeth: a store whose compare-and-set is not atomic runs the side effect more than once', async () => {
    const inner = memoryStore();
    // Check, yield, then write: the classic lost race an atomic store must not have.
    const racy: Store = {
      ...inner,
      compareAndSet: async (key, expected, value, options) => {
        const current = await inner.get(key);
        await sleep(1);
        if ((current?.version ?? null) !== expected) return false;
        return inner.set(key, value, options);
      },
    };
    const { effects } = await burst(
      Array.from({ length: WORKERS }, () => racy),
      'racy',
      20,
    );
    expect(effects).toBeGreaterThan(1);
  });

  it.skipIf(Boolean(redisSkip))('redis: 16 separate connections', async () => {
    const stores = Array.from({ length: WORKERS }, () => connectStore('redis', redisPrefix));
    try {
      const { effects, outcomes } = await burst(stores, 'once', 20);
      expectExactlyOnce(effects, outcomes);
      expect(outcomes.filter((o) => !o.ok).length).toBeGreaterThan(0); // the race was real
    } finally {
      await Promise.all(stores.map((s) => s.close?.()));
    }
  });

  it.skipIf(Boolean(postgresSkip))('postgres: 16 separate connections', async () => {
    const stores = Array.from({ length: WORKERS }, () => connectStore('postgres', table));
    try {
      const { effects, outcomes } = await burst(stores, 'once', 20);
      expectExactlyOnce(effects, outcomes);
      expect(outcomes.filter((o) => !o.ok).length).toBeGreaterThan(0);
    } finally {
      await Promise.all(stores.map((s) => s.close?.()));
    }
  });
});

function worker(config: Record<string, unknown>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'test/support/idempotency-worker.ts', JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The first stdout line matching `pattern`; rejects with stderr when the child dies first. */
function lineFrom(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (pattern.test(line)) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr.slice(0, 2000)}`)));
  });
}

const peers = [
  ['redis', redisSkip, redisPrefix],
  ['postgres', postgresSkip, table],
] as const;

describe.each(peers)('exactly once across processes: %s', (kind, skip, namespace) => {
  it.skipIf(Boolean(skip))(
    '4 processes × 4 connections, 1,000 calls: one side effect, one result',
    async () => {
      const key = `procs-${kind}`;
      const children = Array.from({ length: 4 }, () =>
        worker({ mode: 'burst', kind, namespace, key, calls: CALLS / 4, connections: WORKERS / 4, lockSeconds: 10, runMs: 50 }),
      );
      await Promise.all(children.map((c) => lineFrom(c, /^READY$/)));
      const reports = children.map((c) => lineFrom(c, /^\{/));
      for (const c of children) c.stdin.write('GO\n'); // all start together
      const parsed = (await Promise.all(reports)).map((line) => JSON.parse(line) as { effects: number; outcomes: Outcome[] });
      expectExactlyOnce(
        parsed.reduce((sum, r) => sum + r.effects, 0),
        parsed.flatMap((r) => r.outcomes),
      );
    },
    60_000,
  );

  it.skipIf(Boolean(skip))(
    'a holder killed mid-run: blocked until lockSeconds, then retried exactly once',
    async () => {
      const key = `killed-${kind}`;
      const lockSeconds = 2;
      const holder = worker({ mode: 'hold', kind, namespace, key, lockSeconds });
      const startedAt = Number((await lineFrom(holder, /^RUNNING /)).split(' ')[1]);
      const exited = new Promise((r) => holder.once('exit', r));
      holder.kill('SIGKILL');
      await exited;

      const stores = Array.from({ length: WORKERS }, () => connectStore(kind, namespace));
      try {
        // Right after the crash the key is still locked: nobody may redo the work yet.
        const early = await idempotent({ store: stores[0] as Store, key, lockSeconds }, async () => 'too early').catch(
          (e: IntegrationError) => e,
        );
        expect(early).toMatchObject({ code: 'idempotency_in_progress' });

        let effects = 0;
        let retriedAt = 0;
        const results = await Promise.all(
          stores.map((store) =>
            idempotent({ store, key, lockSeconds, onInProgress: 'wait', pollIntervalMs: 25 }, async () => {
              effects++;
              retriedAt = Date.now();
              await sleep(20);
              return { recoveredBy: process.pid };
            }),
          ),
        );
        expect(effects).toBe(1);
        expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
        // The lock was taken just before RUNNING was printed; allow the clocks' rounding.
        expect(retriedAt - startedAt).toBeGreaterThanOrEqual(lockSeconds * 1000 - 50);
      } finally {
        await Promise.all(stores.map((s) => s.close?.()));
      }
    },
    30_000,
  );
});

afterAll(async () => {
  if (redisSkip) return;
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL);
  const keys = await client.keys(`${redisPrefix}:*`);
  if (keys.length) await client.del(...keys);
  await client.quit();
});
