/**
 * switchyard/calendar/google: the `CalendarProvider` port on Google Calendar v3 through
 * `@googleapis/calendar` (an optional peer; only this subpath loads it).
 *
 * @packageDocumentation
 */
export {
  createGoogleCalendar,
  FREEBUSY_MAX_CALENDARS,
  FREEBUSY_MAX_DAYS,
  type GoogleAuth,
  type GoogleCalendarClientLike,
  type GoogleCalendarOptions,
} from './adapter.js';
export { mapGoogleError } from './errors.js';
