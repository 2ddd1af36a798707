/**
 * CalDAV `listEvents` for one week of a calendar that holds a year, against a real Radicale.
 * Anchor: the same listing reading the whole collection (`timeRangeQuery: false`: PROPFIND +
 * `calendar-multiget`, what the adapter did before). Contender: the `calendar-query` time-range
 * listing (the server narrows, the client filters and expands). Both give the same events (checked
 * here); the table shows time, and the bytes each listing reads are printed below it.
 * Skips (exit 0) when Radicale is not installed.
 */
import { makeCalendar } from 'tsdav';
import { createCalDavCalendar } from '../src/calendar/caldav/index.js';
import { radicaleSkipReason, startRadicale } from '../test/support/radicale.js';
import { measure, report } from './harness.js';

const skip = radicaleSkipReason();
if (skip) {
  console.log(`\ncaldav-window: skipped (${skip})`);
  process.exit(0);
}
const server = await startRadicale();
try {
  const USER = 'bench';
  const calendarId = `/${USER}/year/`;
  const headers = { Authorization: `Basic ${btoa(`${USER}:x`)}` };
  await makeCalendar({ url: new URL(calendarId, server.url).href, props: { 'd:displayname': 'year' }, headers });
  let bytes = 0;
  const counting: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    bytes += (await res.clone().arrayBuffer()).byteLength;
    return res;
  };
  const make = (timeRangeQuery: boolean) =>
    createCalDavCalendar({ serverUrl: server.url, credentials: { username: USER, password: 'x' }, timeRangeQuery, fetch: counting });
  const writer = make(true);
  // 365 single events (one a day of 2026) and 10 weekly series over the year.
  for (let d = 0; d < 365; d++) {
    const day = new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10);
    await writer.createEvent(calendarId, {
      title: `event ${d}`,
      start: { dateTime: `${day}T09:00:00`, timeZone: 'Europe/Berlin' },
      end: { dateTime: `${day}T10:00:00`, timeZone: 'Europe/Berlin' },
    });
  }
  for (let s = 0; s < 10; s++) {
    await writer.createEvent(calendarId, {
      title: `series ${s}`,
      start: { dateTime: `2026-01-0${1 + (s % 7)}T18:00:00`, timeZone: 'Europe/Berlin' },
      end: { dateTime: `2026-01-0${1 + (s % 7)}T19:00:00`, timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=52'],
    });
  }
  const week = { from: '2026-06-01T00:00:00Z', to: '2026-06-08T00:00:00Z', expand: true };
  const whole = make(false);
  const narrowed = make(true);
  const ids = async (p: ReturnType<typeof make>) =>
    (await p.listEvents(calendarId, week))
      .map((e) => e.id)
      .sort()
      .join();
  if ((await ids(whole)) !== (await ids(narrowed))) throw new Error('the two listings differ');
  const bytesOf = async (p: ReturnType<typeof make>) => {
    bytes = 0;
    await p.listEvents(calendarId, week);
    return bytes;
  };
  const wholeBytes = await bytesOf(whole);
  const narrowedBytes = await bytesOf(narrowed);
  const options = { batch: 2, durationMs: 3000 };
  const anchor = await measure('whole collection (PROPFIND + multiget), 375 resources', () => whole.listEvents(calendarId, week), options);
  const rows = [
    await measure('calendar-query time-range, then client-side filter + expand', () => narrowed.listEvents(calendarId, week), options),
  ];
  report('caldav-window: listEvents of one week in a year (Radicale)', anchor, rows);
  console.log(
    `\nbytes read per listing: whole collection ${wholeBytes.toLocaleString('en-US')}, time-range ${narrowedBytes.toLocaleString('en-US')}`,
  );
} finally {
  await server.stop();
}
