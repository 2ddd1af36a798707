/**
 * The pure half of the offline queue: which fields of an event a host can write, how a queued
 * change folds into the local copy, how two versions of an event compare, and the three-way merge
 * of `merge-fields`. No store and no provider here, so the rules can be read (and tested) alone.
 */
import { canonicalJson } from '../idempotency/canonical.js';
import type { CalendarEvent, EventInput, EventPatch } from './types.js';
import { assertRange } from './validate.js';

/** The fields an `EventPatch` can set: the ones a conflict is about. */
export const EDITABLE_FIELDS = [
  'title',
  'description',
  'location',
  'start',
  'end',
  'attendees',
  'recurrence',
  'status',
  'transparency',
  'reminders',
  'extendedProperties',
] as const;

/** One of {@link EDITABLE_FIELDS}. */
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/**
 * The comparable value of one field: attendees without the provider's bookkeeping (response
 * status, `self`), since a patch can only set who is invited.
 */
function fieldValue(source: Partial<CalendarEvent> | EventPatch, field: EditableField): unknown {
  const value = (source as Record<string, unknown>)[field];
  if (field === 'attendees' && Array.isArray(value)) {
    return (value as { email: string; displayName?: string; optional?: boolean }[]).map((a) => ({
      email: a.email,
      ...(a.displayName !== undefined ? { displayName: a.displayName } : {}),
      ...(a.optional !== undefined ? { optional: a.optional } : {}),
    }));
  }
  return value;
}

/** Whether two values of `field` are the same (key order and provider bookkeeping ignored). */
export function sameField(
  field: EditableField,
  a: Partial<CalendarEvent> | EventPatch | null,
  b: Partial<CalendarEvent> | EventPatch | null,
): boolean {
  const x = a ? fieldValue(a, field) : undefined;
  const y = b ? fieldValue(b, field) : undefined;
  if (x === undefined || y === undefined) return x === y;
  return canonicalJson(x) === canonicalJson(y);
}

/** Whether two versions of an event have the same content in every editable field. */
export function sameContent(a: CalendarEvent | null, b: CalendarEvent | null): boolean {
  if (a === null || b === null) return a === b;
  return EDITABLE_FIELDS.every((f) => sameField(f, a, b));
}

/** The fields of `patch` that really change `base` (a field set to the value it already has changes nothing). */
export function changedFields(base: CalendarEvent, patch: EventPatch): EditableField[] {
  return EDITABLE_FIELDS.filter((f) => (patch as Record<string, unknown>)[f] !== undefined && !sameField(f, patch, base));
}

/** Only the named fields of a patch. */
export function pickPatch(patch: EventPatch, fields: readonly EditableField[]): EventPatch {
  const out: Record<string, unknown> = {};
  for (const f of fields)
    if ((patch as Record<string, unknown>)[f] !== undefined) out[f] = structuredClone((patch as Record<string, unknown>)[f]);
  return out as EventPatch;
}

/** The local copy after a patch: the same field semantics as the adapters (attendees keep their known answers). */
export function applyPatchLocally(event: CalendarEvent, patch: EventPatch): CalendarEvent {
  const next: CalendarEvent = structuredClone(event);
  for (const f of EDITABLE_FIELDS) {
    if (f === 'attendees') continue;
    const value = (patch as Record<string, unknown>)[f];
    if (value !== undefined) (next as unknown as Record<string, unknown>)[f] = structuredClone(value);
  }
  if (patch.attendees) {
    const old = new Map(event.attendees.map((a) => [a.email, a]));
    next.attendees = patch.attendees.map((a) => ({ ...a, responseStatus: old.get(a.email)?.responseStatus ?? 'needsAction' }));
  }
  assertRange(next.start, next.end);
  return next;
}

/** The local copy of an event created offline (before the provider has seen it). */
export function eventFromInput(calendarId: string, id: string, input: EventInput, etag: string): CalendarEvent {
  const event: CalendarEvent = {
    id,
    calendarId,
    etag,
    start: structuredClone(input.start),
    end: structuredClone(input.end),
    attendees: (input.attendees ?? []).map((a) => ({ ...a, responseStatus: 'needsAction' as const })),
    status: input.status ?? 'confirmed',
    transparency: input.transparency ?? 'opaque',
  };
  for (const f of ['title', 'description', 'location', 'recurrence', 'reminders', 'extendedProperties'] as const) {
    if (input[f] !== undefined) (event as unknown as Record<string, unknown>)[f] = structuredClone(input[f]);
  }
  return event;
}

/** An `EventInput` that recreates an event's content (used when a local edit revives an event deleted remotely). */
export function inputFromEvent(event: CalendarEvent, id: string): EventInput {
  const input: EventInput = { id, start: structuredClone(event.start), end: structuredClone(event.end) };
  for (const f of EDITABLE_FIELDS) {
    if (f === 'start' || f === 'end' || f === 'status') continue;
    const value = fieldValue(event, f);
    if (value !== undefined) (input as unknown as Record<string, unknown>)[f] = structuredClone(value);
  }
  if (event.status !== 'cancelled') input.status = event.status;
  return input;
}

/** The result of a three-way merge: the fields to write (on top of the remote version) and the fields both sides changed. */
export interface FieldMerge {
  /** Local values to write over the remote version. */
  patch: EventPatch;
  /** Fields both sides changed to different values; `merge-fields` keeps the remote value there. */
  conflicting: EditableField[];
}

/**
 * Three-way merge of one queued patch: `base` is the version the change was made against, `remote`
 * the provider's current one. A field only the local side changed takes the local value; a field
 * only the remote changed keeps the remote value; a field both changed to different values keeps
 * the remote one (the documented tie-break) and is listed in `conflicting`.
 *
 * @example
 * ```ts
 * import { createOfflineCalendar, mergeFields } from 'switchyard/calendar';
 *
 * // A custom policy: merge, but let the remote win outright when both sides retitled the event.
 * const offline = createOfflineCalendar({ provider, store, policy: (conflict) => {
 *   if (conflict.kind !== 'update' || !conflict.remote || !conflict.patch) return 'remote-wins';
 *   const { patch, conflicting } = mergeFields(conflict.base, conflict.patch, conflict.remote);
 *   return conflicting.includes('title') ? 'remote-wins' : { patch };
 * } });
 * ```
 */
export function mergeFields(base: CalendarEvent, patch: EventPatch, remote: CalendarEvent): FieldMerge {
  const write: EditableField[] = [];
  const conflicting: EditableField[] = [];
  for (const f of changedFields(base, patch)) {
    if (sameField(f, patch, remote)) continue;
    if (sameField(f, base, remote)) write.push(f);
    else conflicting.push(f);
  }
  // start and end are one range: when taking one side's start with the other's end makes an
  // invalid range, both keep the remote value.
  if (write.includes('start') || write.includes('end')) {
    const start = write.includes('start') ? patch.start : remote.start;
    const end = write.includes('end') ? patch.end : remote.end;
    try {
      if (start && end) assertRange(start, end);
    } catch {
      for (const f of ['start', 'end'] as const) {
        if (write.includes(f)) {
          write.splice(write.indexOf(f), 1);
          conflicting.push(f);
        }
      }
    }
  }
  return { patch: pickPatch(patch, write), conflicting };
}
