/**
 * Keep a copy of a Google calendar in step: a full sync, then incremental ones, each change
 * delivered once. Runs against the in-memory fake by default; with GOOGLE_ACCESS_TOKEN set (a
 * token with the calendar scope, e.g. from `oauth.tokenProvider(userId)`), against Google itself.
 *
 *   npx tsx examples/google-sync.ts
 *   GOOGLE_ACCESS_TOKEN=ya29... GOOGLE_CALENDAR_ID=primary npx tsx examples/google-sync.ts
 */
import { type CalendarProvider, createCalendarSync, createFakeCalendar, eventIdFromKey } from '../src/calendar/index.js';
import { createMemoryStore } from '../src/stores/index.js';

const token = process.env.GOOGLE_ACCESS_TOKEN;
const calendarId = process.env.GOOGLE_CALENDAR_ID ?? 'primary';
let provider: CalendarProvider;
if (token) {
  const { createGoogleCalendar } = await import('../src/calendar/google/index.js');
  provider = createGoogleCalendar({ auth: token });
} else {
  provider = createFakeCalendar({ calendars: [{ id: 'primary', primary: true, timeZone: 'America/Los_Angeles' }], pageSize: 2 });
  console.log('No GOOGLE_ACCESS_TOKEN: using the in-memory fake calendar.');
}

// The booking's own id becomes the event id: a job retried after a crash cannot create it twice.
const id = await eventIdFromKey(`booking:${Date.now()}`);
const created = await provider.createEvent(calendarId, {
  id,
  title: 'Massage (switchyard example)',
  start: { dateTime: '2026-12-01T10:00:00', timeZone: 'America/Los_Angeles' },
  end: { dateTime: '2026-12-01T11:00:00', timeZone: 'America/Los_Angeles' },
  extendedProperties: { bookingId: 'example' },
});
console.log(`created ${created.id} (etag ${created.etag})`);

const store = createMemoryStore();
const sync = createCalendarSync({
  provider,
  store,
  onChange: (change) => {
    if (change.type === 'upsert') console.log(`  upsert ${change.event.id} "${change.event.title ?? ''}" ${change.event.status}`);
    else console.log(`  delete ${change.eventId}`);
  },
});

console.log('full sync:');
console.log(await sync.sync(calendarId));
await provider.updateEvent(calendarId, created.id, { title: 'Massage, 60 min (switchyard example)' }, { etag: created.etag });
console.log('incremental sync after an update:');
console.log(await sync.sync(calendarId));
await provider.deleteEvent(calendarId, created.id);
console.log('incremental sync after the delete:');
console.log(await sync.sync(calendarId));
