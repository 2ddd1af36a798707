/**
 * Reading headers from `Headers` or a plain record with the same rules everywhere: names are
 * case-insensitive, a header sent twice with different values is ambiguous (`invalid_input`),
 * and values are capped so a hostile sender cannot make us parse megabytes of signature list.
 */
import { fail } from './errors.js';
import type { HeadersLike } from './types.js';

/** Longest header value we parse. Real signature headers are under 1 KB. */
export const MAX_HEADER_LENGTH = 8192;
/** Most signatures (or secrets) we try for one request: rotation needs two or three. */
export const MAX_SIGNATURES = 16;

function isFetchHeaders(headers: HeadersLike): headers is Headers {
  // Duck-typed: a `Headers` from another realm (an edge sandbox, a polyfill) is not `instanceof Headers`.
  return typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function';
}

/**
 * The value of header `name` (lower-case), or `undefined` when absent or empty. `provider` names the
 * verifier in the error when the header is duplicated or oversized.
 *
 * Header names are quoted in messages: the redactor masks the word after a bare "token", and
 * `x-goog-channel-token header` would come out as `x-goog-channel-token ****`.
 */
export function readHeader(headers: HeadersLike, name: string, provider: string): string | undefined {
  if (headers === null || typeof headers !== 'object') {
    throw fail.input(provider, 'headers must be a Headers object or a record of header values', 'headers');
  }
  let value: unknown;
  if (isFetchHeaders(headers)) {
    value = headers.get(name) ?? undefined;
  } else {
    value = headers[name];
    if (value === undefined) {
      for (const key of Object.keys(headers)) {
        if (key.length === name.length && key.toLowerCase() === name) {
          value = headers[key];
          break;
        }
      }
    }
  }
  if (Array.isArray(value)) {
    const distinct = new Set(value);
    if (distinct.size > 1) {
      throw fail.input(
        provider,
        `the "${name}" header was sent more than once with different values; refusing to guess which one is signed`,
        name,
      );
    }
    value = value[0];
  }
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw fail.input(provider, `the "${name}" header must be a string`, name);
  }
  if (value.length > MAX_HEADER_LENGTH) {
    throw fail.input(provider, `the "${name}" header is longer than ${MAX_HEADER_LENGTH} characters`, name);
  }
  return value;
}

export function requireHeader(headers: HeadersLike, name: string, provider: string, hint = ''): string {
  const value = readHeader(headers, name, provider);
  if (value === undefined) {
    throw fail.input(provider, `missing "${name}" header${hint ? `: ${hint}` : ''}`, name);
  }
  return value;
}
