import { IntegrationError } from '../core/errors.js';
import { canonicalJson, sha256Hex } from './canonical.js';

const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,99}$/;

/**
 * A stable idempotency key: `<namespace>:<sha256 of the canonical JSON of parts>`, e.g.
 * `deriveIdempotencyKey('charge', orderId, { amount, currency })`. The same parts give the same key
 * in every process and runtime, whatever the order of object keys; any change in a part gives
 * another key. 64 hex characters of hash keep the key short enough for every provider (Stripe
 * allows 255) whatever the parts hold, and they never leak the parts themselves.
 *
 * @example
 * const key = await deriveIdempotencyKey('charge', orderId, { amount: 1050, currency: 'EUR' });
 * // 'charge:' followed by 64 hex characters
 */
export async function deriveIdempotencyKey(namespace: string, ...parts: unknown[]): Promise<string> {
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new IntegrationError(
      'invalid_input',
      'namespace must be 1–100 characters of letters, digits, _ . - /, starting with a letter or digit',
      {
        details: { field: 'namespace' },
      },
    );
  }
  if (parts.length === 0) {
    throw new IntegrationError('invalid_input', 'deriveIdempotencyKey needs at least one part besides the namespace', {
      details: { field: 'parts' },
    });
  }
  return `${namespace}:${await sha256Hex(canonicalJson(parts, 'parts'))}`;
}

/**
 * The fingerprint of a request payload: SHA-256 of its canonical JSON.
 *
 * @example
 * (await fingerprintOf({ a: 1, b: 2 })) === (await fingerprintOf({ b: 2, a: 1 })); // true
 */
export function fingerprintOf(payload: unknown): Promise<string> {
  return sha256Hex(canonicalJson(payload, 'fingerprint'));
}
