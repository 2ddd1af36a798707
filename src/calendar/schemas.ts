/**
 * zod schemas of the calendar types, for hosts that receive events over the wire (a queue, an API)
 * and for the adapters' input checks. They mirror `types.ts`; a compile-time check at the end keeps them in step.
 */
import { z } from 'zod';
import type { CalendarEvent, CalendarInfo, EventChange, EventInput } from './types.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/, 'expected a local YYYY-MM-DDTHH:mm:ss without offset');

export const eventTimeSchema = z.union([
  z.strictObject({ dateTime: localDateTime, timeZone: z.string().min(1) }),
  z.strictObject({ date }),
]);

export const responseStatusSchema = z.enum(['needsAction', 'accepted', 'declined', 'tentative']);
export const eventStatusSchema = z.enum(['confirmed', 'tentative', 'cancelled']);
export const transparencySchema = z.enum(['opaque', 'transparent']);
export const accessRoleSchema = z.enum(['owner', 'writer', 'reader', 'freeBusyReader']);

export const attendeeSchema = z.object({
  email: z.string().min(3).includes('@'),
  displayName: z.string().optional(),
  responseStatus: responseStatusSchema,
  optional: z.boolean().optional(),
  self: z.boolean().optional(),
});

export const remindersSchema = z.object({
  useDefault: z.boolean(),
  overrides: z.array(z.object({ method: z.enum(['email', 'popup']), minutes: z.number().int().min(0).max(40_320) })).optional(),
});

const extendedProperties = z.record(z.string(), z.string());

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

export const eventInputSchema = z.strictObject({
  id: eventIdSchema.optional(),
  title: z.string().max(1024).optional(),
  description: z.string().max(8192).optional(),
  location: z.string().max(1024).optional(),
  start: eventTimeSchema,
  end: eventTimeSchema,
  attendees: z.array(z.object({ email: z.string().min(3).includes('@'), displayName: z.string().optional(), optional: z.boolean().optional() })).optional(),
  recurrence: z.array(z.string().min(1)).optional(),
  status: z.enum(['confirmed', 'tentative']).optional(),
  transparency: transparencySchema.optional(),
  reminders: remindersSchema.optional(),
  extendedProperties: extendedProperties.optional(),
});

export const eventPatchSchema = eventInputSchema.omit({ id: true }).partial();

export const calendarInfoSchema = z.object({
  id: z.string(),
  title: z.string(),
  timeZone: z.string(),
  accessRole: accessRoleSchema,
  primary: z.boolean(),
});

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
