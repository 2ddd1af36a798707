import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/stores/index.js';
import { describeStoreConformance } from '../conformance/store.js';

describeStoreConformance('memory', () => createMemoryStore(), { nativeBatch: true });

describe('createMemoryStore with an injected clock', () => {
  it('expires by the clock it was given, without waiting', async () => {
    let now = 1_000_000;
    const store = createMemoryStore({ now: () => now });
    await store.set('k', 'v', { ttlSeconds: 60 });
    expect((await store.get('k'))?.expiresAt).toBe(1_060_000);
    now += 59_999;
    expect((await store.get('k'))?.value).toBe('v');
    now += 1;
    expect(await store.get('k')).toBeUndefined();
  });

  it('sweeps expired entries so an abandoned key does not live forever', async () => {
    let now = 0;
    const store = createMemoryStore({ now: () => now });
    for (let i = 0; i < 5000; i++) await store.set(`k${i}`, i, { ttlSeconds: 1 });
    now = 2000;
    for (let i = 0; i < 5000; i++) await store.set(`fresh${i}`, i);
    // Nothing observable leaks: every old key reads as absent and can be taken again.
    expect(await store.setIfAbsent('k1', 'again')).toBe(true);
  });
});
