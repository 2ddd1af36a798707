/**
 * iCalendar mapping of the CalDAV adapter: tricky resources are byte-for-byte stable through
 * parse → serialize → parse, lines stay within 75 octets, and what switchyard writes reads back
 * as the same event.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { mapCalDavStatus } from '../../src/calendar/caldav/adapter.js';
import { ensureTimezones, newResource, parseCalendar, readResource, serializeCalendar } from '../../src/calendar/caldav/ical.js';
import { createCalDavCalendar } from '../../src/calendar/caldav/index.js';
import { buildVtimezone } from '../../src/calendar/caldav/vtimezone.js';
import type { CalendarEvent } from '../../src/calendar/index.js';
import { expandSeries } from '../../src/calendar/instances.js';
import { createTelemetry, type ResponseEvent, silentLogger } from '../../src/index.js';

const tricky = readFileSync(new URL('../fixtures/caldav/tricky.ics', import.meta.url), 'utf8');
const base = { id: 'x', calendarId: '/alice/c/', etag: '"e"' };
const octets = (text: string) => text.split('\r\n').map((l) => new TextEncoder().encode(l).length);

describe('caldav iCalendar round trips', () => {
  it('a tricky resource (historical VTIMEZONE, folding, non-ASCII, escapes) is stable through parse → serialize → parse', () => {
    const once = serializeCalendar(parseCalendar(tricky));
    const twice = serializeCalendar(parseCalendar(once));
    expect(twice).toBe(once);
    expect(Math.max(...octets(once))).toBeLessThanOrEqual(75);
    // No line break splits a UTF-8 sequence: the text survives an encode/decode as bytes.
    expect(new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(once))).toBe(once);
    expect(readResource(parseCalendar(once), base, 'UTC', undefined, { cancelled: true })).toEqual(
      readResource(parseCalendar(tricky), base, 'UTC', undefined, { cancelled: true }),
    );
  });

  it('reads every VEVENT with escapes undone and the override keyed by its RECURRENCE-ID', () => {
    const { master, overrides } = readResource(parseCalendar(tricky), base, 'UTC');
    expect(master?.title).toBe('Café crème, naïve résumé; 日本語の会議');
    expect(master?.location).toBe('Zürich, Bahnhofstraße 1');
    expect(master?.description).toContain('backslashes \\ and a newline\nsecond line — and emoji 🎉');
    expect(master?.attendees).toEqual([{ email: 'jane@example.com', displayName: 'Doe, Jane', responseStatus: 'accepted' }]);
    expect(master?.recurrence).toEqual(['RRULE:FREQ=YEARLY;COUNT=3', 'EXDATE;TZID=America/New_York:20060403T013000']);
    // 2007-04-03 01:30 New York is EDT (the 2007 rules): 05:30Z.
    expect(overrides.map((o) => [o.id, o.title, o.originalStart])).toEqual([
      ['x_20070403T053000Z', 'Moved; after the 2007 rule change', { dateTime: '2007-04-03T01:30:00', timeZone: 'America/New_York' }],
    ]);
  });

  it('what switchyard writes reads back as the same event, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ maxLength: 40 }), (title, value) => {
        const input = {
          title: title === '' ? undefined : title,
          start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Berlin' },
          end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Berlin' },
          attendees: [{ email: 'a@example.com', displayName: `A, ${value}` }],
          extendedProperties: { k: value },
          recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3', 'EXDATE;TZID=Europe/Berlin:20260309T090000'],
        };
        const cal = newResource('x', input, 'fp');
        ensureTimezones(cal);
        const text = serializeCalendar(cal);
        expect(Math.max(...octets(text))).toBeLessThanOrEqual(75);
        const { master } = readResource(parseCalendar(text), base, 'UTC');
        expect(master?.title).toBe(input.title);
        expect(master?.start).toEqual(input.start);
        expect(master?.attendees[0]?.displayName).toBe(`A, ${value}`);
        expect(master?.extendedProperties).toEqual({ k: value });
        expect(master?.recurrence).toEqual(input.recurrence);
        expect(serializeCalendar(parseCalendar(text))).toBe(text);
      }),
      // The counterexample of seed 1334188328, replayed on every run.
      { numRuns: 60, examples: [['', '\\;']] },
    );
  });

  // Seed 1334188328: ical.js read parameter values as TEXT and unescaped `\;`, but RFC 5545
  // parameter values have no backslash escaping (RFC 6868 uses `^`), and ical.js writes them verbatim.
  it('an attendee name with backslashes, quotes, carets and newlines reads back as written', () => {
    for (const name of ['A, \\;', 'A, \\,', 'A, \\n', 'C:\\dir\\', 'a "quoted" ^caret^', 'two\nlines', 'x;y:z']) {
      const cal = newResource(
        'p',
        {
          start: { dateTime: '2026-03-02T09:00:00', timeZone: 'UTC' },
          end: { dateTime: '2026-03-02T10:00:00', timeZone: 'UTC' },
          attendees: [{ email: 'a@example.com', displayName: name }],
        },
        'fp',
      );
      const text = serializeCalendar(cal);
      const { master } = readResource(parseCalendar(text), base, 'UTC');
      expect(master?.attendees[0]?.displayName).toBe(name);
      expect(serializeCalendar(parseCalendar(text))).toBe(text);
    }
    // A host's own ical.js parse is left as ical.js does it.
    expect(ICAL.design.icalendar.param.cn).toBeUndefined();
  });

  it('all-day events are VALUE=DATE, and UTC times are written with Z', () => {
    const cal = newResource('d', { start: { date: '2026-03-08' }, end: { date: '2026-03-10' } }, 'fp');
    expect(serializeCalendar(cal)).toMatch(/DTSTART;VALUE=DATE:20260308/);
    const utc = newResource(
      'u',
      { start: { dateTime: '2026-03-08T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-03-08T11:00:00', timeZone: 'UTC' } },
      'fp',
    );
    expect(serializeCalendar(utc)).toMatch(/DTSTART:20260308T100000Z/);
  });

  it('generated VTIMEZONEs carry the zone’s real transitions', () => {
    const text = buildVtimezone('America/Los_Angeles', 2026, 2026).toString();
    expect(text).toMatch(/BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700/);
    expect(text).toMatch(/BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800/);
    expect(buildVtimezone('Asia/Kolkata', 2026, 2026).getAllSubcomponents('standard')).toHaveLength(1);
  });

  it('a body that is not iCalendar is a provider_error, not a crash', () => {
    expect(() => parseCalendar('<html>oops</html>')).toThrow(expect.objectContaining({ code: 'provider_error' }));
  });
});

describe('caldav errors and config', () => {
  it('maps an invalid sync token (403 valid-sync-token, 409, Nextcloud 418) to sync_token_expired', () => {
    expect(mapCalDavStatus(403, 'sync', '<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>').code).toBe('sync_token_expired');
    expect(mapCalDavStatus(418, 'sync').code).toBe('sync_token_expired');
    expect(mapCalDavStatus(403, 'sync', 'forbidden').code).toBe('permission');
    expect(mapCalDavStatus(412, 'put').code).toBe('precondition_failed');
    expect(mapCalDavStatus(503, 'put')).toMatchObject({ code: 'unavailable', retryable: true });
    expect(mapCalDavStatus(401, 'put').code).toBe('authentication');
  });

  it('rejects bad options with invalid_config naming the field', () => {
    const bad: [unknown, string][] = [
      [{ serverUrl: 'ftp://x' }, 'serverUrl'],
      [{ serverUrl: 'not a url' }, 'serverUrl'],
      [{ serverUrl: 'http://x/', pageSize: 0 }, 'pageSize'],
      [{ serverUrl: 'http://x/', syncMethod: 'magic' }, 'syncMethod'],
      [{ serverUrl: 'http://x/', credentials: { username: '', password: 'p' } }, 'credentials'],
      [{ serverUrl: 'http://x/', telemetry: createTelemetry(), logger: silentLogger }, 'logger'],
      [{ serverUrl: 'http://x/', telemetry: { instrument: 'yes' } }, 'telemetry'],
      [{ serverUrl: 'http://x/', logger: console.log }, 'logger'],
    ];
    for (const [options, field] of bad) {
      expect(() => createCalDavCalendar(options as never)).toThrow(expect.objectContaining({ code: 'invalid_config', details: { field } }));
    }
  });

  it('reports each call to telemetry like the other adapters: operation, outcome, status, retries', async () => {
    const responses: ResponseEvent[] = [];
    let calls = 0;
    const provider = createCalDavCalendar({
      serverUrl: 'http://127.0.0.1:9/',
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      telemetry: createTelemetry({ hooks: { onResponse: (e) => responses.push(e) } }),
      fetch: async () => {
        calls += 1;
        return new Response('busy', { status: 503 });
      },
    });
    await expect(provider.listCalendars()).rejects.toMatchObject({ code: 'unavailable' });
    expect(calls).toBe(2);
    expect(responses).toEqual([
      expect.objectContaining({ provider: 'caldav', operation: 'discover', outcome: 'error', status: 503, retries: 1 }),
    ]);
  });

  it('never puts credentials in an error message', async () => {
    const provider = createCalDavCalendar({
      serverUrl: 'http://127.0.0.1:9/',
      credentials: { username: 'u', password: 'hunter2-secret' },
      retry: { maxAttempts: 1 },
      fetch: async () => new Response('denied', { status: 401 }),
    });
    const error = await provider.getEvent('/u/c/', 'abcde').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'authentication' });
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('hunter2');
  });
});

describe('caldav resources other clients write', () => {
  it('a series of RDATEs without an RRULE expands to DTSTART plus the RDATEs, minus EXDATEs', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//other//EN',
      'BEGIN:VEVENT',
      'UID:rdates',
      'DTSTAMP:20260101T000000Z',
      'DTSTART;TZID=Europe/Berlin:20260302T090000',
      'DTEND;TZID=Europe/Berlin:20260302T100000',
      'RDATE;TZID=Europe/Berlin:20260305T090000,20260310T140000',
      'RDATE;TZID=Europe/Berlin:20260312T090000',
      'EXDATE;TZID=Europe/Berlin:20260310T140000',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const { master, cancelled } = readResource(parseCalendar(ics), base, 'UTC', undefined, { cancelled: true });
    const occurrences = expandSeries(master as CalendarEvent, [], {
      from: Date.parse('2026-03-01T00:00:00Z'),
      to: Date.parse('2026-04-01T00:00:00Z'),
    });
    expect(occurrences.map((e) => [(e.start as { dateTime: string }).dateTime, (e.end as { dateTime: string }).dateTime])).toEqual([
      ['2026-03-02T09:00:00', '2026-03-02T10:00:00'],
      ['2026-03-05T09:00:00', '2026-03-05T10:00:00'],
      ['2026-03-12T09:00:00', '2026-03-12T10:00:00'],
    ]);
    expect(cancelled.map((e) => [e.id, e.status])).toEqual([['x_20260310T130000Z', 'cancelled']]);
  });
});
