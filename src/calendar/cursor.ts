/**
 * Opaque cursors. Hosts store them and hand them back; only the adapter that made one reads it.
 * base64url of a small JSON object, so a cursor survives any store and URL unchanged.
 */
import { IntegrationError } from '../core/errors.js';

export function encodeCursor(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor<T>(cursor: string, provider: string, check: (v: unknown) => v is T): T {
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const value: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    if (check(value)) return value;
  } catch {
    // fall through: every malformed cursor gets the same error
  }
  throw new IntegrationError('invalid_input', `not a ${provider} sync cursor`, { provider, details: { field: 'cursor' } });
}
