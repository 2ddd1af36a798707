/**
 * Canonical JSON and SHA-256, for stable idempotency keys and request fingerprints.
 *
 * Canonical form follows RFC 8785 (JCS) where it matters here: object keys sorted by UTF-16 code
 * units, no whitespace, numbers as ECMAScript prints them (which is what JCS specifies). So
 * `{ b: 1, a: 2 }` and `{ a: 2, b: 1 }` hash the same. Values JSON cannot represent faithfully
 * (undefined at the top, functions, bigints, NaN, Infinity, Dates, class instances, cycles) are
 * `invalid_input` rather than silently turned into something else that might collide.
 */
import { IntegrationError } from '../core/errors.js';

/**
 * Canonical JSON (RFC 8785 key order) of a value, so equal data always serializes, and hashes, the same.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown, field = 'value'): string {
  return write(value, new Set(), '$', field);
}

function write(value: unknown, path: Set<object>, where: string, field: string): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw notJson(field, where, String(value));
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (path.has(value)) throw notJson(field, where, 'a circular reference');
      if (value instanceof Date) throw notJson(field, where, 'a Date (pass an ISO string)');
      const proto = Object.getPrototypeOf(value);
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        throw notJson(field, where, `an instance of ${(value as object).constructor?.name ?? 'a class'}`);
      }
      path.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = `[${value.map((item, i) => (item === undefined ? 'null' : write(item, path, `${where}[${i}]`, field))).join(',')}]`;
      } else {
        const keys = Object.keys(value)
          .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
          .sort();
        out = `{${keys.map((k) => `${JSON.stringify(k)}:${write((value as Record<string, unknown>)[k], path, `${where}.${k}`, field)}`).join(',')}}`;
      }
      path.delete(value);
      return out;
    }
    default:
      throw notJson(field, where, typeof value);
  }
}

function notJson(field: string, where: string, what: string): IntegrationError {
  return new IntegrationError('invalid_input', `${field} must be JSON; ${where} is ${what}`, { details: { field } });
}

/**
 * SHA-256 of UTF-8 text, lower-case hex, through Web Crypto (`crypto.subtle`), which Node 20+,
 * Workers, Deno, Bun and browsers all have. That is why key derivation is async.
 *
 * @example
 * await sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export async function sha256Hex(text: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new IntegrationError('unsupported', 'Web Crypto (crypto.subtle) is not available in this runtime');
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
