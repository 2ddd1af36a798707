/** Opaque cursors: base64url of UTF-8 JSON, whatever characters the provider's tokens hold. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/calendar/cursor.js';
import { IntegrationError } from '../../src/core/errors.js';

const anything = (v: unknown): v is unknown => true;
/** The encoding before the ASCII shortcut: every value through TextEncoder. */
const reference = (value: unknown) => {
  let binary = '';
  for (const b of new TextEncoder().encode(JSON.stringify(value))) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

describe('cursors', () => {
  it('encode as base64url of UTF-8 JSON and decode back, ASCII or not', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ t: fc.constant('page'), v: fc.string({ unit: 'binary' }) })), (value) => {
        const cursor = encodeCursor(value);
        expect(cursor).toBe(reference(value));
        expect(cursor).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeCursor(cursor, 'google', anything)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 2000 },
    );
    expect(decodeCursor(encodeCursor({ t: 'page', v: 'Fé🙂' }), 'google', anything)).toEqual({ t: 'page', v: 'Fé🙂' });
  });

  it('rejects what is not a cursor of this provider with invalid_input', () => {
    const isPage = (v: unknown): v is { t: 'page' } => (v as { t?: string })?.t === 'page';
    for (const bad of ['', '!!!', 'bm90IGpzb24', encodeCursor({ t: 'sync' }), btoa('\xff\xfe{')]) {
      expect(() => decodeCursor(bad, 'google', isPage)).toThrow(IntegrationError);
      try {
        decodeCursor(bad, 'google', isPage);
      } catch (error) {
        expect((error as IntegrationError).code).toBe('invalid_input');
      }
    }
  });
});
