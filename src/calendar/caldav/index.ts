/**
 * `switchyard/calendar/caldav`: the CalDAV adapter (tsdav + ical.js) for iCloud, Fastmail, Nextcloud, Zimbra
 * and self-hosted servers.
 *
 * @packageDocumentation
 */
export { type CalDavCalendarOptions, createCalDavCalendar, mapCalDavStatus } from './adapter.js';
