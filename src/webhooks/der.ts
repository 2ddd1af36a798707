/**
 * Just enough DER to (1) turn an ECDSA signature into the `r || s` form Web Crypto wants and (2)
 * pull the SubjectPublicKeyInfo out of an X.509 certificate (SNS), without a dependency and without
 * `node:crypto`'s X509Certificate, so the same parser runs on every runtime. Every read is bounds
 * checked; anything unexpected returns `undefined`.
 */
import { fromPemOrBase64 } from './encoding.js';

interface Tlv {
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the last content byte. */
  end: number;
  /** Offset of the tag byte (start of the whole element). */
  header: number;
}

function readTlv(bytes: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) return undefined; // multi-byte tags never occur in what we read
  let length = bytes[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] as number);
    start += count;
    if (length < 0x80) return undefined; // DER uses the short form for short lengths
  }
  const end = start + length;
  if (end > limit) return undefined;
  return { tag, start, end, header: offset };
}

/**
 * DER `SEQUENCE { INTEGER r, INTEGER s }` → 64-byte `r || s` for P-256, or `undefined` when it is
 * not exactly that (trailing bytes, negative or oversized integers, non-minimal encodings).
 */
export function ecdsaDerToRaw(der: Uint8Array, size = 32): Uint8Array | undefined {
  const seq = readTlv(der, 0, der.length);
  if (seq?.tag !== 0x30 || seq.end !== der.length) return undefined;
  const out = new Uint8Array(size * 2);
  let offset = seq.start;
  for (let k = 0; k < 2; k++) {
    const int = readTlv(der, offset, seq.end);
    if (int?.tag !== 0x02 || int.end === int.start) return undefined;
    let start = int.start;
    const first = der[start] as number;
    if (first & 0x80) return undefined; // negative
    if (first === 0 && int.end - start > 1) {
      if (((der[start + 1] as number) & 0x80) === 0) return undefined; // non-minimal
      start++;
    }
    const length = int.end - start;
    if (length > size) return undefined;
    out.set(der.subarray(start, int.end), k * size + (size - length));
    offset = int.end;
  }
  return offset === seq.end ? out : undefined;
}

/** The DER SubjectPublicKeyInfo inside a DER X.509 certificate. */
export function spkiFromCertificate(der: Uint8Array): Uint8Array | undefined {
  const cert = readTlv(der, 0, der.length);
  if (cert?.tag !== 0x30) return undefined;
  const tbs = readTlv(der, cert.start, cert.end);
  if (tbs?.tag !== 0x30) return undefined;
  let offset = tbs.start;
  let field = readTlv(der, offset, tbs.end);
  if (field && field.tag === 0xa0) {
    offset = field.end; // [0] EXPLICIT version
    field = readTlv(der, offset, tbs.end);
  }
  // serialNumber, signature AlgorithmIdentifier, issuer, validity, subject, then the SPKI.
  for (let i = 0; i < 5; i++) {
    if (!field) return undefined;
    offset = field.end;
    field = readTlv(der, offset, tbs.end);
  }
  if (field?.tag !== 0x30) return undefined;
  return der.slice(field.header, field.end);
}

/** The certificates (DER) in a PEM text, in order. */
export function pemCertificates(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g)) {
    const bytes = fromPemOrBase64(m[1] as string);
    if (bytes) out.push(bytes);
  }
  return out;
}
