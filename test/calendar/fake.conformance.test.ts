import { createFakeCalendar } from '../../src/calendar/index.js';
import { describeCalendarConformance } from '../conformance/calendar.js';

describeCalendarConformance('fake', () => {
  const now = () => Date.parse('2026-02-20T12:00:00Z');
  const provider = createFakeCalendar({ pageSize: 3, now, calendars: [{ id: 'primary', primary: true, timeZone: 'America/Los_Angeles' }] });
  return { provider, calendarId: 'primary', ownerEmail: 'me@example.com', expireCursors: () => provider.expireCursors(), now };
});
