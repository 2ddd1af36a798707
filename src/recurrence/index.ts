/**
 * switchyard/recurrence: RRULE / EXDATE / RDATE parsing and serialization, expansion into
 * occurrences (wall-clock stable across DST, independent of the host TZ, skip-ahead for old series),
 * instance overrides, Graph `patternedRecurrence` ↔ RRULE, and English descriptions. Edge-ready.
 */
export { DEFAULT_MAX_OCCURRENCES, expandRecurrence } from './expand.js';
export { parseRecurrenceLines, parseRrule, serializeRrule, toGoogleRecurrence, type RecurrenceLines } from './parse.js';
export {
  FREQUENCIES,
  WEEKDAYS,
  type AllDayOccurrence,
  type ByDay,
  type ExpandOptions,
  type ExpansionWindow,
  type Frequency,
  type InstanceOverride,
  type Occurrence,
  type RecurrenceRule,
  type RecurringSeries,
  type SeriesStart,
  type TimedOccurrence,
  type Weekday,
} from './types.js';
