/**
 * Encryption at rest for OAuth tokens: AES-256-GCM through Web Crypto, one fresh 96-bit IV per
 * write, and the store key as additional authenticated data, so a ciphertext copied to another
 * user's key fails to decrypt instead of handing that user someone else's calendar.
 *
 * Envelope written to the underlying `Store`: `{ v: 1, alg: 'A256GCM', kid, iv, ct }` (base64url).
 * The key id makes rotation a configuration change: add the new key, make it current, keep the old
 * one until every record has been rewritten (each write re-encrypts with the current key).
 */
import { IntegrationError } from '../core/errors.js';
import type { Store } from '../stores/store.js';
import { base64url, fromBase64, fromBase64url, randomBytes, subtle, utf8 } from './encoding.js';
import { createTokenStoreOver, type OAuthTokens, type TokenStore } from './token-store.js';

/** A 256-bit key: 32 raw bytes, or their base64 / base64url text (e.g. `openssl rand -base64 32`). */
export type EncryptionKey = string | Uint8Array;

/** Options of `createEncryptedTokenStore`. */
export interface EncryptedTokenStoreOptions {
  store: Store;
  /** Every key that may still be needed to read, by key id. */
  keys: Record<string, EncryptionKey>;
  /** The key id used for every write. */
  currentKeyId: string;
  /** Key prefix in the underlying store. Default `tokens`. */
  prefix?: string;
  /**
   * How many decrypted records to remember, by exact envelope (default 1000; 0 disables). A hit
   * needs byte-identical ciphertext, so a changed record is always decrypted afresh; it saves the
   * AES-GCM work on the hot `getAccessToken` path. The tokens are in this process's memory anyway
   * while they are used.
   */
  cacheSize?: number;
}

interface Envelope {
  v: 1;
  alg: 'A256GCM';
  kid: string;
  iv: string;
  ct: string;
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;

function configError(message: string, field: string): IntegrationError {
  return new IntegrationError('invalid_config', message, { details: { field } });
}

function keyBytes(kid: string, key: unknown): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  if (key instanceof Uint8Array) bytes = new Uint8Array(key);
  else if (typeof key === 'string') bytes = fromBase64(key) ?? fromBase64url(key);
  // Never quote the key in the message: it is the one thing this error must not leak.
  if (bytes?.length !== 32) {
    throw configError(`encryption key "${kid}" must be 32 bytes (AES-256), given raw or as base64`, `keys.${kid}`);
  }
  return bytes;
}

/**
 * A `TokenStore` that keeps tokens AES-256-GCM encrypted in any `Store`, with key ids for rotation.
 *
 * @example
 * const tokenStore = createEncryptedTokenStore({ store, keys: { '2026-11': key }, currentKeyId: '2026-11' });
 */
export function createEncryptedTokenStore(options: EncryptedTokenStoreOptions): TokenStore {
  if (!options || typeof options.store?.compareAndSet !== 'function') throw configError('store must be a switchyard Store', 'store');
  const entries = Object.entries(options.keys ?? {});
  if (entries.length === 0) throw configError('keys must hold at least one key', 'keys');
  for (const [kid] of entries) if (!KID.test(kid)) throw configError(`key id "${kid.slice(0, 64)}" must match ${KID}`, 'keys');
  if (!Object.hasOwn(options.keys, options.currentKeyId)) throw configError('currentKeyId must name one of keys', 'currentKeyId');

  // Import once; non-extractable, so a heap inspection of CryptoKey objects does not yield raw keys.
  const imported = new Map<string, Promise<CryptoKey>>(
    entries.map(([kid, key]) => [kid, subtle().importKey('raw', keyBytes(kid, key), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])]),
  );
  const current = options.currentKeyId;
  const cacheSize = options.cacheSize ?? 1000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) throw configError('cacheSize must be a non-negative integer', 'cacheSize');
  const cache = new Map<string, { kid: string; iv: string; ct: string; json: string }>();
  const remember = (storeKey: string, entry: { kid: string; iv: string; ct: string; json: string }) => {
    if (cacheSize === 0) return;
    cache.delete(storeKey);
    cache.set(storeKey, entry);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  };

  const tamper = (storeKey: string, reason: string, kid?: string) =>
    new IntegrationError(
      'signature_invalid',
      `stored tokens at "${storeKey}" failed authentication (${reason}): tampered, or written with a different key`,
      {
        details: { reason: 'token_decryption_failed', ...(kid ? { kid } : {}) },
      },
    );

  return createTokenStoreOver({
    store: options.store,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    codec: {
      async encode(tokens: OAuthTokens, storeKey: string): Promise<Envelope> {
        const iv = randomBytes(12);
        const key = await (imported.get(current) as Promise<CryptoKey>);
        const json = JSON.stringify(tokens);
        const ct = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: utf8(storeKey) }, key, utf8(json));
        const envelope: Envelope = { v: 1, alg: 'A256GCM', kid: current, iv: base64url(iv), ct: base64url(ct) };
        remember(storeKey, { kid: envelope.kid, iv: envelope.iv, ct: envelope.ct, json });
        return envelope;
      },
      async decode(stored: unknown, storeKey: string): Promise<OAuthTokens> {
        const envelope = stored as Partial<Envelope> | null;
        if (
          !envelope ||
          typeof envelope !== 'object' ||
          envelope.v !== 1 ||
          envelope.alg !== 'A256GCM' ||
          typeof envelope.kid !== 'string'
        ) {
          throw tamper(storeKey, 'not an encrypted token envelope');
        }
        const hit = cache.get(storeKey);
        if (hit && hit.kid === envelope.kid && hit.iv === envelope.iv && hit.ct === envelope.ct) return JSON.parse(hit.json) as OAuthTokens;
        const key = imported.get(envelope.kid);
        if (!key) {
          throw new IntegrationError(
            'invalid_config',
            `stored tokens at "${storeKey}" use key id "${envelope.kid.slice(0, 64)}", which is not configured`,
            {
              details: { field: 'keys', kid: envelope.kid.slice(0, 64) },
            },
          );
        }
        const iv = typeof envelope.iv === 'string' ? fromBase64url(envelope.iv) : undefined;
        const ct = typeof envelope.ct === 'string' ? fromBase64url(envelope.ct) : undefined;
        if (iv?.length !== 12 || !ct || ct.length < 16) throw tamper(storeKey, 'malformed envelope', envelope.kid);
        let plain: ArrayBuffer;
        try {
          plain = await subtle().decrypt({ name: 'AES-GCM', iv, additionalData: utf8(storeKey) }, await key, ct);
        } catch {
          throw tamper(storeKey, 'authentication tag mismatch', envelope.kid);
        }
        const json = new TextDecoder().decode(plain);
        remember(storeKey, { kid: envelope.kid, iv: envelope.iv as string, ct: envelope.ct as string, json });
        return JSON.parse(json) as OAuthTokens;
      },
    },
  });
}
