/**
 * `switchyard/stores`: the `Store` interface every stateful helper persists through (replay guard,
 * `idempotent()`, token store, sync state), and the in-memory store, the embedded default.
 * Durable stores live in `switchyard/stores/redis` and `switchyard/stores/postgres`.
 *
 * @packageDocumentation
 */
export type { Store, StoreEntry, StoreWriteOptions } from './store.js';
export { MAX_KEY_LENGTH } from './store.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory.js';
export type { StoreBatchEntry } from './store.js';
export { getMany, setMany } from './store.js';
