/**
 * Byte and text helpers that behave the same on Node and on Web-standard runtimes (no `Buffer`).
 * Decoders are strict: a signature or key that is not canonical base64 or hex is rejected rather
 * than silently truncated, which is what `Buffer.from(x, 'base64')` would do.
 */

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decode UTF-8, or `undefined` when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

export function concatBytes(parts: readonly (string | Uint8Array)[]): Uint8Array {
  const chunks = parts.map(toBytes);
  let length = 0;
  for (const c of chunks) length += c.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out += HEX[b >> 4] as string;
    out += HEX[b & 15] as string;
  }
  return out;
}

/** Strict lowercase hex (what every provider sends): `undefined` for anything else. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(text.charCodeAt(2 * i));
    const lo = hexValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Bytes as a binary string (one char per byte), the form `btoa` takes and `atob` returns. */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i] as number);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  return btoa(latin1(bytes));
}

/**
 * Strict standard base64 (RFC 4648 §4, padded): `undefined` for anything else, including
 * non-zero trailing bits, so each byte string has exactly one accepted spelling. Decoded by hand:
 * `atob` (plus a check that it was canonical) costs about a microsecond more per Standard Webhooks
 * signature on Node, which the verification benchmark sees.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const end = text.length - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
  const out = new Uint8Array((end * 3) >> 2);
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    // A–Z, a–z, 0–9, '+', '/'; anything else (a stray '=' included) is not base64.
    const v = c > 64 && c < 91 ? c - 65 : c > 96 && c < 123 ? c - 71 : c > 47 && c < 58 ? c + 4 : c === 43 ? 62 : c === 47 ? 63 : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = acc >> bits;
    }
  }
  // The bits left over before the padding (4 after `xx==`, 2 after `xxx=`) must be zero.
  return acc & ((1 << bits) - 1) ? undefined : out;
}

/** Strip PEM armour (if any) and whitespace, then decode base64. */
export function fromPemOrBase64(text: string): Uint8Array | undefined {
  const body = text.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
  return body.length === 0 ? undefined : fromBase64(body);
}
