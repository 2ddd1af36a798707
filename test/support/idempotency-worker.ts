/**
 * A separate process calling `idempotent` against a real store, for the cross-process tests.
 * Run as `node --import tsx test/support/idempotency-worker.ts '<json config>'`.
 *
 * - mode `burst`: opens `connections` stores, prints READY, waits for a line on stdin (so every
 *   process starts together), makes `calls` calls split across the connections, then prints one
 *   JSON line: how many times the side effect ran here, and each call's outcome.
 * - mode `hold`: takes the key and prints `RUNNING <epoch ms>` from inside the side effect, then
 *   hangs until killed: a holder that crashes mid-run.
 */
import { createInterface } from 'node:readline';
import { idempotent } from '../../src/idempotency/index.js';
import type { IntegrationError } from '../../src/index.js';
import { connectStore, type StoreKind } from './stores.js';

interface Config {
  mode: 'burst' | 'hold';
  kind: Exclude<StoreKind, 'memory'>;
  namespace: string;
  key: string;
  calls: number;
  connections: number;
  lockSeconds: number;
  runMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (config.mode === 'hold') {
  const store = connectStore(config.kind, config.namespace);
  await idempotent({ store, key: config.key, lockSeconds: config.lockSeconds }, async () => {
    process.stdout.write(`RUNNING ${Date.now()}\n`);
    await new Promise(() => setInterval(() => {}, 1000)); // never finishes: the parent kills us
  });
} else {
  const stores = Array.from({ length: config.connections }, () => connectStore(config.kind, config.namespace));
  await Promise.all(stores.map((s) => s.get('warm-up'))); // connect before the start line
  process.stdout.write('READY\n');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
  let effects = 0;
  const outcomes: ({ ok: true; value: unknown } | { ok: false; code: string })[] = [];
  await Promise.all(
    stores.map(async (store, w) => {
      const share = Math.floor(config.calls / stores.length) + (w < config.calls % stores.length ? 1 : 0);
      for (let i = 0; i < share; i++) {
        try {
          const value = await idempotent({ store, key: config.key, lockSeconds: config.lockSeconds }, async () => {
            effects++;
            await sleep(config.runMs);
            return { by: `pid ${process.pid} worker ${w} call ${i}` };
          });
          outcomes.push({ ok: true, value });
        } catch (error) {
          outcomes.push({ ok: false, code: (error as IntegrationError).code ?? String(error) });
        }
      }
    }),
  );
  await Promise.all(stores.map((s) => s.close?.()));
  process.stdout.write(`${JSON.stringify({ effects, outcomes })}\n`);
  process.exit(0);
}
