/**
 * iCalendar cost of the CalDAV adapter per resource, on the tricky fixture (historical VTIMEZONE,
 * a folded non-ASCII description, a RECURRENCE-ID override). Anchor: ical.js's own `ICAL.parse`
 * of the same text (the floor any ical.js-based reader pays). Contenders: our read (parse + every
 * VEVENT mapped to `CalendarEvent`), the same read with the EXDATE-cancelled occurrence a change
 * listing reports, and our write (a new resource with a generated VTIMEZONE,
 * serialized with 75-octet folding). No target: this table shows where the time goes.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import ICAL from 'ical.js';
import { ensureTimezones, newResource, parseCalendar, readResource, serializeCalendar } from '../src/calendar/caldav/ical.js';
import { measure, report } from './harness.js';

const text = readFileSync(new URL('../test/fixtures/caldav/tricky.ics', import.meta.url), 'utf8');
const base = { id: 'x', calendarId: '/a/c/', etag: '"e"' };
const input = {
  title: 'Pilates, level 2; bring a mat',
  start: { dateTime: '2026-10-19T18:00:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-10-19T19:00:00', timeZone: 'Europe/Berlin' },
  recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
  attendees: [{ email: 'a@example.com', displayName: 'Ana' }],
};

const anchor = await measure('ICAL.parse of the resource', () => ICAL.parse(text));
const rows = [
  await measure('read: parseCalendar + readResource (every VEVENT)', () => readResource(parseCalendar(text), base, 'UTC')),
  // What listChanges and includeCancelled pay: the EXDATE is checked against an expansion of the rule.
  await measure('read + EXDATE-cancelled occurrences (listChanges)', () =>
    readResource(parseCalendar(text), base, 'UTC', undefined, { cancelled: true }),
  ),
  await measure('write: newResource + cached VTIMEZONE + serialize', () => {
    const cal = newResource('x', input, 'fp');
    ensureTimezones(cal);
    return serializeCalendar(cal);
  }),
];
// The first write of a zone and span probes the zone (cached afterwards): measured once, cold.
const cold = performance.now();
const cal = newResource(
  'y',
  {
    ...input,
    start: { dateTime: '2026-10-19T18:00:00', timeZone: 'Australia/Lord_Howe' },
    end: { dateTime: '2026-10-19T19:00:00', timeZone: 'Australia/Lord_Howe' },
  },
  'fp',
);
ensureTimezones(cal);
const coldMs = performance.now() - cold;
report('caldav: iCalendar per resource', anchor, rows);
console.log(`\nfirst write in a new zone (VTIMEZONE generated, 10 years): ${coldMs.toFixed(1)} ms, once per zone and span per process`);
