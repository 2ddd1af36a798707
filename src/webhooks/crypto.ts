/**
 * The crypto the verifiers need, on two back ends with one behaviour:
 * - Web Crypto (`globalThis.crypto.subtle`): everywhere, async; the only back end for SHA-256
 *   digests and for the asymmetric signatures (SendGrid, SNS), which are rare and not hot.
 * - `node:crypto`: on Node (and Bun), synchronous HMAC that is several times faster than a
 *   `subtle.sign` round-trip for a webhook-sized body. It is reached only through a dynamic
 *   `import()` behind a runtime check, so an edge bundle never contains a static `node:` import.
 *
 * Comparisons are constant-time JavaScript on both, signatures are decoded by the same strict
 * parsers (see encoding.ts and der.ts) and imported keys are cached, so a verifier gives the same
 * answer on both.
 */
import { IntegrationErrorBase } from '../core/error-base.js';
import { concatBytes, decodeUtf8, toBytes, toHex } from './encoding.js';

export type HashName = 'SHA-1' | 'SHA-256';
export type Encoding = 'hex' | 'base64';
type Data = string | Uint8Array;

/** The slice of `node:crypto` we use, typed locally so the public types do not need `@types/node`. */
interface NodeCrypto {
  createHmac(algorithm: string, key: Data): { update(data: Data): unknown; digest(): Uint8Array };
}

/** The slice of `node:buffer` used to decode verified bodies (strict UTF-8 check, then a fast decode). */
interface NodeBuffer {
  isUtf8?: (input: Uint8Array) => boolean;
  Buffer: { from(buffer: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: 'utf8'): string } };
}

let nodeModule: NodeCrypto | null | undefined;
let nodeBuffer: NodeBuffer | null = null;
let nodeLoading: Promise<NodeCrypto | null> | undefined;
let forceWeb = false;

function looksLikeNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; EdgeRuntime?: unknown };
  return typeof g.EdgeRuntime === 'undefined' && typeof g.process?.versions?.node === 'string';
}

/**
 * `node:crypto` when this is Node (or a runtime that provides it), else `null`. The first call
 * returns a promise (the dynamic import, cached); later calls return the module synchronously.
 */
export function nodeCrypto(): NodeCrypto | null | Promise<NodeCrypto | null> {
  if (forceWeb) return null;
  if (nodeModule !== undefined) return nodeModule;
  nodeLoading ??= (
    looksLikeNode()
      ? Promise.all([importNode('crypto'), importNode('buffer').catch(() => null)]).then(
          ([m, b]) => {
            nodeBuffer = b as unknown as NodeBuffer | null;
            return m as unknown as NodeCrypto;
          },
          () => null,
        )
      : Promise.resolve(null)
  ).then((m) => {
    nodeModule = m;
    return m;
  });
  return nodeLoading;
}

/**
 * `import('node:<name>')` with a specifier built at run time: esbuild (and so wrangler, tsup, Vite's
 * dev server) only tries to resolve literal specifiers, so an edge bundle builds without anyone
 * marking `node:*` external; the comments keep webpack (Next.js) and Vite from warning about it.
 */
function importNode(name: string): Promise<unknown> {
  const specifier = ['node', name].join(':');
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

async function node(): Promise<NodeCrypto | null> {
  const m = nodeCrypto();
  return m !== null && 'then' in m ? await m : m;
}

/** Test and benchmark hook: `true` makes every operation take the Web Crypto path. Not exported publicly. */
export function useWebCryptoOnly(on: boolean): void {
  forceWeb = on;
}

export function backendName(): 'node' | 'web' {
  return !forceWeb && nodeModule ? 'node' : 'web';
}

/**
 * Strict UTF-8 decode of a verified body, or `undefined` when it is not UTF-8. On Node,
 * `isUtf8` + `Buffer#toString` is about twice as fast as a fatal `TextDecoder` on a 2 KB body.
 */
export function decodeBody(bytes: Uint8Array): string | undefined {
  const b = forceWeb ? null : nodeBuffer;
  if (b?.isUtf8) {
    if (!b.isUtf8(bytes)) return undefined;
    // Keeps a leading BOM, as the fatal TextDecoder with ignoreBOM does (JSON.parse then rejects it).
    return b.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }
  return decodeUtf8(bytes);
}

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!s) {
    throw new IntegrationErrorBase('unsupported', 'this runtime has neither node:crypto nor Web Crypto (globalThis.crypto.subtle)', {
      provider: 'webhooks',
    });
  }
  return s;
}

/** A small cache of imported keys (they are expensive; secrets are few): cleared whole when full. */
function cached<V>(cache: Map<string, V>, key: string, make: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= 64) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}

const webHmacKeys = new Map<string, Promise<CryptoKey>>();

/**
 * HMAC of the concatenated `parts` (raw bytes: compare them with {@link safeEqualBytes}).
 * Returns the bytes directly, not a promise, once node:crypto is loaded: verifiers write
 * `await hmac(…)` either way, and skipping a promise per call is measurable at webhook sizes.
 */
export function hmac(hash: HashName, key: Data, parts: readonly Data[]): Uint8Array | Promise<Uint8Array> {
  const n = forceWeb ? null : nodeModule;
  if (n) {
    const h = n.createHmac(hash === 'SHA-256' ? 'sha256' : 'sha1', key);
    for (const p of parts) h.update(p);
    return h.digest();
  }
  return hmacSlow(hash, key, parts);
}

async function hmacSlow(hash: HashName, key: Data, parts: readonly Data[]): Promise<Uint8Array> {
  if ((await node()) !== null) return hmac(hash, key, parts);
  // Binary keys (decoded whsec_ secrets) are cached under their hex form.
  const id = `${hash}:${typeof key === 'string' ? `s:${key}` : `b:${toHex(key)}`}`;
  const cryptoKey = cached(webHmacKeys, id, () =>
    subtle().importKey('raw', toBytes(key) as BufferSource, { name: 'HMAC', hash }, false, ['sign']),
  );
  return new Uint8Array(await subtle().sign('HMAC', await cryptoKey, concatBytes(parts) as BufferSource));
}

export async function sha256Hex(data: Data): Promise<string> {
  return toHex(new Uint8Array(await subtle().digest('SHA-256', toBytes(data) as BufferSource)));
}

/**
 * Constant-time equality of two ASCII strings (encoded signatures, channel tokens). The time
 * depends only on the length of `expected`, which is public, never on where `given` differs.
 */
export function safeEqual(expected: string, given: string): boolean {
  let diff = expected.length ^ given.length;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (given.charCodeAt(i) | 0);
  return diff === 0;
}

/**
 * Constant-time equality of a computed MAC and a decoded signature. Lengths are public (the MAC
 * length is fixed by the algorithm), so a length mismatch may return early.
 */
export function safeEqualBytes(expected: Uint8Array, given: Uint8Array): boolean {
  if (expected.byteLength !== given.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < expected.byteLength; i++) diff |= (expected[i] as number) ^ (given[i] as number);
  return diff === 0;
}

export type PublicKeyKind = { name: 'ECDSA'; curve: 'P-256' } | { name: 'RSASSA-PKCS1-v1_5'; hash: HashName };

const publicKeys = new Map<string, Promise<CryptoKey>>();

/** Thrown (and mapped to `invalid_config` or `signature_invalid` by the caller) when a key cannot be imported. */
export class KeyImportError extends Error {}

/**
 * Verify an asymmetric signature over `data` with a DER SubjectPublicKeyInfo, through Web Crypto
 * on every runtime. ECDSA signatures are IEEE P1363 (`r || s`, 64 bytes for P-256): callers
 * convert DER with der.ts first.
 */
export async function verifySignature(kind: PublicKeyKind, spki: Uint8Array, data: Data, signature: Uint8Array): Promise<boolean> {
  const ecdsa = kind.name === 'ECDSA';
  const id = `${ecdsa ? kind.curve : kind.hash}:${toHex(spki)}`;
  const keyPromise = cached(publicKeys, id, () =>
    subtle().importKey('spki', spki as BufferSource, ecdsa ? { name: 'ECDSA', namedCurve: kind.curve } : kind, false, ['verify']),
  );
  let key: CryptoKey;
  try {
    key = await keyPromise;
  } catch (cause) {
    publicKeys.delete(id);
    throw new KeyImportError(`not a DER SubjectPublicKeyInfo of ${ecdsa ? `a ${kind.curve} ECDSA` : 'an RSA'} key`, { cause });
  }
  return subtle().verify(ecdsa ? { name: 'ECDSA', hash: 'SHA-256' } : kind, key, signature as BufferSource, toBytes(data) as BufferSource);
}
