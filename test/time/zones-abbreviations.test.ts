import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { assertTimeZone } from '../../src/time/index.js';

describe('assertTimeZone: abbreviations ICU accepts but the tz database does not have', () => {
  it.each(['PST', 'PDT', 'IST', 'BST', 'AEST', 'CST', 'EDT'])('rejects %s with invalid_input', (zone) => {
    expect(() => assertTimeZone(zone)).toThrow(IntegrationError);
    try {
      assertTimeZone(zone);
    } catch (e) {
      expect((e as IntegrationError).code).toBe('invalid_input');
    }
  });

  it('still accepts slash-less tz names and links', () => {
    expect(assertTimeZone('UTC')).toBe('UTC');
    expect(assertTimeZone('GMT')).toBe('Etc/GMT');
    expect(assertTimeZone('Japan')).toBe('Asia/Tokyo');
    expect(assertTimeZone('NZ')).toBe('Pacific/Auckland');
  });
});
