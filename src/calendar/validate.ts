/**
 * Input checks shared by every adapter, so Google, Outlook and the fake reject the same bad event
 * with the same `invalid_input` error before any request leaves: a zone that is not IANA, an end
 * before the start, a timed start with an all-day end, recurrence lines that do not parse.
 */
import { IntegrationError } from '../core/errors.js';
import { parseRecurrenceLines } from '../recurrence/index.js';
import { assertTimeZone, toInstant } from '../time/index.js';
import type { z } from 'zod';
import { eventInputSchema, eventPatchSchema } from './schemas.js';
import type { EventInput, EventPatch, EventTime } from './types.js';

function fromZod(error: z.ZodError, what: string): IntegrationError {
  const issue = error.issues[0];
  const field = issue ? issue.path.join('.') || what : what;
  return new IntegrationError('invalid_input', `${what}.${field}: ${issue?.message ?? 'invalid'}`, { details: { field } });
}

/** Epoch ms of a start/end, for ordering checks. All-day dates are read as UTC midnights (order is all that matters). */
export function timeKey(time: EventTime): number {
  if ('date' in time) return Date.parse(`${time.date}T00:00:00Z`);
  return Date.parse(toInstant(time));
}

/**
 * Validate a start/end pair: same kind, valid zones, end strictly after start; `invalid_input` otherwise.
 *
 * @example
 * assertRange({ date: '2026-03-02' }, { date: '2026-03-03' }); // fine
 * assertRange({ date: '2026-03-02' }, { date: '2026-03-02' }); // throws IntegrationError('invalid_input')
 */
export function assertRange(start: EventTime, end: EventTime): void {
  if ('date' in start !== 'date' in end) {
    throw new IntegrationError('invalid_input', 'start and end must both be timed ({ dateTime, timeZone }) or both all-day ({ date })', {
      details: { field: 'end' },
    });
  }
  if ('timeZone' in start) assertTimeZone(start.timeZone, 'start.timeZone');
  if ('timeZone' in end) assertTimeZone(end.timeZone, 'end.timeZone');
  if (timeKey(end) <= timeKey(start)) {
    throw new IntegrationError('invalid_input', 'end must be after start', { details: { field: 'end' } });
  }
}

/**
 * Validate an event input as `createEvent` does: the schema, start/end of the same kind with end
 * after start, known time zones and parseable RRULE lines; throws `invalid_input` naming the field.
 *
 * @example
 * const input = parseEventInput(JSON.parse(body)); // throws IntegrationError('invalid_input') on bad input
 * await provider.createEvent('primary', input);
 */
export function parseEventInput(input: unknown): EventInput {
  const parsed = eventInputSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error, 'event');
  const event = parsed.data as EventInput;
  assertRange(event.start, event.end);
  if (event.recurrence) parseRecurrenceLines(event.recurrence);
  return event;
}

/**
 * Validate an event patch as `updateEvent` does: the schema, known time zones and parseable RRULE
 * lines (a start/end pair is checked against each other only when both are given).
 *
 * @example
 * const patch = parseEventPatch({ title: 'Moved', start: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Paris' } });
 */
export function parseEventPatch(patch: unknown): EventPatch {
  const parsed = eventPatchSchema.safeParse(patch);
  if (!parsed.success) throw fromZod(parsed.error, 'patch');
  const value = parsed.data as EventPatch;
  if (value.start && 'timeZone' in value.start) assertTimeZone(value.start.timeZone, 'start.timeZone');
  if (value.end && 'timeZone' in value.end) assertTimeZone(value.end.timeZone, 'end.timeZone');
  if (value.recurrence) parseRecurrenceLines(value.recurrence);
  return value;
}

export function assertId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
    throw new IntegrationError('invalid_input', `${field} must be a non-empty string`, { details: { field } });
  }
  return value;
}

export function assertWindow(from: unknown, to: unknown): { from: number; to: number } {
  const f = typeof from === 'string' ? Date.parse(from) : Number.NaN;
  const t = typeof to === 'string' ? Date.parse(to) : Number.NaN;
  if (Number.isNaN(f) || Number.isNaN(t) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(String(from)) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(String(to))) {
    throw new IntegrationError('invalid_input', 'from and to must be ISO-8601 instants with an offset or Z', {
      details: { field: 'from' },
    });
  }
  if (t <= f) throw new IntegrationError('invalid_input', 'to must be after from', { details: { field: 'to' } });
  return { from: f, to: t };
}
