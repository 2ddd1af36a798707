/** Instance overrides resolved against a series, and occurrences built from instants or dates. */
import { epochToWall, formatInstantIn, wallToEpoch } from '../time/instant.js';
import { formatDate, formatWall, parseDate, parseInstant } from '../time/wall.js';
import { invalid, type ResolvedStart, resolveStart } from './series.js';
import type { InstanceOverride, Occurrence, SeriesStart } from './types.js';

export interface ResolvedOverride<T> {
  originalAt: number;
  original: SeriesStart;
  start?: { at: number; value: SeriesStart };
  data?: T;
}

export function resolveOverrides<T>(list: InstanceOverride<T>[] | undefined, start: ResolvedStart): Map<number, ResolvedOverride<T>> {
  const out = new Map<number, ResolvedOverride<T>>();
  if (list === undefined) return out;
  if (!Array.isArray(list)) throw invalid('overrides', 'overrides must be an array');
  list.forEach((o, i) => {
    const field = `overrides[${i}]`;
    if (typeof o !== 'object' || o === null) throw invalid(field, `${field} must be an object`);
    const originalAt = pointOf(o.originalStart, start, `${field}.originalStart`);
    const resolved: ResolvedOverride<T> = { originalAt, original: toOccurrence(originalAt, start).start };
    if (o.data !== undefined) resolved.data = o.data;
    if (o.cancelled !== true) {
      if (o.start === undefined) throw invalid(`${field}.start`, `${field} needs start (or cancelled: true)`);
      const s = resolveStart(o.start, `${field}.start`);
      if (s.allDay !== start.allDay)
        throw invalid(`${field}.start`, `${field}.start must be ${start.allDay ? 'a date' : 'a date-time'} like the series`);
      resolved.start = {
        at: s.allDay ? s.wall : wallToEpoch(s.wall, s.zone, start.dst),
        value: s.allDay ? { date: formatDate(s.wall) } : { dateTime: formatWall(s.wall), timeZone: s.zone },
      };
    }
    out.set(originalAt, resolved);
  });
  return out;
}

function pointOf(value: SeriesStart | string, start: ResolvedStart, field: string): number {
  if (typeof value === 'string') {
    if (start.allDay) return parseDate(value.slice(0, 10), field);
    return parseInstant(value, field);
  }
  const s = resolveStart(value, field);
  if (s.allDay !== start.allDay) throw invalid(field, `${field} must be ${start.allDay ? 'a date' : 'a date-time'} like the series`);
  return s.allDay ? s.wall : wallToEpoch(s.wall, s.zone, start.dst);
}

export function toOccurrence<T>(at: number, start: ResolvedStart, override?: ResolvedOverride<T>): Occurrence<T> {
  let occurrence: Occurrence<T>;
  if (override?.start !== undefined) {
    const value = override.start.value;
    occurrence = 'date' in value ? { start: value } : { start: value, instant: formatInstantIn(at, value.timeZone) };
  } else if (start.allDay) {
    occurrence = { start: { date: formatDate(at) } };
  } else {
    occurrence = {
      start: { dateTime: formatWall(epochToWall(at, start.zone)), timeZone: start.zone },
      instant: formatInstantIn(at, start.zone),
    };
  }
  if (override !== undefined) {
    occurrence.originalStart = override.original;
    occurrence.override = override.data === undefined ? {} : { data: override.data };
  }
  return occurrence;
}
