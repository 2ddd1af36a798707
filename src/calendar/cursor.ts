/**
 * Opaque cursors. Hosts store them and hand them back; only the adapter that made one reads it.
 * base64url of a small JSON object, so a cursor survives any store and URL unchanged.
 */
import { IntegrationError } from '../core/errors.js';

/** Only characters below U+0080: then the UTF-8 bytes are the characters themselves. */
const ASCII = /^[\0-\x7f]*$/;

export function encodeCursor(value: unknown): string {
  const json = JSON.stringify(value);
  // Cursors are encoded and decoded once per page: ASCII JSON (nearly all) skips the byte loop.
  let binary = '';
  if (ASCII.test(json)) binary = json;
  else for (const b of new TextEncoder().encode(json)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor<T>(cursor: string, provider: string, check: (v: unknown) => v is T): T {
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const text = ASCII.test(binary) ? binary : new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const value: unknown = JSON.parse(text);
    if (check(value)) return value;
  } catch {
    // fall through: every malformed cursor gets the same error
  }
  throw new IntegrationError('invalid_input', `not a ${provider} sync cursor`, { provider, details: { field: 'cursor' } });
}
