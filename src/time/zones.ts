/**
 * IANA zone validation. Hosts get zone names from users, Google (IANA, sometimes legacy spellings),
 * Graph (Windows names) and CalDAV (TZID, often legacy): everything that reaches luxon goes through
 * here first, so a typo fails loudly instead of silently becoming UTC or the host's zone.
 */
import { IANAZone } from 'luxon';
import { IntegrationError } from '../core/errors.js';
import { ZONE_ALIASES } from './zone-aliases.js';

/**
 * POSIX-style zones (`EST5EDT`, `CST6CDT`) and bare abbreviations (`EST`, `MST`, `HST`): the tz
 * database keeps them for compatibility, but they mean different things to different systems (EST
 * has no DST; "EST" in a UI usually means New York) and Google and Graph reject them.
 */
const POSIX_STYLE = /^(?:[A-Z]{3,4}\d{1,2}(?:[A-Z]{3,4})?|EST|MST|HST|EET|CET|MET|WET|PRC|ROC|ROK)$/;

const SUGGESTIONS: Readonly<Record<string, string>> = {
  EST5EDT: 'America/New_York',
  CST6CDT: 'America/Chicago',
  MST7MDT: 'America/Denver',
  PST8PDT: 'America/Los_Angeles',
  EST: 'America/New_York (with DST) or America/Panama (without)',
  MST: 'America/Denver (with DST) or America/Phoenix (without)',
  HST: 'Pacific/Honolulu',
  CET: 'Europe/Paris',
  EET: 'Europe/Athens',
  WET: 'Europe/Lisbon',
  MET: 'Europe/Brussels',
};

const cache = new Map<string, string | null>();
let known: Set<string> | undefined;

/** Every exact zone spelling we know: ICU's list plus both sides of the alias table (ICU still lists Asia/Calcutta, not Asia/Kolkata). */
function knownZones(): Set<string> {
  if (known) return known;
  known = new Set<string>(['UTC', ...Object.keys(ZONE_ALIASES), ...Object.values(ZONE_ALIASES)]);
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] };
  for (const z of intl.supportedValuesOf?.('timeZone') ?? []) known.add(z);
  return known;
}

/**
 * The canonical IANA id for `zone` (legacy aliases resolved), or `undefined` when it is not a usable IANA zone.
 *
 * @example
 * canonicalTimeZone('Asia/Calcutta'); // 'Asia/Kolkata'
 * canonicalTimeZone('PST'); // undefined
 */
export function canonicalTimeZone(zone: string): string | undefined {
  if (typeof zone !== 'string') return undefined;
  const hit = cache.get(zone);
  if (hit !== undefined) return hit ?? undefined;
  const result = resolve(zone);
  if (cache.size > 1000) cache.clear(); // bounded: zone names can come from untrusted input
  cache.set(zone, result ?? null);
  return result;
}

function resolve(zone: string): string | undefined {
  if (zone.length === 0 || zone.length > 64 || POSIX_STYLE.test(zone)) return undefined;
  if (zone === 'UTC') return 'UTC';
  // Names are case-sensitive in the tz database; Intl is not. Accept only the exact spelling so
  // `america/new_york` is reported rather than guessed at.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/.test(zone)) return undefined;
  // Own keys only: `constructor` or `toString` must not resolve through Object.prototype.
  if (Object.hasOwn(ZONE_ALIASES, zone)) return ZONE_ALIASES[zone];
  if (!IANAZone.isValidZone(zone)) return undefined;
  if (knownZones().has(zone)) return zone;
  // Intl resolves names case-insensitively (`america/new_york` works) but the tz database does not,
  // and Google or Graph would reject the miscased name: refuse anything that is not an exact spelling.
  const lower = zone.toLowerCase();
  for (const known of knownZones()) if (known.toLowerCase() === lower) return undefined;
  if (/(?:^|\/)[a-z]/.test(zone)) return undefined;
  // ICU also accepts abbreviations that are not tz names at all (`PST`, `IST`); every slash-less
  // tz name is either canonical (known above) or a backward link in ZONE_ALIASES.
  if (!zone.includes('/')) return undefined;
  return zone;
}

/**
 * Whether `zone` is an IANA zone switchyard accepts (what `assertTimeZone` would not throw for).
 *
 * @example
 * isValidTimeZone('Europe/Kyiv'); // true
 * isValidTimeZone('EST5EDT'); // false
 */
export function isValidTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== undefined;
}

/**
 * Validate an IANA zone name and return its canonical id (`Asia/Calcutta` → `Asia/Kolkata`).
 * Throws `invalid_input` naming the zone, with a suggestion for POSIX-style names.
 *
 * @example
 * const zone = assertTimeZone(body.timeZone); // 'Europe/Kiev' → 'Europe/Kyiv'; 'Mars/Olympus' throws
 */
export function assertTimeZone(zone: unknown, field = 'timeZone'): string {
  if (typeof zone !== 'string') {
    throw new IntegrationError('invalid_input', `${field} must be an IANA time zone name, got ${typeof zone}`, { details: { field } });
  }
  const canonical = canonicalTimeZone(zone);
  if (canonical !== undefined) return canonical;
  const suggestion = Object.hasOwn(SUGGESTIONS, zone) ? SUGGESTIONS[zone] : undefined;
  const hint = suggestion
    ? ` POSIX-style and abbreviated zones are ambiguous; use ${suggestion}.`
    : ' Use an IANA name such as America/New_York (Windows names go through windowsToIana).';
  throw new IntegrationError('invalid_input', `${field} ${JSON.stringify(zone.slice(0, 64))} is not a valid IANA time zone.${hint}`, {
    details: { field, value: zone.slice(0, 64) },
  });
}
