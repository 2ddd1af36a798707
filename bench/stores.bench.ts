/** Memory store get/set against a bare Map doing the same JSON work (the anchor). */
import { createMemoryStore } from '../src/stores/index.js';
import { measure, report } from './harness.js';

const value = { id: 'evt_1', status: 'succeeded', amount: 4900, attempts: [1, 2, 3] };
const map = new Map<string, string>();
const store = createMemoryStore();
let i = 0;

const anchor = await measure('Map + JSON.stringify/parse', () => {
  const key = `k${i++ % 1000}`;
  map.set(key, JSON.stringify(value));
  return JSON.parse(map.get(key) as string);
});
const ours = await measure('createMemoryStore set + get', async () => {
  const key = `k${i++ % 1000}`;
  await store.set(key, value);
  return store.get(key);
});
const lock = await measure('createMemoryStore setIfAbsent + delete', async () => {
  const key = `lock${i++ % 1000}`;
  await store.setIfAbsent(key, 1, { ttlSeconds: 30 });
  return store.delete(key);
});
report('Memory store (target: within 3× of the bare Map doing the same JSON copy)', anchor, [ours, lock]);
