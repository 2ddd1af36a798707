/** Read-modify-write of one JSON record with compare-and-set, retried when another writer won. */
import { IntegrationError } from '../core/errors.js';
import type { Store, StoreWriteOptions } from '../stores/store.js';

export async function updateRecord<T>(
  store: Store,
  key: string,
  change: (current: T | undefined) => T | undefined,
  options?: StoreWriteOptions,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const entry = await store.get<T>(key);
    const next = change(entry?.value);
    if (next === undefined) return entry?.value;
    if ((await store.compareAndSet(key, entry?.version ?? null, next, options)) !== false) return next;
  }
  throw new IntegrationError('conflict', 'a notification record kept changing under concurrent writers; try again', { retryable: true });
}
