/**
 * switchyard/calendar: the `CalendarProvider` port, its zod schemas, the incremental sync engine,
 * the channel manager, conflicts and free/busy, and an in-memory fake. Loads no provider SDK:
 * adapters live in `switchyard/calendar/google` and `switchyard/calendar/outlook`.
 */
export type {
  AccessRole,
  Attendee,
  BusyInterval,
  CalendarEvent,
  CalendarInfo,
  CalendarProvider,
  ChangePage,
  Channel,
  EventChange,
  EventInput,
  EventPatch,
  EventStatus,
  EventTime,
  FreeBusyRequest,
  FreeBusyResult,
  ListEventsOptions,
  Reminders,
  RespondOptions,
  ResponseStatus,
  Transparency,
  UpdateOptions,
  WatchRequest,
} from './types.js';
export {
  accessRoleSchema,
  attendeeSchema,
  calendarEventSchema,
  calendarInfoSchema,
  eventChangeSchema,
  eventIdSchema,
  eventInputSchema,
  eventPatchSchema,
  eventStatusSchema,
  eventTimeSchema,
  remindersSchema,
  responseStatusSchema,
  transparencySchema,
} from './schemas.js';
export { createFakeCalendar, type FakeCalendar, type FakeCalendarOptions } from './fake.js';
export { createCalendarSync, type CalendarSync, type CalendarSyncOptions, type SyncResult } from './sync.js';
export {
  type ChannelManager,
  type ChannelManagerOptions,
  type ChannelNotification,
  createChannelManager,
  type NotificationOutcome,
} from './channels.js';
export { type Conflict, findConflicts, type FindConflictsOptions, mergeFreeBusy } from './free-busy.js';
export { eventIdFromKey, newEventId } from './ids.js';
export { expandSeries, instanceId } from './instances.js';
export { assertRange, parseEventInput, parseEventPatch } from './validate.js';
export type { FakeCalendarOperation } from './fake.js';
