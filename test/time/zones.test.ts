import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { assertTimeZone, canonicalTimeZone, isValidTimeZone } from '../../src/time/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isIntegrationError(err) ? err.code : 'not-an-integration-error';
  }
  return undefined;
}

describe('zone validation', () => {
  it('accepts IANA names and returns them unchanged', () => {
    for (const z of [
      'America/New_York',
      'Europe/London',
      'Pacific/Chatham',
      'America/Argentina/Buenos_Aires',
      'UTC',
      'Etc/GMT+5',
      'America/Ciudad_Juarez',
    ]) {
      expect(assertTimeZone(z)).toBe(z);
    }
  });

  it('maps legacy aliases to the canonical names', () => {
    expect(canonicalTimeZone('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(canonicalTimeZone('Europe/Kiev')).toBe('Europe/Kyiv');
    expect(canonicalTimeZone('America/Godthab')).toBe('America/Nuuk');
    expect(canonicalTimeZone('Pacific/Enderbury')).toBe('Pacific/Kanton');
    expect(canonicalTimeZone('Asia/Saigon')).toBe('Asia/Ho_Chi_Minh');
    expect(canonicalTimeZone('US/Eastern')).toBe('America/New_York');
    expect(canonicalTimeZone('Etc/UTC')).toBe('UTC');
    // A zone.tab country zone that tz merged into another is still a name of its own.
    expect(canonicalTimeZone('Europe/Bratislava')).toBe('Europe/Bratislava');
  });

  it.each(['EST5EDT', 'CST6CDT', 'PST8PDT', 'EST', 'MST', 'HST'])('rejects POSIX-style or abbreviated %s with a suggestion', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
    expect(() => assertTimeZone(zone)).toThrow(/ambiguous; use/);
    expect(codeOf(() => assertTimeZone(zone))).toBe('invalid_input');
  });

  it.each([
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
    'America/New_Yrok',
    'america/new_york',
    'Mars/Olympus',
    '',
    '+05:00',
    'Europe/London ',
    '../../etc/passwd',
    'a'.repeat(500),
  ])('rejects %j with invalid_input', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
    expect(codeOf(() => assertTimeZone(zone))).toBe('invalid_input');
  });

  it('rejects non-strings without crashing', () => {
    for (const v of [undefined, null, 42, {}]) expect(codeOf(() => assertTimeZone(v))).toBe('invalid_input');
  });
});
