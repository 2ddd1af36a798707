/**
 * `switchyard/retry` and `switchyard/idempotency` on a Web-standard runtime: bundled as they would
 * be for a Worker and run in `@edge-runtime/vm` (Vercel's Edge runtime: no `process`, no `node:`
 * modules, Web Crypto only). The static audit in test/package proves the absence of `node:`
 * imports; this proves the code actually works there.
 */
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function bundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `
        export * as retry from './src/retry/index.ts';
        export * as idempotency from './src/idempotency/index.ts';
        export * as stores from './src/stores/index.ts';`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'switchyard',
    platform: 'browser',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

describe('edge runtime', () => {
  it('derives keys, runs idempotent() and retry() inside an Edge VM', async () => {
    const vm = new EdgeVM();
    vm.evaluate(await bundle());
    const out = await vm.evaluate<Promise<string>>(`(async () => {
      const { retry, idempotency, stores } = switchyard;
      if (typeof process !== 'undefined' && process.versions && process.versions.node) throw new Error('not an edge VM');
      const key = await idempotency.deriveIdempotencyKey('charge', 'order', { currency: 'EUR', amount: 4900 });
      const store = stores.createMemoryStore();
      let runs = 0;
      const a = await idempotency.idempotent({ store, key }, async () => ({ n: ++runs }));
      const b = await idempotency.idempotent({ store, key }, async () => ({ n: ++runs }));
      let attempts = 0;
      const r = await retry.retry(async () => {
        if (++attempts < 3) throw new TypeError('Failed to fetch');
        return 'ok';
      }, { baseDelayMs: 1 });
      return JSON.stringify({ key, a, b, runs, r, attempts });
    })()`);
    expect(JSON.parse(out)).toEqual({
      key: 'charge:5518b3523d6d5db8b1547ae3fd1de3e09d053bd3f84b8780122ec33fb38a0be8',
      a: { n: 1 },
      b: { n: 1 },
      runs: 1,
      r: 'ok',
      attempts: 3,
    });
  });
});
