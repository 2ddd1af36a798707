export type { Store, StoreEntry, StoreWriteOptions } from './store.js';
export { MAX_KEY_LENGTH } from './store.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory.js';
export type { StoreBatchEntry } from './store.js';
export { getMany, setMany } from './store.js';
