/** Public data types of switchyard/recurrence. All plain JSON. */
import type { AllDayDate, DstPolicy, LocalDateTime } from '../time/index.js';

/** The RRULE `FREQ` values, longest period first. */
export const FREQUENCIES = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY', 'SECONDLY'] as const;
/** One RRULE `FREQ` value. */
export type Frequency = (typeof FREQUENCIES)[number];

/** RRULE weekday codes, Monday first (RFC 5545 `WKST` default). */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
/** One RRULE weekday code (`MO` … `SU`). */
export type Weekday = (typeof WEEKDAYS)[number];

/** A BYDAY entry: `MO`, or `-1FR` (last Friday) with `n`. */
export interface ByDay {
  weekday: Weekday;
  n?: number;
}

/** A parsed RRULE (RFC 5545 §3.3.10). Absent parts are undefined, never empty arrays. */
export interface RecurrenceRule {
  freq: Frequency;
  interval?: number;
  count?: number;
  /** As written: `YYYYMMDD`, `YYYYMMDDTHHMMSSZ` (UTC) or `YYYYMMDDTHHMMSS` (floating). */
  until?: string;
  wkst?: Weekday;
  byDay?: ByDay[];
  byMonth?: number[];
  byMonthDay?: number[];
  byYearDay?: number[];
  byWeekNo?: number[];
  byHour?: number[];
  byMinute?: number[];
  bySecond?: number[];
  bySetPos?: number[];
}

/** The start of a series: a wall time in a zone, or a date for all-day series. */
export type SeriesStart = LocalDateTime | AllDayDate;

/**
 * A modified or cancelled instance. `originalStart` identifies the generated occurrence it replaces
 * (Google `originalStartTime`, Graph `originalStart`, CalDAV `RECURRENCE-ID`): a `{ dateTime, timeZone }`
 * or `{ date }`, or an ISO-8601 instant. A cancelled override removes the occurrence; otherwise it
 * replaces it with `start` (which may move it into or out of the window).
 */
export type InstanceOverride<T = unknown> =
  | { originalStart: SeriesStart | string; cancelled: true; data?: T }
  | { originalStart: SeriesStart | string; cancelled?: false; start: SeriesStart; data?: T };

/** A recurring series as `expandRecurrence` reads it: rule, first start, EXDATE/RDATE lines and instance overrides. */
export interface RecurringSeries<T = unknown> {
  /** `RRULE:FREQ=…` (a Google `recurrence[]` item) or a bare `FREQ=…` rule. */
  rrule: string;
  start: SeriesStart;
  /** EXDATE lines as Google/CalDAV send them (`EXDATE;TZID=…:…`, `EXDATE:…Z`, `EXDATE;VALUE=DATE:…`) or local date-times in the series' zone. */
  exdates?: string[];
  /** RDATE lines, same forms as `exdates`. */
  rdates?: string[];
  overrides?: InstanceOverride<T>[];
}

/** Half-open `[from, to)`, ISO-8601 instants with an offset or `Z`. */
export interface ExpansionWindow {
  from: string;
  to: string;
}

/** Options of `expandRecurrence`. */
export interface ExpandOptions {
  /** Return at most this many occurrences (the earliest). Without it, more than 10,000 throws `invalid_input`. */
  limit?: number;
  /**
   * How an occurrence whose wall time falls in a DST gap or overlap becomes an instant. Default is
   * RFC 5545's: gap `forward` (02:30 → 03:30), overlap `earlier`. `reject` throws `invalid_input`
   * naming the wall time. EXDATE, RDATE and override times are read with the same policy.
   */
  dst?: DstPolicy;
}

interface OccurrenceExtras<T> {
  /** The generated start this occurrence replaces, when an override moved or modified it. */
  originalStart?: SeriesStart;
  /** The override's `data`, when this occurrence comes from an override. */
  override?: { data?: T };
}

/** A timed occurrence: local start in the series' zone plus the instant it denotes. */
export interface TimedOccurrence<T = unknown> extends OccurrenceExtras<T> {
  start: LocalDateTime;
  instant: string;
}

/** An all-day occurrence: a date, never an instant. */
export interface AllDayOccurrence<T = unknown> extends OccurrenceExtras<T> {
  start: AllDayDate;
  instant?: undefined;
}

/** One occurrence of a series: timed (local start + instant) or all-day (a date). */
export type Occurrence<T = unknown> = TimedOccurrence<T> | AllDayOccurrence<T>;
