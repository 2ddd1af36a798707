import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { parseHttpDate, parseRetryAfter, retryAfterFromHeaders } from '../../src/retry/index.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const now = () => NOW;

describe('parseRetryAfter', () => {
  it.each<[string | null | undefined, number | undefined]>([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5000],
    ['1.5', 1500], // not RFC, but sent in the wild; rounded up to whole ms
    ['Wed, 25 Nov 2026 12:00:30 GMT', 30_000], // IMF-fixdate
    ['Wednesday, 25-Nov-26 12:01:00 GMT', 60_000], // obsolete RFC 850
    ['Wed Nov 25 12:00:10 2026', 10_000], // asctime, read as UTC
    ['Wed, 25 Nov 2026 11:00:00 GMT', 0], // in the past: go now, never negative
    [null, undefined],
    [undefined, undefined],
    ['', undefined],
    ['-5', undefined],
    ['soon', undefined],
    ['5 apples', undefined],
    ['Wed, 31 Feb 2026 12:00:00 GMT', undefined],
    ['Wed, 25 Nov 2026 25:00:00 GMT', undefined],
    ['2026-11-25T12:00:30Z', undefined], // ISO is not an HTTP-date
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it('rejects a non-string with invalid_input instead of guessing', () => {
    for (const value of [5, {}, ['1']]) {
      expect(() => parseRetryAfter(value as unknown as string, now)).toThrow(IntegrationError);
    }
    expect(() => parseRetryAfter('1', 'x' as unknown as () => number)).toThrow(/now must be a function/);
  });

  it('property: delta-seconds round-trip exactly', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (s) => parseRetryAfter(String(s), now) === s * 1000));
  });

  it('property: an HTTP-date written by Date#toUTCString parses to the same second', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
        const whole = Math.floor(ms / 1000) * 1000;
        return parseHttpDate(new Date(whole).toUTCString()) === whole;
      }),
    );
  });

  it('property: never negative, never NaN, for any string', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const v = parseRetryAfter(s, now);
        return v === undefined || (Number.isFinite(v) && v >= 0);
      }),
    );
  });
});

describe('retryAfterFromHeaders', () => {
  it('prefers millisecond headers, then Retry-After, on Headers and plain records alike', () => {
    expect(retryAfterFromHeaders(new Headers({ 'Retry-After': '3' }), now)).toBe(3000);
    expect(retryAfterFromHeaders({ 'retry-after': '3', 'retry-after-ms': '250' }, now)).toBe(250);
    expect(retryAfterFromHeaders({ 'X-MS-Retry-After-Ms': '40' }, now)).toBe(40);
    expect(retryAfterFromHeaders({ 'Retry-After': ['2', '9'] }, now)).toBe(2000);
    expect(retryAfterFromHeaders({ 'retry-after-ms': 'x', 'Retry-After': 'nonsense' }, now)).toBeUndefined();
    expect(retryAfterFromHeaders(undefined, now)).toBeUndefined();
  });
});
