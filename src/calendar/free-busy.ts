/**
 * Free/busy and conflicts across calendars and zones. Everything is compared as instants, so a
 * 9:00 Los Angeles event and a 17:00 London event that are the same hour overlap whatever zone
 * the host runs in.
 *
 * What "busy" means, as users expect it:
 * - cancelled events never block;
 * - transparent events ("show as free", Google `transparency: transparent`) never block;
 * - tentative events block, but are reported as `tentative` so a UI can show them differently;
 * - all-day events block their whole dates in the zone they are read in (the calendar's zone),
 *   unless transparent (birthdays, holidays and OOO reminders usually are).
 */
import { IntegrationError } from '../core/errors.js';
import { assertTimeZone } from '../time/index.js';
import { eventSpan } from './instances.js';
import type { BusyInterval, CalendarEvent, EventTime } from './types.js';

export interface Interval {
  start: number;
  end: number;
}

/** Sort and merge overlapping or touching intervals (half-open). */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

function parseInstant(value: unknown, field: string): number {
  const t = typeof value === 'string' && /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t))
    throw new IntegrationError('invalid_input', `${field} must be an ISO-8601 instant with an offset or Z`, { details: { field } });
  return t;
}

/**
 * Merge the busy intervals of several calendars (as `freeBusy` returns them, or built by hand) into
 * one sorted list. `busy` wins over `tentative` where both overlap; touching intervals of the same
 * kind are joined.
 *
 * @example
 * const busy = mergeFreeBusy(await provider.freeBusy({ calendarIds: ['primary', 'team'], from, to }));
 * // [{ start: '2026-03-02T08:00:00.000Z', end: '2026-03-02T09:30:00.000Z', kind: 'busy' }, …]
 */
export function mergeFreeBusy(calendars: Record<string, { busy: BusyInterval[] }> | readonly { busy: BusyInterval[] }[]): BusyInterval[] {
  const lists = Array.isArray(calendars) ? calendars : Object.values(calendars);
  const busy: Interval[] = [];
  const tentative: Interval[] = [];
  lists.forEach((c, i) => {
    if (!c || !Array.isArray(c.busy))
      throw new IntegrationError('invalid_input', `calendar ${i} has no busy array`, { details: { field: 'busy' } });
    for (const b of c.busy) {
      const start = parseInstant(b.start, 'busy.start');
      const end = parseInstant(b.end, 'busy.end');
      if (end < start)
        throw new IntegrationError('invalid_input', 'a busy interval ends before it starts', { details: { field: 'busy.end' } });
      (b.kind === 'tentative' ? tentative : busy).push({ start, end });
    }
  });
  const hard = mergeIntervals(busy);
  const out: { start: number; end: number; kind: 'busy' | 'tentative' }[] = hard.map((i) => ({ ...i, kind: 'busy' }));
  // Tentative time is only what no hard-busy interval already covers.
  for (const t of mergeIntervals(tentative)) {
    let cursor = t.start;
    for (const h of hard) {
      if (h.end <= cursor || h.start >= t.end) continue;
      if (h.start > cursor) out.push({ start: cursor, end: h.start, kind: 'tentative' });
      cursor = Math.max(cursor, h.end);
    }
    if (cursor < t.end) out.push({ start: cursor, end: t.end, kind: 'tentative' });
  }
  return out
    .sort((a, b) => a.start - b.start)
    .map((i) => ({ start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString(), kind: i.kind }));
}

/** One event of `findConflicts` that overlaps the candidate, how hard the conflict is and where. */
export interface Conflict {
  /** The existing event that overlaps the candidate. */
  event: CalendarEvent;
  /** `tentative` when the conflicting event is tentative (or you are tentative to it): a soft conflict. */
  severity: 'busy' | 'tentative';
  /** The overlap, ISO-8601 instants. */
  overlap: { start: string; end: string };
}

/** Options of `findConflicts`. */
export interface FindConflictsOptions {
  /** Zone in which all-day events are read (the calendar's). Default UTC. */
  timeZone?: string;
  /** Ignore tentative events entirely. Default false (they are reported as soft conflicts). */
  ignoreTentative?: boolean;
}

/**
 * The events of `events` that overlap `candidate` and would block it: not cancelled, not
 * transparent, not declined by you; a series' instances must be expanded first (`listEvents`
 * with `expand: true`). An event that merely touches the candidate (ends when it starts) is not a
 * conflict.
 *
 * @example
 * const events = await provider.listEvents('primary', { from, to, expand: true });
 * const conflicts = findConflicts(events, {
 *   start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Paris' },
 *   end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Paris' },
 * }, { timeZone: 'Europe/Paris' });
 * if (conflicts.some((c) => c.severity === 'busy')) throw new Error('slot taken');
 */
export function findConflicts(
  events: readonly CalendarEvent[],
  candidate: { start: EventTime; end: EventTime; id?: string },
  options: FindConflictsOptions = {},
): Conflict[] {
  const zone = assertTimeZone(options.timeZone ?? 'UTC', 'timeZone');
  if (!candidate || typeof candidate !== 'object' || !candidate.start || !candidate.end) {
    throw new IntegrationError('invalid_input', 'candidate must have start and end', { details: { field: 'candidate' } });
  }
  const c = eventSpan(candidate, zone);
  if (!(c.end > c.start))
    throw new IntegrationError('invalid_input', 'candidate end must be after its start', { details: { field: 'candidate.end' } });
  const out: Conflict[] = [];
  for (const event of events) {
    if (event.id === candidate.id || event.status === 'cancelled' || event.transparency === 'transparent') continue;
    const self = event.attendees.find((a) => a.self);
    if (self?.responseStatus === 'declined') continue;
    const soft = event.status === 'tentative' || self?.responseStatus === 'tentative';
    if (soft && options.ignoreTentative) continue;
    if (event.recurrence) {
      throw new IntegrationError('invalid_input', `event ${event.id} is a series master: expand it first (listEvents with expand: true)`, {
        details: { field: 'events' },
      });
    }
    const s = eventSpan(event, zone);
    const start = Math.max(s.start, c.start);
    const end = Math.min(s.end, c.end);
    if (end > start)
      out.push({
        event,
        severity: soft ? 'tentative' : 'busy',
        overlap: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
      });
  }
  return out.sort((a, b) => Date.parse(a.overlap.start) - Date.parse(b.overlap.start));
}
