import { describe, expect, it, vi } from 'vitest';
import { IntegrationError, type Logger } from '../../src/index.js';
import { idempotent, type IdempotentOptions } from '../../src/idempotency/index.js';
import { createMemoryStore, type Store } from '../../src/stores/index.js';

const failure = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as IntegrationError,
  );

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe('idempotent', () => {
  it('runs once and replays the stored result to later calls without running', async () => {
    const store = createMemoryStore();
    const run = vi.fn(async () => ({ chargeId: 'ch_1', amount: 4900 }));
    const first = await idempotent({ store, key: 'charge:1' }, run);
    const second = await idempotent({ store, key: 'charge:1' }, run);
    expect(first).toEqual({ chargeId: 'ch_1', amount: 4900 });
    expect(second).toEqual(first);
    expect(run).toHaveBeenCalledTimes(1);
    expect(await idempotent({ store, key: 'charge:2' }, run)).toEqual(first);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('replays undefined (a void side effect) as undefined', async () => {
    const store = createMemoryStore();
    const run = vi.fn(async () => undefined);
    await idempotent({ store, key: 'void' }, run);
    expect(await idempotent({ store, key: 'void' }, run)).toBeUndefined();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('the same key with a different fingerprint is idempotency_conflict; key order does not matter', async () => {
    const store = createMemoryStore();
    await idempotent({ store, key: 'k', fingerprint: { amount: 4900, currency: 'EUR' } }, async () => 'ok');
    expect(await idempotent({ store, key: 'k', fingerprint: { currency: 'EUR', amount: 4900 } }, async () => 'again')).toBe('ok');
    const error = await failure(idempotent({ store, key: 'k', fingerprint: { amount: 5000, currency: 'EUR' } }, async () => 'x'));
    expect(error).toMatchObject({ code: 'idempotency_conflict', retryable: false });
  });

  it('a conflicting fingerprint is reported even while the first call is still running', async () => {
    const store = createMemoryStore();
    const g = gate();
    const holder = idempotent({ store, key: 'k', fingerprint: { a: 1 } }, () => g.opened.then(() => 1));
    await new Promise((r) => setTimeout(r, 5));
    expect(await failure(idempotent({ store, key: 'k', fingerprint: { a: 2 } }, async () => 2))).toMatchObject({
      code: 'idempotency_conflict',
    });
    g.open();
    await holder;
  });

  it('a call while another holds the key throws idempotency_in_progress (retryable, with retryAfterMs)', async () => {
    const store = createMemoryStore();
    const g = gate();
    const holder = idempotent({ store, key: 'busy', lockSeconds: 30 }, () => g.opened.then(() => 'done'));
    await new Promise((r) => setTimeout(r, 5));
    const run = vi.fn(async () => 'second');
    const error = await failure(idempotent({ store, key: 'busy' }, run));
    expect(error).toMatchObject({ code: 'idempotency_in_progress', retryable: true });
    expect(error?.retryAfterMs).toBeGreaterThan(0);
    expect(run).not.toHaveBeenCalled();
    g.open();
    expect(await holder).toBe('done');
    expect(await idempotent({ store, key: 'busy' }, run)).toBe('done');
  });

  it("onInProgress: 'wait' waits for the holder's result", async () => {
    const store = createMemoryStore();
    const g = gate();
    const holder = idempotent({ store, key: 'w' }, () => g.opened.then(() => ({ id: 7 })));
    await new Promise((r) => setTimeout(r, 5));
    const run = vi.fn(async () => ({ id: 8 }));
    const waiter = idempotent({ store, key: 'w', onInProgress: 'wait', pollIntervalMs: 5 }, run);
    setTimeout(g.open, 30);
    expect(await waiter).toEqual({ id: 7 });
    expect(await holder).toEqual({ id: 7 });
    expect(run).not.toHaveBeenCalled();
  });

  it("onInProgress: 'wait' gives up after waitTimeoutMs with idempotency_in_progress", async () => {
    const store = createMemoryStore();
    const g = gate();
    const holder = idempotent({ store, key: 'w2' }, () => g.opened.then(() => 1));
    await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    const error = await failure(
      idempotent({ store, key: 'w2', onInProgress: 'wait', waitTimeoutMs: 60, pollIntervalMs: 10 }, async () => 2),
    );
    expect(error).toMatchObject({ code: 'idempotency_in_progress' });
    expect(Date.now() - started).toBeLessThan(1000);
    g.open();
    await holder;
  });

  it('a holder that crashed loses its lock after lockSeconds, and the work runs again once', async () => {
    let now = 1_000_000;
    const store = createMemoryStore({ now: () => now });
    // The "crashed" holder: its run never settles, as if the process died mid-run.
    void idempotent({ store, key: 'crash', lockSeconds: 10 }, () => new Promise(() => {}));
    await new Promise((r) => setTimeout(r, 5));
    const run = vi.fn(async () => 'recovered');
    now += 9_999;
    expect(await failure(idempotent({ store, key: 'crash', lockSeconds: 10 }, run))).toMatchObject({ code: 'idempotency_in_progress' });
    now += 1;
    expect(await idempotent({ store, key: 'crash', lockSeconds: 10 }, run)).toBe('recovered');
    expect(await idempotent({ store, key: 'crash', lockSeconds: 10 }, run)).toBe('recovered');
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('a failure is not cached: the next call runs again and can succeed', async () => {
    const store = createMemoryStore();
    let n = 0;
    const run = async () => {
      if (++n === 1) throw new IntegrationError('unavailable', 'provider down');
      return 'ok';
    };
    expect(await failure(idempotent({ store, key: 'f', ttlSeconds: 60 }, run))).toMatchObject({ code: 'unavailable' });
    expect(await idempotent({ store, key: 'f' }, run)).toBe('ok');
    expect(n).toBe(2);
  });

  it('a plain Error is rethrown as is and releases the key', async () => {
    const store = createMemoryStore();
    const bug = new TypeError('oops');
    expect(await failure(idempotent({ store, key: 'bug', cacheErrors: true }, async () => Promise.reject(bug)))).toBe(bug);
    expect(await idempotent({ store, key: 'bug' }, async () => 'fixed')).toBe('fixed');
  });

  it('cacheErrors: true replays non-retryable IntegrationErrors, never retryable ones', async () => {
    const store = createMemoryStore();
    const declined = vi.fn(async () => {
      throw new IntegrationError('provider_error', 'card declined', {
        provider: 'stripe',
        status: 402,
        details: { declineCode: 'insufficient_funds' },
      });
    });
    const first = await failure(idempotent({ store, key: 'decl', cacheErrors: true }, declined));
    const replay = await failure(idempotent({ store, key: 'decl', cacheErrors: true }, declined));
    expect(declined).toHaveBeenCalledTimes(1);
    expect(replay).toBeInstanceOf(IntegrationError);
    expect(replay).toMatchObject({ code: 'provider_error', message: first?.message, provider: 'stripe', status: 402, retryable: false });
    expect(replay?.details).toMatchObject({ declineCode: 'insufficient_funds', idempotentReplay: true });

    const flaky = vi.fn(async () => {
      throw new IntegrationError('rate_limited', 'slow down');
    });
    await failure(idempotent({ store, key: 'flaky', cacheErrors: true }, flaky));
    await failure(idempotent({ store, key: 'flaky', cacheErrors: true }, flaky));
    expect(flaky).toHaveBeenCalledTimes(2);
  });

  it('cacheErrors as a predicate chooses which non-retryable errors to keep', async () => {
    const store = createMemoryStore();
    const run = vi.fn(async () => {
      throw new IntegrationError('not_found', 'gone');
    });
    const cacheErrors = (e: IntegrationError) => e.code === 'provider_error';
    await failure(idempotent({ store, key: 'p', cacheErrors }, run));
    await failure(idempotent({ store, key: 'p', cacheErrors }, run));
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('a result JSON cannot keep is invalid_input, and the key stays locked so the work is not repeated at once', async () => {
    const store = createMemoryStore();
    const run = vi.fn(async () => ({ at: new Date() }));
    expect(await failure(idempotent({ store, key: 'date' }, run))).toMatchObject({ code: 'invalid_input', details: { field: 'result' } });
    expect(await failure(idempotent({ store, key: 'date' }, run))).toMatchObject({ code: 'idempotency_in_progress' });
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('warns when a holder finishes after its lock expired and another caller took over', async () => {
    let now = 0;
    const store = createMemoryStore({ now: () => now });
    const warn = vi.fn();
    const logger: Logger = { debug() {}, info() {}, warn, error() {} };
    const g = gate();
    const slow = idempotent({ store, key: 'slow', lockSeconds: 1, logger }, () => g.opened.then(() => 'slow'));
    await new Promise((r) => setTimeout(r, 5));
    now += 1000;
    expect(await idempotent({ store, key: 'slow', lockSeconds: 1 }, async () => 'fast')).toBe('fast');
    g.open();
    expect(await slow).toBe('slow');
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ key: 'slow' }), expect.stringContaining('lockSeconds'));
    expect(await idempotent({ store, key: 'slow' }, async () => 'x')).toBe('fast');
  });

  it('rides out a brief store outage when recording the result: the work is not repeated', async () => {
    const store = createMemoryStore();
    let failNext = false;
    const flaky: Store = {
      ...store,
      get: (k) => store.get(k),
      compareAndSet: (...args) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new IntegrationError('unavailable', 'store blip'));
        }
        return store.compareAndSet(...args);
      },
    };
    const run = vi.fn(async () => {
      failNext = true; // the write of the result fails once
      return 'charged';
    });
    expect(await idempotent({ store: flaky, key: 'blip' }, run)).toBe('charged');
    expect(await idempotent({ store: flaky, key: 'blip' }, run)).toBe('charged');
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('a store that is down before the run: the error propagates and nothing runs', async () => {
    const down: Store = {
      ...createMemoryStore(),
      compareAndSet: () => Promise.reject(new IntegrationError('unavailable', 'store down')),
    };
    const run = vi.fn(async () => 1);
    expect(await failure(idempotent({ store: down, key: 'down' }, run))).toMatchObject({ code: 'unavailable', retryable: true });
    expect(run).not.toHaveBeenCalled();
  });

  it('refuses a key whose record is not an idempotency record', async () => {
    const store = createMemoryStore();
    await store.set('idempotency:foreign', { hello: 'world' });
    expect(await failure(idempotent({ store, key: 'foreign' }, async () => 1))).toMatchObject({ code: 'idempotency_conflict' });
  });
});

describe('idempotent options', () => {
  const store = createMemoryStore();
  it.each<[string, unknown, string, string]>([
    ['no options', undefined, 'invalid_config', 'options'],
    ['no store', { key: 'k' }, 'invalid_config', 'store'],
    ['a Map as store', { store: new Map(), key: 'k' }, 'invalid_config', 'store'],
    ['an empty key', { store, key: '' }, 'invalid_input', 'key'],
    ['a numeric key', { store, key: 42 }, 'invalid_input', 'key'],
    ['a key too long', { store, key: 'x'.repeat(600) }, 'invalid_input', 'key'],
    ['ttlSeconds 0', { store, key: 'k', ttlSeconds: 0 }, 'invalid_config', 'ttlSeconds'],
    ['lockSeconds NaN', { store, key: 'k', lockSeconds: Number.NaN }, 'invalid_config', 'lockSeconds'],
    ['lockSeconds "60"', { store, key: 'k', lockSeconds: '60' }, 'invalid_config', 'lockSeconds'],
    ['onInProgress unknown', { store, key: 'k', onInProgress: 'queue' }, 'invalid_config', 'onInProgress'],
    ['waitTimeoutMs negative', { store, key: 'k', waitTimeoutMs: -1 }, 'invalid_config', 'waitTimeoutMs'],
    ['cacheErrors a string', { store, key: 'k', cacheErrors: 'yes' }, 'invalid_config', 'cacheErrors'],
    ['a fingerprint JSON cannot hold', { store, key: 'k', fingerprint: { n: 10n } }, 'invalid_input', 'fingerprint'],
  ])('rejects %s', async (_, options, code, field) => {
    const run = vi.fn(async () => 1);
    const error = await failure(idempotent(options as IdempotentOptions, run));
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ code, details: { field } });
    expect(run).not.toHaveBeenCalled();
  });

  it('rejects a run that is not a function', async () => {
    expect(await failure(idempotent({ store, key: 'k' }, 'go' as unknown as () => Promise<number>))).toMatchObject({
      code: 'invalid_input',
    });
  });
});
