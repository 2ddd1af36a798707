/**
 * switchyard/calendar: the `CalendarProvider` port, its zod schemas, the incremental sync engine,
 * the channel manager, conflicts and free/busy, and an in-memory fake. Loads no provider SDK:
 * adapters live in `switchyard/calendar/google` and `switchyard/calendar/outlook`.
 *
 * @packageDocumentation
 */

export {
  type ChannelManager,
  type ChannelManagerOptions,
  type ChannelNotification,
  createChannelManager,
  type NotificationOutcome,
} from './channels.js';
export { createFakeCalendar, type FakeCalendar, type FakeCalendarOptions } from './fake.js';
export { type Conflict, type FindConflictsOptions, findConflicts, mergeFreeBusy } from './free-busy.js';
export { eventIdFromKey, newEventId } from './ids.js';
export { expandSeries, instanceId } from './instances.js';
export {
  createOfflineCalendar,
  type OfflineCalendar,
  type OfflineCalendarOptions,
  type OfflineConflict,
  type OfflineConflictKind,
  type OfflineConflictReport,
  type OfflineConflictResolver,
  type OfflineFlushResult,
  type OfflineOp,
  type OfflinePolicyName,
  type OfflineResolution,
} from './offline.js';
export { EDITABLE_FIELDS, type EditableField, type FieldMerge, mergeFields } from './offline-merge.js';
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
export { type CalendarSync, type CalendarSyncOptions, createCalendarSync, type SyncResult } from './sync.js';
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
export { assertRange, parseEventInput, parseEventPatch } from './validate.js';
export type { FakeCalendarOperation } from './fake.js';
