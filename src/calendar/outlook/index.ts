/**
 * switchyard/calendar/outlook: the `CalendarProvider` port on Microsoft Graph v1.0 through
 * `@microsoft/microsoft-graph-client` (an optional peer; only this subpath loads it).
 *
 * @packageDocumentation
 */
export { createOutlookCalendar, MAX_SUBSCRIPTION_SECONDS, type GraphAuth, type OutlookCalendarOptions } from './adapter.js';
export { mapGraphError } from './errors.js';
export { EXT_PROP_ID } from './map.js';
