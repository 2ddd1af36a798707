/**
 * Windows time zone ids (what Graph returns in `start.timeZone` and accepts in
 * `Prefer: outlook.timezone`) ↔ IANA ids, from CLDR's windowsZones table (generated file).
 */
import { IANA_TO_WINDOWS, WINDOWS_TO_IANA } from './windows-zones.js';
import { canonicalTimeZone } from './zones.js';

/**
 * The IANA zone for a Windows id. `territory` is a CLDR region (`US`, `GB`, `IN`); without it, or
 * when the Windows id has no row for it, the golden zone (territory `001`) is used. Returns the
 * current canonical id (`India Standard Time` → `Asia/Kolkata`, not CLDR's `Asia/Calcutta`).
 *
 * @example
 * windowsToIana('Pacific Standard Time'); // 'America/Los_Angeles'
 * windowsToIana('Eastern Standard Time', 'CA'); // 'America/Toronto'
 */
export function windowsToIana(name: string, territory?: string): string | undefined {
  if (typeof name !== 'string') return undefined;
  const byTerritory = Object.hasOwn(WINDOWS_TO_IANA, name) ? WINDOWS_TO_IANA[name] : undefined;
  if (!byTerritory) return undefined;
  const key = typeof territory === 'string' ? territory.toUpperCase() : '001';
  const zones = (Object.hasOwn(byTerritory, key) ? byTerritory[key] : undefined) ?? byTerritory['001'];
  return zones?.split(' ')[0];
}

/**
 * The Windows id for an IANA zone; legacy names are accepted (`Asia/Calcutta`, `Europe/Kiev`).
 * `UTC` maps to the Windows id `UTC`. Returns undefined for a zone CLDR does not list.
 *
 * @example
 * ianaToWindows('Europe/Berlin'); // 'W. Europe Standard Time'
 */
export function ianaToWindows(zone: string): string | undefined {
  const canonical = typeof zone === 'string' ? canonicalTimeZone(zone) : undefined;
  if (canonical === undefined) return undefined;
  if (Object.hasOwn(IANA_TO_WINDOWS, canonical)) return IANA_TO_WINDOWS[canonical];
  return canonical === 'UTC' ? 'UTC' : undefined;
}

/**
 * Every Windows id CLDR knows, for validation and UI pickers.
 *
 * @example
 * windowsZoneNames().includes('W. Europe Standard Time'); // true
 */
export function windowsZoneNames(): string[] {
  return Object.keys(WINDOWS_TO_IANA);
}
