export type { Store, StoreEntry, StoreWriteOptions } from './store.js';
export { MAX_KEY_LENGTH } from './store.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory.js';
