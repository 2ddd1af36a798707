/**
 * The store conformance suite. Every `Store` (memory, Redis, PostgreSQL, and any a host writes)
 * registers these tests with its own factory, as unstorage's driver tests do:
 *
 *   describeStoreConformance('redis', () => createRedisStore({ url }));
 *
 * Each test gets a fresh store from the factory and a unique key prefix, so durable stores can
 * share one database between runs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { getMany, setMany, type Store } from '../../src/stores/index.js';

export interface StoreConformanceOptions {
  /** Skip the whole suite with this reason (a missing peer outside CI). */
  skip?: string | false;
  /** The store implements `getMany`/`setMany` itself (ours all do); otherwise only the helpers' fallback is tested. */
  nativeBatch?: boolean;
}

/** The same store without its batch calls, to prove the helpers' fallback behaves like the native ones. */
function withoutBatch(store: Store): Store {
  return {
    get: (key) => store.get(key),
    set: (key, value, opts) => store.set(key, value, opts),
    setIfAbsent: (key, value, opts) => store.setIfAbsent(key, value, opts),
    compareAndSet: (key, version, value, opts) => store.compareAndSet(key, version, value, opts),
    delete: (key) => store.delete(key),
    compareAndDelete: (key, version) => store.compareAndDelete(key, version),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function expectInvalidInput(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  expect((error as IntegrationError).code).toBe('invalid_input');
}

export function describeStoreConformance(
  name: string,
  makeStore: () => Store | Promise<Store>,
  options: StoreConformanceOptions = {},
): void {
  describe.skipIf(Boolean(options.skip))(`Store conformance: ${name}`, () => {
    let store: Store;
    let prefix: string;
    const k = (suffix: string) => `${prefix}:${suffix}`;

    beforeEach(async () => {
      store = await makeStore();
      prefix = `conformance:${Date.now().toString(36)}:${Math.random().toString(36).slice(2)}`;
    });
    afterEach(async () => {
      await store.close?.();
    });

    it('returns undefined for a missing key', async () => {
      expect(await store.get(k('missing'))).toBeUndefined();
    });

    it('round-trips JSON values and reports a version', async () => {
      const value = { a: 1, b: [true, null, 'ü ✓ 🚀'], nested: { deep: { x: -1.5 } } };
      const version = await store.set(k('json'), value);
      expect(version).toBeGreaterThan(0);
      const entry = await store.get(k('json'));
      expect(entry).toMatchObject({ value, version });
      expect(entry?.expiresAt).toBeUndefined();
    });

    it('keeps primitives as they are', async () => {
      for (const [i, value] of ['text', 0, 42.5, false, null, [], {}].entries()) {
        await store.set(k(`p${i}`), value);
        expect((await store.get(k(`p${i}`)))?.value).toEqual(value);
      }
    });

    it('returns copies: mutating a value after set or get does not change the stored one', async () => {
      const value = { list: [1] };
      await store.set(k('copy'), value);
      value.list.push(2);
      const read = await store.get<{ list: number[] }>(k('copy'));
      read?.value.list.push(3);
      expect((await store.get(k('copy')))?.value).toEqual({ list: [1] });
    });

    it('changes the version on every write, and never reuses one after delete', async () => {
      const v1 = await store.set(k('v'), 1);
      const v2 = await store.set(k('v'), 2);
      expect(v2).not.toBe(v1);
      await store.delete(k('v'));
      const v3 = await store.set(k('v'), 3);
      expect(new Set([v1, v2, v3]).size).toBe(3);
    });

    it('deletes and says whether something was there', async () => {
      await store.set(k('d'), 'x');
      expect(await store.delete(k('d'))).toBe(true);
      expect(await store.delete(k('d'))).toBe(false);
      expect(await store.get(k('d'))).toBeUndefined();
    });

    it('setIfAbsent writes once and leaves the first value in place', async () => {
      expect(await store.setIfAbsent(k('once'), 'first')).toBe(true);
      expect(await store.setIfAbsent(k('once'), 'second')).toBe(false);
      expect((await store.get(k('once')))?.value).toBe('first');
    });

    it('setIfAbsent under contention: exactly one of 50 concurrent writers wins', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.setIfAbsent(k('race'), i)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await store.get(k('race')))?.value).toBe(winner);
    });

    it('compareAndSet succeeds on the current version and fails on a stale one', async () => {
      const v1 = await store.set(k('cas'), 'a');
      const v2 = await store.compareAndSet(k('cas'), v1, 'b');
      expect(v2).not.toBe(false);
      expect(await store.compareAndSet(k('cas'), v1, 'c')).toBe(false);
      expect(await store.get(k('cas'))).toMatchObject({ value: 'b', version: v2 });
    });

    it('compareAndSet with null creates only when absent', async () => {
      expect(await store.compareAndSet(k('cas-null'), null, 1)).not.toBe(false);
      expect(await store.compareAndSet(k('cas-null'), null, 2)).toBe(false);
      expect((await store.get(k('cas-null')))?.value).toBe(1);
    });

    it('compareAndDelete removes only the version it names', async () => {
      const v1 = await store.set(k('cad'), 'first');
      const v2 = await store.set(k('cad'), 'second');
      expect(await store.compareAndDelete(k('cad'), v1)).toBe(false);
      expect((await store.get(k('cad')))?.value).toBe('second');
      expect(await store.compareAndDelete(k('cad'), v2)).toBe(true);
      expect(await store.get(k('cad'))).toBeUndefined();
      expect(await store.compareAndDelete(k('cad'), v2)).toBe(false);
    });

    it('compareAndDelete does not release a lock that expired and was taken by another holder', async () => {
      await store.setIfAbsent(k('lease'), 'holder-1', { ttlSeconds: 0.2 });
      const mine = (await store.get(k('lease')))?.version as number;
      await sleep(500);
      expect(await store.setIfAbsent(k('lease'), 'holder-2', { ttlSeconds: 30 })).toBe(true);
      expect(await store.compareAndDelete(k('lease'), mine)).toBe(false);
      expect((await store.get(k('lease')))?.value).toBe('holder-2');
    });

    it('compareAndDelete under contention: exactly one of 20 concurrent deleters wins', async () => {
      const version = await store.set(k('cad-race'), 1);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.compareAndDelete(k('cad-race'), version)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('compareAndSet never loses an update: 20 concurrent read-modify-write loops add up', async () => {
      await store.set(k('counter'), 0);
      const increment = async () => {
        for (;;) {
          const entry = await store.get<number>(k('counter'));
          if (!entry) throw new Error('counter vanished');
          if ((await store.compareAndSet(k('counter'), entry.version, entry.value + 1)) !== false) return;
        }
      };
      await Promise.all(Array.from({ length: 20 }, increment));
      expect((await store.get(k('counter')))?.value).toBe(20);
    });

    it('expires entries after ttlSeconds, and a lock can then be taken again', async () => {
      await store.set(k('ttl'), 'short', { ttlSeconds: 0.3 });
      expect(await store.setIfAbsent(k('lock'), 'holder-1', { ttlSeconds: 0.3 })).toBe(true);
      const entry = await store.get(k('ttl'));
      expect(entry?.value).toBe('short');
      expect(entry?.expiresAt).toBeGreaterThan(Date.now() - 1000);
      await sleep(700);
      expect(await store.get(k('ttl'))).toBeUndefined();
      expect(await store.setIfAbsent(k('lock'), 'holder-2')).toBe(true);
      expect((await store.get(k('lock')))?.value).toBe('holder-2');
      expect(await store.delete(k('ttl'))).toBe(false);
    });

    it('an expired entry counts as absent for compareAndSet(null)', async () => {
      await store.set(k('ttl-cas'), 'old', { ttlSeconds: 0.2 });
      await sleep(500);
      expect(await store.compareAndSet(k('ttl-cas'), null, 'new')).not.toBe(false);
    });

    it('a plain set clears an earlier TTL', async () => {
      await store.set(k('ttl-clear'), 'a', { ttlSeconds: 0.2 });
      await store.set(k('ttl-clear'), 'b');
      await sleep(500);
      expect((await store.get(k('ttl-clear')))?.value).toBe('b');
    });

    it('rejects bad keys with invalid_input', async () => {
      await expectInvalidInput(store.get(''));
      await expectInvalidInput(store.get(42 as unknown as string));
      await expectInvalidInput(store.set('x'.repeat(513), 1));
      await expectInvalidInput(store.delete(undefined as unknown as string));
    });

    it('rejects bad TTLs with invalid_input', async () => {
      for (const ttlSeconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
        await expectInvalidInput(store.set(k('bad-ttl'), 1, { ttlSeconds }));
        await expectInvalidInput(store.setIfAbsent(k('bad-ttl'), 1, { ttlSeconds }));
      }
      expect(await store.get(k('bad-ttl'))).toBeUndefined();
    });

    it('rejects values JSON cannot keep with invalid_input, and writes nothing', async () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      for (const value of [
        undefined,
        () => 1,
        10n,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        circular,
        new Date(),
        { nested: [Symbol('s')] },
      ]) {
        await expectInvalidInput(store.set(k('bad-value'), value));
        await expectInvalidInput(store.setIfAbsent(k('bad-value'), value));
        await expectInvalidInput(store.compareAndSet(k('bad-value'), null, value));
      }
      expect(await store.get(k('bad-value'))).toBeUndefined();
    });

    if (options.nativeBatch) {
      it('implements getMany and setMany itself', () => {
        expect(typeof store.getMany).toBe('function');
        expect(typeof store.setMany).toBe('function');
      });
    }

    for (const [mode, view] of [
      ['as the store has it', (s: Store) => s],
      ['through the fallback', withoutBatch],
    ] as const) {
      describe(`batch calls (${mode})`, () => {
        it('getMany answers in key order, with undefined for missing and expired keys', async () => {
          const s = view(store);
          const v1 = await store.set(k('b1'), { n: 1 });
          const v2 = await store.set(k('b2'), 'two', { ttlSeconds: 30 });
          await store.set(k('gone'), 'x', { ttlSeconds: 0.2 });
          await sleep(500);
          const entries = await getMany(s, [k('b2'), k('missing'), k('b1'), k('gone')]);
          expect(entries).toHaveLength(4);
          expect(entries[0]).toMatchObject({ value: 'two', version: v2 });
          expect(entries[0]?.expiresAt).toBeGreaterThan(Date.now());
          expect(entries[1]).toBeUndefined();
          expect(entries[2]).toEqual({ value: { n: 1 }, version: v1 });
          expect(entries[3]).toBeUndefined();
          expect(await getMany(s, [])).toEqual([]);
        });

        it('setMany writes every entry and returns their new, distinct versions in order', async () => {
          const s = view(store);
          const before = await store.set(k('s2'), 'old', { ttlSeconds: 0.2 });
          const versions = await setMany(s, [
            { key: k('s1'), value: [1, 'a'] },
            { key: k('s2'), value: null },
            { key: k('s3'), value: { deep: { ok: true } } },
          ]);
          expect(versions).toHaveLength(3);
          expect(new Set([...versions, before]).size).toBe(4);
          expect(await store.get(k('s1'))).toEqual({ value: [1, 'a'], version: versions[0] });
          // A batch without TTL clears an earlier one, as set does.
          await sleep(500);
          expect(await store.get(k('s2'))).toEqual({ value: null, version: versions[1] });
          expect(await store.get(k('s3'))).toEqual({ value: { deep: { ok: true } }, version: versions[2] });
          expect(await setMany(s, [])).toEqual([]);
        });

        it('setMany with ttlSeconds expires every entry', async () => {
          const s = view(store);
          await setMany(
            s,
            [
              { key: k('t1'), value: 1 },
              { key: k('t2'), value: 2 },
            ],
            { ttlSeconds: 0.3 },
          );
          const [a] = await getMany(s, [k('t1')]);
          expect(a?.expiresAt).toBeGreaterThan(Date.now() - 1000);
          await sleep(700);
          expect(await getMany(s, [k('t1'), k('t2')])).toEqual([undefined, undefined]);
        });

        it('setMany rejects a bad key, value, repeated key or TTL with invalid_input and writes nothing', async () => {
          const s = view(store);
          const circular: Record<string, unknown> = {};
          circular.self = circular;
          const good: { key: string; value: unknown } = { key: k('bad-batch'), value: 1 };
          await expectInvalidInput(setMany(s, [good, { key: '', value: 1 }]));
          await expectInvalidInput(setMany(s, [good, { key: k('other'), value: circular }]));
          await expectInvalidInput(setMany(s, [good, { key: k('other'), value: undefined }]));
          await expectInvalidInput(setMany(s, [good, { key: k('bad-batch'), value: 2 }]));
          await expectInvalidInput(setMany(s, [good], { ttlSeconds: -1 }));
          await expectInvalidInput(setMany(s, 'nope' as unknown as []));
          await expectInvalidInput(setMany(s, [null as unknown as typeof good]));
          expect(await getMany(s, [k('bad-batch'), k('other')])).toEqual([undefined, undefined]);
        });

        it('getMany rejects bad keys with invalid_input', async () => {
          const s = view(store);
          await expectInvalidInput(getMany(s, [k('fine'), '']));
          await expectInvalidInput(getMany(s, ['x'.repeat(513)]));
          await expectInvalidInput(getMany(s, 'key' as unknown as string[]));
        });
      });
    }

    it('rejects a bad expectedVersion with invalid_input', async () => {
      for (const version of [0, -1, 1.5, '1' as unknown as number]) {
        await expectInvalidInput(store.compareAndSet(k('bad-version'), version, 1));
        await expectInvalidInput(store.compareAndDelete(k('bad-version'), version));
      }
    });
  });
}
