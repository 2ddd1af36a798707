/**
 * Keep a copy of a CalDAV calendar in step (iCloud, Fastmail, Nextcloud, Radicale …): a full sync,
 * then incremental ones through `sync-collection`, plus a weekly series with one moved occurrence,
 * and an offline edit that meets a remote edit of the same event and is merged on flush.
 * Runs against the in-memory fake by default; with CALDAV_URL set, against that server (e.g. a
 * local Radicale: `radicale --config <file with auth type = none>`, then
 * `CALDAV_URL=http://127.0.0.1:5232/ CALDAV_USER=alice npx tsx examples/caldav-sync.ts`).
 * CALDAV_CALENDAR picks the calendar (a collection path such as `/alice/work/`); by default the
 * first one found, or a new `switchyard-example` calendar on a server that has none.
 */
import {
  type CalendarProvider,
  createCalendarSync,
  createFakeCalendar,
  createOfflineCalendar,
  eventIdFromKey,
} from '../src/calendar/index.js';
import { createMemoryStore } from '../src/stores/index.js';

const url = process.env.CALDAV_URL;
let provider: CalendarProvider;
let calendarId = process.env.CALDAV_CALENDAR ?? 'primary';
if (url) {
  const { createCalDavCalendar } = await import('../src/calendar/caldav/index.js');
  const username = process.env.CALDAV_USER ?? 'switchyard';
  const credentials = { username, password: process.env.CALDAV_PASSWORD ?? '' };
  provider = createCalDavCalendar({ serverUrl: url, credentials, ownerEmail: process.env.CALDAV_EMAIL ?? `${username}@example.com` });
  if (!process.env.CALDAV_CALENDAR) {
    let calendars = await provider.listCalendars();
    if (calendars.length === 0) {
      // A fresh account (Radicale creates none): make one with tsdav's MKCALENDAR.
      const { makeCalendar } = await import('tsdav');
      await makeCalendar({
        url: new URL(`${encodeURIComponent(username)}/switchyard-example/`, url).href,
        props: { 'd:displayname': 'switchyard example' },
        headers: { Authorization: `Basic ${btoa(`${credentials.username}:${credentials.password}`)}` },
      });
      calendars = await provider.listCalendars();
    }
    calendarId = calendars[0]?.id ?? calendarId;
  }
  console.log(`CalDAV server ${new URL(url).origin}, calendar ${calendarId}`);
} else {
  provider = createFakeCalendar({ calendars: [{ id: 'primary', primary: true, timeZone: 'Europe/Berlin' }], pageSize: 2 });
  console.log('No CALDAV_URL: using the in-memory fake calendar.');
}

const sync = createCalendarSync({
  provider,
  store: createMemoryStore(),
  onChange: (change) => {
    if (change.type === 'upsert') console.log(`  upsert ${change.event.id} "${change.event.title ?? ''}"`);
    else console.log(`  delete ${change.eventId}`);
  },
});
console.log('full sync:');
console.log(await sync.sync(calendarId));

// The booking's own key becomes the event id: on CalDAV the create is a PUT with If-None-Match: *,
// so a job retried after a crash gets the same event back instead of a second one.
const id = await eventIdFromKey(`class:${Date.now()}`);
const series = await provider.createEvent(calendarId, {
  id,
  title: 'Pilates (switchyard example)',
  start: { dateTime: '2026-10-19T18:00:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-10-19T19:00:00', timeZone: 'Europe/Berlin' },
  recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
});
const window = { from: '2026-10-01T00:00:00Z', to: '2026-11-30T00:00:00Z' };
const [, second] = await provider.listEvents(calendarId, { ...window, expand: true });
if (second) {
  // Moving one occurrence writes a RECURRENCE-ID override into the same resource (on CalDAV).
  await provider.updateEvent(calendarId, second.id, {
    start: { dateTime: '2026-10-27T19:00:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2026-10-27T20:00:00', timeZone: 'Europe/Berlin' },
  });
}
for (const e of await provider.listEvents(calendarId, { ...window, expand: true })) {
  if (e.recurringEventId === series.id && 'dateTime' in e.start) console.log(`  occurrence ${e.start.dateTime} ${e.start.timeZone}`);
}
console.log('incremental sync after creating and moving:');
console.log(await sync.sync(calendarId));

// Offline: a field app edits locally while the network is down; meanwhile someone else renames the
// same event on the server. The flush merges field by field (merge-fields): both edits survive.
const offlineStore = createMemoryStore(); // a durable store (Redis, PostgreSQL) in a real app
const offline = createOfflineCalendar({
  provider,
  store: offlineStore,
  policy: 'merge-fields',
  onConflict: (c) => console.log(`  conflict (${c.kind}) on ${c.eventId}: resolved by ${c.resolution}`),
});
await offline.pull(calendarId);
const seriesId = series.id;
await offline.updateEvent(calendarId, seriesId, { location: 'Studio 2' }); // local, at once
const checkIn = await offline.createEvent(calendarId, {
  id: await eventIdFromKey(`checkin:${Date.now()}`),
  title: 'Check-in (created offline)',
  start: { dateTime: '2026-10-20T08:00:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-10-20T08:15:00', timeZone: 'Europe/Berlin' },
});
console.log(`offline: ${(await offline.pending()).length} changes queued`);
const current = await provider.getEvent(calendarId, seriesId);
await provider.updateEvent(calendarId, seriesId, { title: 'Pilates (renamed on the server)' }, { etag: current.etag });
const flushed = await offline.flush();
console.log(`flush: ${flushed.applied} applied, ${flushed.conflicts.length} conflict(s), ${flushed.remaining} left`);
const merged = await provider.getEvent(calendarId, seriesId);
console.log(`  after the merge: "${merged.title}" at ${merged.location}`);
console.log('incremental sync after the flush:');
console.log(await sync.sync(calendarId));
await offline.deleteEvent(calendarId, checkIn.id); // tidy up, through the queue too
await offline.flush();

await provider.deleteEvent(calendarId, series.id);
console.log('incremental sync after the delete:');
console.log(await sync.sync(calendarId));
