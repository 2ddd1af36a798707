/**
 * Keep a copy of an Outlook calendar in step through Microsoft Graph `calendarView/delta`. Runs
 * against the in-memory fake by default; with MICROSOFT_ACCESS_TOKEN (Calendars.ReadWrite) and
 * MICROSOFT_CALENDAR_ID set, against Graph itself.
 *
 *   npx tsx examples/outlook-sync.ts
 */
import { type CalendarProvider, createCalendarSync, createFakeCalendar, findConflicts } from '../src/calendar/index.js';
import { createMemoryStore } from '../src/stores/index.js';

const token = process.env.MICROSOFT_ACCESS_TOKEN;
let calendarId = process.env.MICROSOFT_CALENDAR_ID ?? 'calendar';
let provider: CalendarProvider;
if (token) {
  const { createOutlookCalendar } = await import('../src/calendar/outlook/index.js');
  provider = createOutlookCalendar({ auth: token });
  if (!process.env.MICROSOFT_CALENDAR_ID) calendarId = (await provider.listCalendars()).find((c) => c.primary)?.id ?? calendarId;
} else {
  provider = createFakeCalendar({ calendars: [{ id: 'calendar', primary: true, timeZone: 'Europe/London' }] });
  console.log('No MICROSOFT_ACCESS_TOKEN: using the in-memory fake calendar.');
}

const slot = {
  start: { dateTime: '2026-12-02T09:00:00', timeZone: 'Europe/London' },
  end: { dateTime: '2026-12-02T10:00:00', timeZone: 'Europe/London' },
};
const existing = await provider.listEvents(calendarId, { from: '2026-12-02T00:00:00Z', to: '2026-12-03T00:00:00Z', expand: true });
const conflicts = findConflicts(existing, slot, { timeZone: 'Europe/London' });
console.log(`${conflicts.length} conflict(s) for the 09:00 slot`);

const created = await provider.createEvent(calendarId, { ...slot, title: 'Physio (switchyard example)', transparency: 'opaque' });
const store = createMemoryStore();
const seen: string[] = [];
const sync = createCalendarSync({
  provider,
  store,
  onChange: (c) => void seen.push(c.type === 'upsert' ? `upsert ${c.event.title ?? c.event.id}` : `delete ${c.eventId}`),
});
console.log(await sync.sync(calendarId));
await provider.deleteEvent(calendarId, created.id);
console.log(await sync.sync(calendarId));
console.log(seen.join('\n'));
