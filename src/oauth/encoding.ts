/**
 * Byte helpers on Web-standard APIs only (`crypto.getRandomValues`, `crypto.subtle`, `btoa`), so
 * `switchyard/oauth` runs unchanged on Node 20+, Workers, Deno and Bun.
 */
import { IntegrationError } from '../core/errors.js';

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

export function subtle(): SubtleCrypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) {
    throw new IntegrationError(
      'unsupported',
      'switchyard/oauth needs Web Crypto (globalThis.crypto.subtle): Node 20+ or a Web-standard runtime',
    );
  }
  return c.subtle;
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

export function base64url(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i++) binary += String.fromCharCode(view[i] as number);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Strict decode: anything outside the canonical base64url alphabet and form is `undefined`, not a guess. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  // Canonical form only: the last character has spare bits, and two spellings of one value would
  // make signed strings malleable.
  return base64url(out) === text ? out : undefined;
}

/** Standard base64 (with `+/=`), the form most key-management tools print. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return fromBase64url(text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
}

export function randomToken(bytes = 32): string {
  return base64url(randomBytes(bytes));
}

/** Length-independent comparison of two strings, so a mismatch position never shows in timing. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = utf8(a);
  const right = utf8(b);
  let diff = left.length ^ right.length;
  const n = Math.max(left.length, right.length);
  for (let i = 0; i < n; i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', utf8(text)));
}
