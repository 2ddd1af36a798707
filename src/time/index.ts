/**
 * switchyard/time: IANA zone validation, Windows ↔ IANA names, wall time ↔ instant with explicit
 * DST policies, and all-day / floating values. Edge-ready: luxon and Intl only, no `node:` import.
 *
 * @packageDocumentation
 */
export {
  type AllDayDate,
  type AllDayRange,
  addDays,
  allDayLength,
  allDayRange,
  allDayToGraph,
  allDayToInstants,
  type FloatingDateTime,
  floatingToLocal,
  type GraphAllDayEvent,
  graphToAllDay,
  isAllDay,
} from './all-day.js';
export { type DstPolicy, type GapPolicy, type LocalDateTime, type OverlapPolicy, toInstant, toLocal } from './instant.js';
export { ianaToWindows, windowsToIana, windowsZoneNames } from './windows.js';
export { assertTimeZone, canonicalTimeZone, isValidTimeZone } from './zones.js';
