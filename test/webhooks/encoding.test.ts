/** Strict decoders: one accepted spelling per byte string, no silent truncation; DER parsing bounded. */
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ecdsaDerToRaw, spkiFromCertificate } from '../../src/webhooks/der.js';
import { fromBase64, toBase64, toHex } from '../../src/webhooks/encoding.js';

describe('base64 and hex', () => {
  it('round-trips and matches Buffer for every byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const b64 = toBase64(bytes);
        expect(b64).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(b64)).toEqual(bytes);
        expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
      }),
      { numRuns: 300 },
    );
  });

  it.each(['abc', 'ab=c', 'YQ=', 'YR==', 'YWI=a', '****', 'YWJj\n', 'YW I='])('rejects non-canonical %j', (text) => {
    expect(fromBase64(text)).toBeUndefined();
  });

  it('accepts only what re-encodes to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFabcdef0189+/='), maxLength: 16 }), (text) => {
        const bytes = fromBase64(text);
        if (bytes) expect(toBase64(bytes)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('DER', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  it('converts node:crypto DER ECDSA signatures to the same bytes as its P1363 form', () => {
    for (let i = 0; i < 50; i++) {
      const data = Buffer.from(`message ${i}`);
      const der = sign('sha256', data, privateKey);
      const raw = ecdsaDerToRaw(der);
      expect(raw).toHaveLength(64);
      // node:crypto must accept our r || s bytes as the P1363 form of the same signature.
      expect(verify('sha256', data, { key: createPublicKey(privateKey), dsaEncoding: 'ieee-p1363' }, raw as Uint8Array)).toBe(true);
    }
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        ecdsaDerToRaw(bytes);
        spkiFromCertificate(bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects lengths that run past the end', () => {
    expect(ecdsaDerToRaw(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01]))).toBeUndefined();
    expect(ecdsaDerToRaw(new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x05, 0x01]))).toBeUndefined();
  });
});
