/**
 * Turning stored events (single events, series masters, exceptions) into what a window shows.
 * Shared by the fake and by adapters that must expand themselves, so every provider expands a
 * series the same way: through `expandRecurrence`, windowed (never from the series start with a
 * fixed cap, which makes old daily series vanish), with exceptions as overrides.
 */
import { expandRecurrence, type InstanceOverride, parseRecurrenceLines } from '../recurrence/index.js';
import { addDays, toInstant, toLocal } from '../time/index.js';
import type { CalendarEvent, EventTime } from './types.js';

const DAY = 86_400_000;

/** Instant range of an event in epoch ms; all-day dates are read in `zone` (the calendar's). */
export function eventSpan(event: { start: EventTime; end: EventTime }, zone: string): { start: number; end: number } {
  return { start: instantOf(event.start, zone), end: instantOf(event.end, zone) };
}

export function instantOf(time: EventTime, zone: string): number {
  if ('date' in time) return Date.parse(toInstant({ dateTime: `${time.date}T00:00:00`, timeZone: zone }));
  return Date.parse(toInstant(time));
}

/**
 * The id of one instance of a series, Google style: `<masterId>_20240305T170000Z` for timed series,
 * `<masterId>_20240305` for all-day ones.
 *
 * @example
 * instanceId('abc123', { dateTime: '2024-03-05T09:00:00', timeZone: 'America/Los_Angeles' }); // 'abc123_20240305T170000Z'
 */
export function instanceId(masterId: string, originalStart: EventTime): string {
  if ('date' in originalStart) return `${masterId}_${originalStart.date.replaceAll('-', '')}`;
  const iso = new Date(Date.parse(toInstant(originalStart))).toISOString();
  return `${masterId}_${iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
}

/** The key under which an exception matches a generated occurrence. */
export function originalKey(time: EventTime): string {
  return 'date' in time ? time.date : String(Date.parse(toInstant(time)));
}

function shift(time: EventTime, from: EventTime, to: EventTime): EventTime {
  // The instance keeps the master's duration: exact milliseconds for timed events (so a 1-hour
  // class stays 1 hour across a DST change), whole days for all-day ones.
  if ('date' in time && 'date' in from && 'date' in to) {
    const days = Math.round((Date.parse(`${time.date}T00:00:00Z`) - Date.parse(`${from.date}T00:00:00Z`)) / DAY);
    return { date: addDays(to.date, days) };
  }
  if ('dateTime' in time && 'dateTime' in from && 'dateTime' in to) {
    const duration = Date.parse(toInstant(time)) - Date.parse(toInstant(from));
    return toLocal(new Date(Date.parse(toInstant(to)) + duration).toISOString(), time.timeZone);
  }
  return time;
}

/**
 * Occurrences of `master` overlapping `[from, to)`, with `exceptions` (events whose
 * `recurringEventId` is the master's) applied: cancelled ones are removed (or kept with status
 * `cancelled` when `includeCancelled`), modified ones replace their occurrence.
 *
 * @example
 * const week = { from: Date.parse('2026-03-02T00:00:00Z'), to: Date.parse('2026-03-09T00:00:00Z') };
 * const instances = expandSeries(master, exceptions, week);
 */
export function expandSeries(
  master: CalendarEvent,
  exceptions: readonly CalendarEvent[],
  window: { from: number; to: number },
  options: { includeCancelled?: boolean } = {},
): CalendarEvent[] {
  if (!master.recurrence) return [];
  // RFC 5545 allows RDATEs without an RRULE (DTSTART plus those dates, as CalDAV clients write
  // them): a one-count rule yields exactly DTSTART, and the RDATEs add the rest.
  const ruled = master.recurrence.some((l) => /^\s*(RRULE|FREQ)/i.test(l));
  const lines = parseRecurrenceLines(ruled ? master.recurrence : ['RRULE:FREQ=DAILY;COUNT=1', ...master.recurrence]);
  const zone = 'timeZone' in master.start ? master.start.timeZone : 'UTC';
  const span = eventSpan(master, zone);
  const duration = Math.max(0, span.end - span.start);
  const byOriginal = new Map<string, CalendarEvent>();
  for (const e of exceptions) if (e.originalStart) byOriginal.set(originalKey(e.originalStart), e);
  const overrides: InstanceOverride<string>[] = [];
  for (const [key, e] of byOriginal) {
    if (!e.originalStart) continue;
    overrides.push(
      e.status === 'cancelled'
        ? { originalStart: e.originalStart, cancelled: true, data: key }
        : { originalStart: e.originalStart, start: e.start, data: key },
    );
  }
  // Widen the window backwards by the duration (and a day for all-day zones) so an occurrence
  // that started before `from` but still runs inside the window is found.
  const from = new Date(window.from - duration - DAY).toISOString();
  const to = new Date(window.to).toISOString();
  const occurrences = expandRecurrence(
    { rrule: lines.rrule, start: master.start, exdates: lines.exdates, rdates: lines.rdates, overrides },
    { from, to },
  );
  const out: CalendarEvent[] = [];
  const seen = new Set<string>();
  for (const occ of occurrences) {
    const key = occ.override?.data;
    const exception = key === undefined ? undefined : byOriginal.get(key);
    let instance: CalendarEvent;
    if (exception) {
      seen.add(key as string);
      instance = exception;
    } else {
      const start = occ.start as EventTime;
      const { recurrence: _r, ...rest } = master;
      instance = {
        ...rest,
        id: instanceId(master.id, start),
        start,
        end: shift(master.end, master.start, start),
        recurringEventId: master.id,
        originalStart: start,
      };
    }
    const s = eventSpan(instance, zone);
    if (s.start < window.to && (s.end > window.from || (s.end === s.start && s.start >= window.from))) out.push(instance);
  }
  if (options.includeCancelled) {
    for (const [key, e] of byOriginal) {
      if (seen.has(key) || e.status !== 'cancelled' || !e.originalStart) continue;
      const s = instantOf(e.originalStart, zone);
      if (s < window.to && s + duration > window.from) out.push(e);
    }
  }
  return out;
}
