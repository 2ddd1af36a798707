/**
 * `switchyard/idempotency`: run a side effect once per key across processes (`idempotent`), and
 * derive stable keys and request fingerprints. Edge-ready: hashing is Web Crypto, no `node:` import.
 *
 * @packageDocumentation
 */
export { idempotent, IDEMPOTENCY_DEFAULTS, type Fingerprint, type IdempotencyRecord, type IdempotentOptions } from './idempotent.js';
export { deriveIdempotencyKey, fingerprintOf } from './key.js';
export { canonicalJson, sha256Hex } from './canonical.js';
