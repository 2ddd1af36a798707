/**
 * Every row of CLDR windowsZones.xml (test/fixtures/cldr, 500 mapZone rows) must map to a zone luxon
 * accepts, and back. The fixture is parsed here independently of the generator script.
 */
import { readFileSync } from 'node:fs';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, ianaToWindows, windowsToIana, windowsZoneNames } from '../../src/time/index.js';

const xml = readFileSync(new URL('../fixtures/cldr/windowsZones.xml', import.meta.url), 'utf8');
const rows = [...xml.matchAll(/<mapZone other="([^"]+)" territory="([^"]+)" type="([^"]+)"\/>/g)].map((m) => ({
  windows: m[1]!,
  territory: m[2]!,
  zones: m[3]!.split(' ').filter(Boolean), // CLDR has a trailing space in one row
}));

describe('Windows ↔ IANA (CLDR)', () => {
  it('reads all 500 rows and 139 Windows ids from the fixture', () => {
    expect(rows).toHaveLength(500);
    expect(new Set(rows.map((r) => r.windows)).size).toBe(139);
    expect(windowsZoneNames().sort()).toEqual([...new Set(rows.map((r) => r.windows))].sort());
  });

  it('maps every Windows id (golden 001 zone) to a zone luxon accepts, in canonical form', () => {
    for (const r of rows.filter((x) => x.territory === '001')) {
      const iana = windowsToIana(r.windows);
      expect(iana, r.windows).toBe(canonicalTimeZone(r.zones[0]!));
      expect(IANAZone.isValidZone(iana!), `${r.windows} → ${iana}`).toBe(true);
    }
  });

  it('maps every (Windows id, territory) row to its first zone', () => {
    for (const r of rows) expect(windowsToIana(r.windows, r.territory), `${r.windows}/${r.territory}`).toBe(canonicalTimeZone(r.zones[0]!));
  });

  it('maps every IANA zone listed in CLDR back to its Windows id, by old and new name', () => {
    for (const r of rows) {
      for (const zone of r.zones) {
        expect(IANAZone.isValidZone(canonicalTimeZone(zone)!), zone).toBe(true);
        expect(ianaToWindows(zone), zone).toBe(r.windows);
        expect(ianaToWindows(canonicalTimeZone(zone)!), zone).toBe(r.windows);
      }
    }
  });

  it('returns current ids where CLDR still has old ones, and maps the zones windows-iana misses', () => {
    expect(windowsToIana('India Standard Time')).toBe('Asia/Kolkata');
    expect(windowsToIana('FLE Standard Time', 'UA')).toBe('Europe/Kyiv');
    expect(windowsToIana('Greenland Standard Time')).toBe('America/Nuuk');
    expect(windowsToIana('UTC+13', 'KI')).toBe('Pacific/Kanton');
    expect(ianaToWindows('Europe/Kyiv')).toBe('FLE Standard Time');
    expect(ianaToWindows('America/Ciudad_Juarez')).toBe('Mountain Standard Time');
    expect(ianaToWindows('Pacific/Kanton')).toBe('UTC+13');
    expect(ianaToWindows('Asia/Calcutta')).toBe('India Standard Time');
    expect(ianaToWindows('UTC')).toBe('UTC');
  });

  it('falls back to the golden zone for an unknown territory, and answers undefined for unknown names', () => {
    expect(windowsToIana('Eastern Standard Time', 'ZZZ')).toBe('America/New_York');
    expect(windowsToIana('Eastern Standard Time', 'ca')).toBe('America/Toronto');
    expect(windowsToIana('Nowhere Standard Time')).toBeUndefined();
    expect(windowsToIana('toString')).toBeUndefined();
    expect(windowsToIana('__proto__')).toBeUndefined();
    expect(ianaToWindows('EST5EDT')).toBeUndefined();
    expect(ianaToWindows('Not/AZone')).toBeUndefined();
    expect(ianaToWindows(undefined as unknown as string)).toBeUndefined();
  });
});
