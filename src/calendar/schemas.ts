/**
 * zod schemas of the calendar types, for hosts that receive events over the wire (a queue, an API)
 * and for the adapters' input checks. They mirror `types.ts`; a compile-time check at the end keeps them in step.
 */
import { z } from 'zod';
import type { CalendarEvent, CalendarInfo, EventChange, EventInput } from './types.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/, 'expected a local YYYY-MM-DDTHH:mm:ss without offset');

/** A timed value `{ dateTime, timeZone }` (local wall time, IANA zone) or an all-day `{ date }`. */
export const eventTimeSchema = z.union([
  z.strictObject({ dateTime: localDateTime, timeZone: z.string().min(1) }),
  z.strictObject({ date }),
]);

/** An attendee's answer: `needsAction`, `accepted`, `declined` or `tentative`. */
export const responseStatusSchema = z.enum(['needsAction', 'accepted', 'declined', 'tentative']);
/** An event's status: `confirmed`, `tentative` or `cancelled`. */
export const eventStatusSchema = z.enum(['confirmed', 'tentative', 'cancelled']);
/** Whether an event blocks time (`opaque`) or not (`transparent`, "show as free"). */
export const transparencySchema = z.enum(['opaque', 'transparent']);
/** What the account may do with a calendar: `owner`, `writer`, `reader` or `freeBusyReader`. */
export const accessRoleSchema = z.enum(['owner', 'writer', 'reader', 'freeBusyReader']);

/** One attendee: email, response status and the optional display name, optional and self flags. */
export const attendeeSchema = z.object({
  email: z.string().min(3).includes('@'),
  displayName: z.string().optional(),
  responseStatus: responseStatusSchema,
  optional: z.boolean().optional(),
  self: z.boolean().optional(),
});

/** An event's reminders: the calendar's defaults, or explicit popup/email overrides in minutes. */
export const remindersSchema = z.object({
  useDefault: z.boolean(),
  overrides: z.array(z.object({ method: z.enum(['email', 'popup']), minutes: z.number().int().min(0).max(40_320) })).optional(),
});

const extendedProperties = z.record(z.string(), z.string());

/** The normalized `CalendarEvent` every provider returns; validate data read back from your own storage with it. */
export const calendarEventSchema = z.object({
  id: z.string().min(1),
  calendarId: z.string().min(1),
  iCalUID: z.string().optional(),
  etag: z.string().min(1),
  title: z.string().optional(),
  description: z.string().optional(),
  location: z.string().optional(),
  start: eventTimeSchema,
  end: eventTimeSchema,
  attendees: z.array(attendeeSchema),
  organizer: z.object({ email: z.string(), displayName: z.string().optional() }).optional(),
  recurrence: z.array(z.string()).optional(),
  recurringEventId: z.string().optional(),
  originalStart: eventTimeSchema.optional(),
  status: eventStatusSchema,
  transparency: transparencySchema,
  conferenceUrl: z.string().optional(),
  reminders: remindersSchema.optional(),
  extendedProperties: extendedProperties.optional(),
  updated: z.string().optional(),
});

/** Client-chosen ids follow Google's rule (base32hex, 5–1024 chars) so they are valid on every provider. */
export const eventIdSchema = z.string().regex(/^[a-v0-9]{5,1024}$/, 'event ids are 5-1024 characters of a-v and 0-9 (base32hex)');

/** What `createEvent` accepts (strict: unknown fields are rejected); `parseEventInput` adds the range and zone checks. */
export const eventInputSchema = z.strictObject({
  id: eventIdSchema.optional(),
  title: z.string().max(1024).optional(),
  description: z.string().max(8192).optional(),
  location: z.string().max(1024).optional(),
  start: eventTimeSchema,
  end: eventTimeSchema,
  attendees: z
    .array(z.object({ email: z.string().min(3).includes('@'), displayName: z.string().optional(), optional: z.boolean().optional() }))
    .optional(),
  recurrence: z.array(z.string().min(1)).optional(),
  status: z.enum(['confirmed', 'tentative']).optional(),
  transparency: transparencySchema.optional(),
  reminders: remindersSchema.optional(),
  extendedProperties: extendedProperties.optional(),
});

/** What `updateEvent` accepts: any subset of the input fields, except `id`. */
export const eventPatchSchema = eventInputSchema.omit({ id: true }).partial();

/** One calendar of `listCalendars`: id, title, time zone, access role and primary flag. */
export const calendarInfoSchema = z.object({
  id: z.string(),
  title: z.string(),
  timeZone: z.string(),
  accessRole: accessRoleSchema,
  primary: z.boolean(),
});

/** One change of a sync: an `upsert` with the event, or a `delete` with the event id. */
export const eventChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('upsert'), event: calendarEventSchema }),
  z.object({ type: z.literal('delete'), calendarId: z.string(), eventId: z.string() }),
]);

// Compile-time check that the schemas and the TypeScript types describe the same shapes: a field
// added to one and not the other fails `npm run typecheck`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inSync: [
  Same<z.infer<typeof calendarEventSchema>, CalendarEvent>,
  Same<z.infer<typeof eventInputSchema>, EventInput>,
  Same<z.infer<typeof calendarInfoSchema>, CalendarInfo>,
  Same<z.infer<typeof eventChangeSchema>, EventChange>,
] = [true, true, true, true];
void inSync;
