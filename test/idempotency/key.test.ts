import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, deriveIdempotencyKey, fingerprintOf, sha256Hex } from '../../src/idempotency/index.js';

describe('deriveIdempotencyKey', () => {
  it('is namespace:sha256(canonical JSON of the parts) — checked against Python hashlib', async () => {
    // python3 -c "import hashlib;print(hashlib.sha256(b'[\"order\",{\"amount\":4900,\"currency\":\"EUR\"}]').hexdigest())"
    expect(await deriveIdempotencyKey('charge', 'order', { currency: 'EUR', amount: 4900 })).toBe(
      'charge:5518b3523d6d5db8b1547ae3fd1de3e09d053bd3f84b8780122ec33fb38a0be8',
    );
  });

  it('is stable under key order and different for any change', async () => {
    const a = await deriveIdempotencyKey('booking', 42, { start: '2026-11-25T10:00', room: 'A' });
    expect(await deriveIdempotencyKey('booking', 42, { room: 'A', start: '2026-11-25T10:00' })).toBe(a);
    expect(await deriveIdempotencyKey('booking', 43, { room: 'A', start: '2026-11-25T10:00' })).not.toBe(a);
    expect(await deriveIdempotencyKey('booking2', 42, { room: 'A', start: '2026-11-25T10:00' })).not.toBe(a);
    // Parts are positional: ('a', 'b') is not ('ab') nor ('b', 'a').
    const ab = await deriveIdempotencyKey('n', 'a', 'b');
    expect(await deriveIdempotencyKey('n', 'ab')).not.toBe(ab);
    expect(await deriveIdempotencyKey('n', 'b', 'a')).not.toBe(ab);
  });

  it('rejects bad namespaces, no parts and non-JSON parts with invalid_input', async () => {
    for (const ns of ['', ' x', 'a:b', 'x'.repeat(101), 5]) {
      await expect(deriveIdempotencyKey(ns as string, 1)).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'namespace' } });
    }
    await expect(deriveIdempotencyKey('ns')).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'parts' } });
    for (const bad of [Number.NaN, () => 1, 1n, new Date(0), new Map(), Symbol('s')]) {
      await expect(deriveIdempotencyKey('ns', { bad })).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'parts' } });
    }
  });
});

describe('canonicalJson', () => {
  it('sorts keys, drops undefined members, keeps array order', () => {
    expect(canonicalJson({ b: [3, 1, { d: 1, c: undefined }], a: 'é' })).toBe('{"a":"é","b":[3,1,{"d":1}]}');
  });

  it('rejects cycles', () => {
    const o: Record<string, unknown> = {};
    o.o = o;
    expect(() => canonicalJson(o)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('property: parses back to the same value, and shuffling keys does not change it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        const shuffled = JSON.parse(JSON.stringify(value), (_, v) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        );
        expect(canonicalJson(shuffled)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});

describe('sha256Hex and fingerprintOf', () => {
  it('matches the FIPS 180-2 test vector', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('fingerprints equal payloads equally', async () => {
    expect(await fingerprintOf({ a: 1, b: 2 })).toBe(await fingerprintOf({ b: 2, a: 1 }));
    expect(await fingerprintOf({ a: 1 })).not.toBe(await fingerprintOf({ a: '1' }));
  });
});
