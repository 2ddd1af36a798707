import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoFromUnixSeconds } from '../../src/payments/stripe/iso.js';

describe('isoFromUnixSeconds', () => {
  it('equals Date#toISOString for every second Stripe can send, and beyond', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 253_402_300_799 }),
          fc.integer({ min: -62_000_000_000, max: 300_000_000_000 }),
          fc.double({ min: -1e10, max: 1e10, noNaN: true }),
        ),
        (s) => {
          expect(isoFromUnixSeconds(s)).toBe(new Date(s * 1000).toISOString());
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('leap days, year ends and the range edges', () => {
    for (const iso of [
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T23:59:59.000Z',
      '2024-02-29T12:00:00.000Z',
      '2100-03-01T00:00:00.000Z',
      '9999-12-31T23:59:59.000Z',
      '2026-12-31T23:59:59.000Z',
    ]) {
      expect(isoFromUnixSeconds(Date.parse(iso) / 1000)).toBe(iso);
    }
  });
});
