/** switchyard/calendar/caldav: the CalDAV adapter (tsdav + ical.js). */
export { type CalDavCalendarOptions, createCalDavCalendar, mapCalDavStatus } from './adapter.js';
