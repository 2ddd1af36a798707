/**
 * switchyard/recurrence: RRULE / EXDATE / RDATE parsing and serialization, expansion into
 * occurrences (wall-clock stable across DST, independent of the host TZ, skip-ahead for old series),
 * instance overrides, Graph `patternedRecurrence` ↔ RRULE, and English descriptions. Edge-ready.
 *
 * @packageDocumentation
 */

export { type DateLine, type DateLineValue, formatDateLines, parseDateLine } from './dates.js';
export { describeRecurrence } from './describe.js';
export { DEFAULT_MAX_OCCURRENCES, expandRecurrence } from './expand.js';
export {
  type GraphDayOfWeek,
  type GraphPatternedRecurrence,
  type GraphPatternType,
  type GraphRangeType,
  type GraphRecurrencePattern,
  type GraphRecurrenceRange,
  type GraphWeekIndex,
  graphRecurrenceToRrule,
  type RruleToGraphOptions,
  rruleToGraphRecurrence,
} from './graph.js';
export { type GoogleTime, overrideFromCaldav, overrideFromGoogle, overrideFromGraph } from './overrides.js';
export { parseRecurrenceLines, parseRrule, type RecurrenceLines, serializeRrule, toGoogleRecurrence } from './parse.js';
export {
  type AllDayOccurrence,
  type ByDay,
  type ExpandOptions,
  type ExpansionWindow,
  FREQUENCIES,
  type Frequency,
  type InstanceOverride,
  type Occurrence,
  type RecurrenceRule,
  type RecurringSeries,
  type SeriesStart,
  type TimedOccurrence,
  WEEKDAYS,
  type Weekday,
} from './types.js';
